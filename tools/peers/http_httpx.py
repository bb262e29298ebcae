#!/usr/bin/python3
"""bench http's three workloads with `httpx`: sync (one Client), threads (a
Client per thread) and async (one AsyncClient, C requests in flight, on
asyncio or uvloop). Connections are counted from httpcore's trace events."""
import sys

import httpx

from peer_common import (client_ssl_context, http_arguments, http_run, measure, run_async, run_async_workers,
                         run_threads, timed_get)

CONNECTED = "connection.connect_tcp.complete"


def sync_get_one(job, client):
    def trace(event, info):
        if event == CONNECTED:
            with job.lock:
                job.connections += 1

    def fetch():
        r = client.get(job.args.url, extensions={"trace": trace})
        return r.status_code, len(r.content)

    timed_get(job, fetch, httpx.HTTPError)


def sync(job):
    with httpx.Client(timeout=job.args.timeout, verify=client_ssl_context(job.args)) as client:
        while job.take_request() is not None:
            sync_get_one(job, client)


def threads(job):
    for client in run_threads(job, lambda: httpx.Client(timeout=job.args.timeout, verify=client_ssl_context(job.args)), sync_get_one):
        client.close()


def async_(job):
    async def trace(event, info):
        if event == CONNECTED:
            job.connections += 1

    async def main():
        c = job.args.concurrency
        limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
        async with httpx.AsyncClient(timeout=job.args.timeout, limits=limits,
                                     verify=client_ssl_context(job.args)) as client:
            async def fetch():
                r = await client.get(job.args.url, extensions={"trace": trace})
                return r.status_code, len(r.content)

            return await run_async_workers(job, fetch, httpx.HTTPError)

    return run_async(job.args, main)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads", "async"]).parse_args()
    sys.exit(measure(args, {"sync": sync, "threads": threads, "async": async_}[args.mode],
                     http_run(args, "httpx", httpx.__version__)))
