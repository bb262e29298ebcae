#!/usr/bin/python3
"""bench http's three workloads with `httpx`: sync (one Client), threads (a
Client per thread) and async (one AsyncClient, C requests in flight, on
asyncio or uvloop). Connections are counted from httpcore's trace events.
With --http-version 2 (python3-h2): HTTP/2 by ALPN over https://, with prior
knowledge over http://, async multiplexing --streams requests on each
connection; a response over HTTP/1.1 is an error."""
import sys

import httpx

from peer_common import (client_ssl_context, http_arguments, http_run, measure, run_async, run_async_workers,
                         run_threads, timed_get)

CONNECTED = "connection.connect_tcp.complete"


def protocols(args):
    """httpx's http1/http2 switches: HTTP/2 only (prior knowledge on http://)."""
    h2 = args.http_version == "2"
    return {"http1": not h2, "http2": h2}


def checked(args, r):
    """(status, body length, HTTP version): Job.record checks the version."""
    return r.status_code, len(r.content), r.http_version.removeprefix("HTTP/")


def sync_get_one(job, client):
    def trace(event, info):
        if event == CONNECTED:
            with job.lock:
                job.connections += 1

    def fetch():
        r = client.get(job.args.url, extensions={"trace": trace})
        return checked(job.args, r)

    timed_get(job, fetch, httpx.HTTPError)


def sync(job):
    with httpx.Client(timeout=job.args.timeout, verify=client_ssl_context(job.args),
                      **protocols(job.args)) as client:
        while job.take_request() is not None:
            sync_get_one(job, client)


def threads(job):
    def new_client():
        return httpx.Client(timeout=job.args.timeout, verify=client_ssl_context(job.args),
                            **protocols(job.args))

    for client in run_threads(job, new_client, sync_get_one):
        client.close()


def async_(job):
    async def trace(event, info):
        if event == CONNECTED:
            job.connections += 1

    async def main():
        a = job.args
        c = a.concurrency
        if a.http_version == "2":  # streams share connections, as bench's client does
            c = -(-min(c, a.requests) // max(a.streams, 1))
        limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
        async with httpx.AsyncClient(timeout=a.timeout, limits=limits,
                                     verify=client_ssl_context(a), **protocols(a)) as client:
            async def fetch():
                r = await client.get(a.url, extensions={"trace": trace})
                return checked(a, r)

            return await run_async_workers(job, fetch, httpx.HTTPError)

    return run_async(job.args, main)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads", "async"]).parse_args()
    sys.exit(measure(args, {"sync": sync, "threads": threads, "async": async_}[args.mode],
                     http_run(args, "httpx", httpx.__version__)))
