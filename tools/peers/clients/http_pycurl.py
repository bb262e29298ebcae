#!/usr/bin/python3
"""bench http's sync and threads workloads with `pycurl` (one reused Curl
handle per client thread, as bench's own sync client uses libcurl)."""
import sys

import pycurl

from peer_common import http_arguments, http_run, measure, run_threads, timed_get


# CURLINFO_HTTP_VERSION as rows name it.
NEGOTIATED = {pycurl.CURL_HTTP_VERSION_1_0: "1.0", pycurl.CURL_HTTP_VERSION_1_1: "1.1",
              pycurl.CURL_HTTP_VERSION_2_0: "2"}


class Handle:
    """A reused easy handle that counts the body instead of keeping it."""

    def __init__(self, args):
        self.received = 0
        self.curl = pycurl.Curl()
        self.curl.setopt(pycurl.URL, args.url)
        self.curl.setopt(pycurl.WRITEFUNCTION, self._count)
        self.curl.setopt(pycurl.TIMEOUT_MS, int(args.timeout * 1000))
        self.curl.setopt(pycurl.NOSIGNAL, 1)
        self.curl.setopt(pycurl.TCP_NODELAY, 1)
        # Set always: libcurl offers "h2" by ALPN over https:// unless told.
        self.curl.setopt(pycurl.HTTP_VERSION, {"1.1": pycurl.CURL_HTTP_VERSION_1_1,
                                               "2": pycurl.CURL_HTTP_VERSION_2_0}[args.http_version])
        if args.cacert:
            self.curl.setopt(pycurl.CAINFO, args.cacert)
        if args.insecure:
            self.curl.setopt(pycurl.SSL_VERIFYPEER, 0)
            self.curl.setopt(pycurl.SSL_VERIFYHOST, 0)
        self.connections = 0

    def _count(self, data):
        self.received += len(data)


def get_one(job, h):
    def fetch():
        h.received = 0
        h.curl.perform()
        h.connections += h.curl.getinfo(pycurl.NUM_CONNECTS)
        return (h.curl.getinfo(pycurl.RESPONSE_CODE), h.received,
                NEGOTIATED.get(h.curl.getinfo(pycurl.INFO_HTTP_VERSION)))

    timed_get(job, fetch, pycurl.error)


def sync(job):
    h = Handle(job.args)
    while job.take_request() is not None:
        get_one(job, h)
    job.connections += h.connections
    h.curl.close()


def threads(job):
    for h in run_threads(job, lambda: Handle(job.args), get_one):
        job.connections += h.connections
        h.curl.close()


if __name__ == "__main__":
    args = http_arguments(__doc__, ["sync", "threads"]).parse_args()
    sys.exit(measure(args, {"sync": sync, "threads": threads}[args.mode],
                     http_run(args, "pycurl", pycurl.version.split()[0].split("/")[1])))
