#!/usr/bin/python3
"""bench http's workloads with `curl_cffi` (libcurl-impersonate; pip only, not
in Debian): sync (one Session), threads (a Session per thread) and async (one
AsyncSession, C in flight). curl_cffi does not tell how many connections it
opened, so its rows leave that out."""
import sys

from curl_cffi import __version__ as version
from curl_cffi import requests as cr

from peer_common import (http_arguments, http_run, measure, run_async, run_async_workers,
                         run_threads, timed_get, verify_of)


# curl_cffi raises its own RequestsError and CurlError, whose module paths
# changed between releases.
ERRORS = Exception


def sync_get_one(job, session):
    def fetch():
        r = session.get(job.args.url, timeout=job.args.timeout, verify=verify_of(job.args))
        return r.status_code, len(r.content)

    timed_get(job, fetch, ERRORS)


def sync(job):
    job.connections = None
    with cr.Session() as session:
        while job.take_request() is not None:
            sync_get_one(job, session)


def threads(job):
    job.connections = None
    for session in run_threads(job, cr.Session, sync_get_one):
        session.close()


def async_(job):
    job.connections = None

    async def main():
        async with cr.AsyncSession(max_clients=job.args.concurrency) as session:
            async def fetch():
                r = await session.get(job.args.url, timeout=job.args.timeout, verify=verify_of(job.args))
                return r.status_code, len(r.content)

            return await run_async_workers(job, fetch, ERRORS)

    return run_async(job.args, main)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads", "async"]).parse_args()
    sys.exit(measure(args, {"sync": sync, "threads": threads, "async": async_}[args.mode],
                     http_run(args, "curl_cffi", version)))
