#!/usr/bin/python3
"""bench ws's workloads with the `websockets` library: one connection per
repeat to a /ws test server; download, upload or both at once; every
received message checked (peer_check.py); done at the server's close 1000."""
import sys

import websockets

from peer_common import (client_ssl_context, measure, run_async, settle_ws, with_lag_probe,
                         ws_arguments, ws_exchange, ws_run, ws_test_url)


def transfer(job):
    a = job.args

    async def exchange():
        tls = client_ssl_context(a) if a.url.startswith("wss://") else None
        async with websockets.connect(ws_test_url(a), ssl=tls, max_size=None, compression=None,
                                      open_timeout=a.timeout) as ws:
            job.connections += 1
            # Iterating ends at a clean close and raises at any other.
            check = await ws_exchange(job, ws.send, ws)
        settle_ws(job, check, ws.close_code, ws.close_reason)

    return run_async(a, lambda: with_lag_probe(exchange))


if __name__ == "__main__":
    args = ws_arguments(__doc__).parse_args()
    sys.exit(measure(args, transfer, ws_run(args, "websockets", websockets.__version__)))
