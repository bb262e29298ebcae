#!/usr/bin/python3
"""bench http's sync and threads workloads with `tls_client` (Go's TLS
fingerprinting client through a shared library; pip only, not in Debian).
tls_client does not tell how many connections it opened, so its rows leave
that out."""
import sys

import tls_client

from peer_common import http_arguments, http_run, measure, run_threads, timed_get


def new_session():
    return tls_client.Session(client_identifier="chrome_120")


def get_one(job, session):
    def fetch():
        r = session.get(job.args.url, timeout_seconds=int(job.args.timeout),
                        insecure_skip_verify=job.args.insecure)
        return r.status_code, len(r.content)

    # tls_client raises its TLSClientExeption (sic) or errors of the Go side.
    timed_get(job, fetch, Exception)


def sync(job):
    job.connections = None
    session = new_session()
    while job.take_request() is not None:
        get_one(job, session)


def threads(job):
    job.connections = None
    run_threads(job, new_session, get_one)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads"]).parse_args()
    if args.cacert and not args.insecure:
        sys.exit("tls_client cannot be given a CA file (it trusts the system's roots only); "
                 "run it with --insecure")
    version = getattr(tls_client, "__version__", "unknown")
    sys.exit(measure(args, {"sync": sync, "threads": threads}[args.mode],
                     http_run(args, "tls_client", version)))
