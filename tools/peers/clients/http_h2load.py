#!/usr/bin/python3
"""bench http's async workload with nghttp2's h2load, the reference HTTP/2
load generator (libev, nghttp2): HTTP/2 (h2c with prior knowledge, or h2 by
ALPN over https://) with --streams streams on each connection, or HTTP/1.1
(--h1) with one request in flight per connection. h2load does not verify
certificates. Every response must be a 200, and the bodies must add up to
the expected length per response."""
import os
import re
import subprocess
import sys
import tempfile

from peer_common import http_arguments, http_run, measure


def h2load_version():
    out = subprocess.run(["h2load", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"nghttp2/(\S+)", out)
    return m.group(1) if m else ""


def count(pattern, text):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


def run_once(job):
    a = job.args
    http2 = a.http_version == "2"
    streams = a.streams if http2 else 1
    transfers = min(a.concurrency, a.requests)
    connections = max(1, -(-transfers // streams))
    with tempfile.NamedTemporaryFile(prefix="loopbench-h2load-", suffix=".log") as log:
        cmd = ["h2load", "-n", str(a.requests), "-c", str(connections), "-m", str(streams),
               "-N", f"{int(a.timeout * 1000)}ms", f"--log-file={log.name}", a.url]
        if not http2:
            cmd.insert(1, "--h1")
        done = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=a.timeout * max(1, a.requests // transfers) + 30)
        out = done.stdout
        latencies = []
        ok = 0
        with open(log.name) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3 and fields[1] == "200":
                    ok += 1
                    latencies.append(int(fields[2]) * 1000)
    finished = re.search(r"finished in ([\d.]+)(ms|s|us)", out)
    succeeded = count(r"(\d+) succeeded", out)
    data = count(r"\((\d+)\) data", out)
    if done.returncode != 0 or finished is None or succeeded is None or data is None:
        last = (done.stderr or out).strip().splitlines()
        job.fail(f"h2load exited with {done.returncode}: {last[-1] if last else 'no output'}")
        return []
    scale = {"s": 1.0, "ms": 1e-3, "us": 1e-6}[finished.group(2)]
    job.duration_s = float(finished.group(1)) * scale
    job.connections = connections
    job.ok = ok
    job.bytes = data
    # Every connection of one h2load run speaks what its first agreed on.
    protocol = re.search(r"Application protocol: (\S+)", out)
    if protocol and ok:
        version = {"h2": "2", "h2c": "2", "http/1.1": "1.1"}.get(protocol.group(1), protocol.group(1))
        job.versions = {version: ok}
        if version != a.http_version:
            job.fail(f"h2load spoke {protocol.group(1)}, not HTTP/{a.http_version}")
    job.latency_ns = latencies
    missing = a.requests - ok
    if missing:
        job.fail(f"{missing} of {a.requests} responses were not 200 or never came "
                 f"({succeeded} succeeded by h2load's count)")
        job.failed = missing
    if ok and data != ok * a.expected_bytes:
        job.fail(f"{data} body bytes for {ok} responses, expected {a.expected_bytes} each")
    return []


if __name__ == "__main__":
    args = http_arguments(__doc__, ["async"]).parse_args()
    run = http_run(args, "h2load", h2load_version())
    run["loop"] = "h2load"
    sys.exit(measure(args, run_once, run))
