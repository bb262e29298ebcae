#!/usr/bin/python3
"""bench ws's workloads with aiohttp's WebSocket client (the original suite's
client), on asyncio or uvloop: one connection per repeat; download, upload or
both at once; every received message checked; done at the server's close."""
import sys

import aiohttp

from peer_common import (client_ssl_context, measure, run_async, settle_ws, with_lag_probe,
                         ws_arguments, ws_exchange, ws_run, ws_test_url)


async def binary_payloads(ws):
    """The payloads of the binary messages until the close; anything else fails."""
    async for msg in ws:
        if msg.type != aiohttp.WSMsgType.BINARY:
            raise ValueError(f"unexpected {msg.type.name} message")
        yield msg.data


def transfer(job):
    a = job.args

    async def exchange():
        tls = client_ssl_context(a) if a.url.startswith("wss://") else None
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(ws_test_url(a), ssl=tls, max_msg_size=0) as ws:
                job.connections += 1
                check = await ws_exchange(job, ws.send_bytes, binary_payloads(ws))
            settle_ws(job, check, ws.close_code, ws.exception() or "")

    return run_async(a, lambda: with_lag_probe(exchange))


if __name__ == "__main__":
    args = ws_arguments(__doc__).parse_args()
    sys.exit(measure(args, transfer, ws_run(args, "aiohttp", aiohttp.__version__)))
