#!/usr/bin/python3
"""bench ws's workloads with aiohttp's WebSocket client (the original suite's
client), on asyncio or uvloop: one connection per repeat; download, upload or
both at once; every received message checked; done at the server's close."""
import asyncio
import sys

import aiohttp

from peer_check import MessageCheck, send_repeated
from peer_common import (client_ssl_context, guarded, measure, run_async, settle_ws,
                         with_lag_probe, ws_arguments, ws_run, ws_test_url)


def transfer(job):
    a = job.args

    async def exchange():
        tls = client_ssl_context(a) if a.url.startswith("wss://") else None
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(ws_test_url(a), ssl=tls, max_msg_size=0) as ws:
                job.connections += 1
                check = MessageCheck(a.total if a.mode != "upload" else 0, a.chunk)

                async def send(message):
                    await ws.send_bytes(message)
                    job.messages += 1

                async def receive():
                    async for msg in ws:
                        if msg.type != aiohttp.WSMsgType.BINARY:
                            check.error = check.error or f"unexpected {msg.type.name} message"
                            break
                        check.take(msg.data)
                        job.messages += 1

                jobs = [receive()]
                if a.mode != "download":
                    jobs.append(send_repeated(send, a.total, a.chunk))
                await guarded(asyncio.gather(*jobs), lambda: job.messages, a.timeout)
            settle_ws(job, check, ws.close_code, ws.exception() or "")

    return run_async(a, lambda: with_lag_probe(exchange))


if __name__ == "__main__":
    args = ws_arguments(__doc__).parse_args()
    sys.exit(measure(args, transfer, ws_run(args, "aiohttp", aiohttp.__version__,
                                            "python-" + args.event_loop)))
