#!/usr/bin/python3
"""bench http's workloads with `curl_cffi` (libcurl-impersonate; pip only, not
in Debian): sync (one Session), threads (a Session per thread) and async (one
AsyncSession, C in flight). curl_cffi does not tell how many connections it
opened, so its rows leave that out."""
import sys
import time

from curl_cffi import __version__ as version
from curl_cffi import requests as cr

from peer_common import (http_arguments, http_run, measure, run_async, run_async_workers,
                         run_threads)


def sync_get_one(job, session):
    started = time.perf_counter_ns()
    try:
        r = session.get(job.args.url, timeout=job.args.timeout)
        job.record(started, r.status_code, len(r.content))
    except Exception as e:  # curl_cffi raises its own RequestsError and CurlError
        job.record(started, 0, 0, f"{type(e).__name__}: {e}")


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
            async def get_one(job):
                started = time.perf_counter_ns()
                try:
                    r = await session.get(job.args.url, timeout=job.args.timeout)
                    job.record(started, r.status_code, len(r.content))
                except Exception as e:
                    job.record(started, 0, 0, f"{type(e).__name__}: {e}")

            return await run_async_workers(job, get_one)

    return run_async(job.args, main)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads", "async"]).parse_args()
    loop = "python-" + args.event_loop if args.mode == "async" else "python-threads"
    sys.exit(measure(args, {"sync": sync, "threads": threads, "async": async_}[args.mode],
                     http_run(args, "curl_cffi", version, loop)))
