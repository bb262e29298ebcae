#!/usr/bin/python3
"""bench http's sync and threads workloads with `requests` (one Session per
client thread, connections kept alive by urllib3's pool)."""
import sys

import requests

from peer_common import http_arguments, http_run, measure, run_threads, timed_get, verify_of


def connections_of(session, url):
    """Connections urllib3 opened for this session (its pools' own count)."""
    pools = session.get_adapter(url).poolmanager.pools
    return sum(pools[key].num_connections for key in pools.keys())


def get_one(job, session):
    def fetch():
        r = session.get(job.args.url, timeout=job.args.timeout, verify=verify_of(job.args))
        # urllib3 speaks HTTP/1.x only; raw.version is 11 for HTTP/1.1.
        return r.status_code, len(r.content), f"{r.raw.version // 10}.{r.raw.version % 10}"

    timed_get(job, fetch, requests.RequestException)


def sync(job):
    with requests.Session() as session:
        while job.take_request() is not None:
            get_one(job, session)
        job.connections += connections_of(session, job.args.url)


def threads(job):
    sessions = run_threads(job, requests.Session, get_one)
    for s in sessions:
        job.connections += connections_of(s, job.args.url)
        s.close()


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads"]).parse_args()
    sys.exit(measure(args, {"sync": sync, "threads": threads}[args.mode],
                     http_run(args, "requests", requests.__version__)))
