#!/usr/bin/python3
"""bench ws's workloads with the `websockets` library: one connection per
repeat to a /ws test server; download, upload or both at once; every
received message checked (peer_check.py); done at the server's close 1000."""
import asyncio
import sys

import websockets

from peer_check import MessageCheck, send_repeated
from peer_common import LagProbe, client_ssl_context, measure, run_async, ws_arguments, ws_run


def transfer(job):
    a = job.args

    async def main():
        lag = LagProbe()
        lag.start()
        try:
            await exchange()
        finally:
            await lag.stop()
        return lag.samples_ns

    async def exchange():
        tls = client_ssl_context(a) if a.url.startswith("wss://") else None
        full = f"{a.url}?test={a.mode}&total={a.total}&chunk={a.chunk}"
        async with websockets.connect(full, ssl=tls, max_size=None, compression=None,
                                      open_timeout=a.timeout) as ws:
            job.connections += 1
            check = MessageCheck(a.total if a.mode != "upload" else 0, a.chunk)

            async def send(message):
                await ws.send(message)
                job.messages += 1

            async def receive():
                try:
                    while True:
                        check.take(await asyncio.wait_for(ws.recv(), a.timeout))
                        job.messages += 1
                except websockets.ConnectionClosedOK:
                    pass

            jobs = [receive()]
            if a.mode != "download":
                jobs.append(send_repeated(send, a.total, a.chunk))
            await asyncio.gather(*jobs)
            problem = check.verdict()
            if problem is None and ws.close_code != 1000:
                problem = f"closed with {ws.close_code} {ws.close_reason}"
            if problem:
                job.fail(problem)
            else:
                job.bytes = check.got + (a.total if a.mode != "download" else 0)

    return run_async(a, main)


if __name__ == "__main__":
    args = ws_arguments(__doc__).parse_args()
    sys.exit(measure(args, transfer, ws_run(args, "websockets", websockets.__version__,
                                            "python-" + args.event_loop)))
