#!/usr/bin/python3
"""bench ws's workloads with the `websockets` library: one connection per
repeat to a /ws test server; download, upload or both at once; every
received message checked (peer_check.py); done at the server's close 1000."""
import asyncio
import sys

import websockets

from peer_check import MessageCheck, send_repeated
from peer_common import (client_ssl_context, guarded, measure, run_async, settle_ws,
                         with_lag_probe, ws_arguments, ws_run, ws_test_url)


def transfer(job):
    a = job.args

    async def exchange():
        tls = client_ssl_context(a) if a.url.startswith("wss://") else None
        async with websockets.connect(ws_test_url(a), ssl=tls, max_size=None, compression=None,
                                      open_timeout=a.timeout) as ws:
            job.connections += 1
            check = MessageCheck(a.total if a.mode != "upload" else 0, a.chunk)

            async def send(message):
                await ws.send(message)
                job.messages += 1

            async def receive():
                try:
                    while True:
                        check.take(await ws.recv())
                        job.messages += 1
                except websockets.ConnectionClosedOK:
                    pass

            jobs = [receive()]
            if a.mode != "download":
                jobs.append(send_repeated(send, a.total, a.chunk))
            await guarded(asyncio.gather(*jobs), lambda: job.messages, a.timeout)
        settle_ws(job, check, ws.close_code, ws.close_reason)

    return run_async(a, lambda: with_lag_probe(exchange))


if __name__ == "__main__":
    args = ws_arguments(__doc__).parse_args()
    sys.exit(measure(args, transfer, ws_run(args, "websockets", websockets.__version__,
                                            "python-" + args.event_loop)))
