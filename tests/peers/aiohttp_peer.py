#!/usr/bin/python3
"""The original suite's Python side, for comparisons: an aiohttp WebSocket
server on uvloop (when installed) and an aiohttp client, speaking the same
/ws?test=download|upload|concurrent&total=N&chunk=N protocol as bench.

  aiohttp_peer.py server PORT          prints "listening on 127.0.0.1:PORT"
  aiohttp_peer.py client URL DIRECTION TOTAL CHUNK
                                       prints "seconds S" for one transfer
"""
import asyncio, os, sys, time

import aiohttp
from aiohttp import web

try:
    import uvloop
    uvloop.install()
except ImportError:
    pass


async def handler(request):
    ws = web.WebSocketResponse(max_msg_size=0)
    await ws.prepare(request)
    test = request.query.get("test", "download")
    total = int(request.query.get("total", str(10 << 30)))
    chunk = int(request.query.get("chunk", "65536"))
    payload = os.urandom(chunk)

    async def send():
        sent = 0
        while sent < total:
            n = min(chunk, total - sent)
            await ws.send_bytes(payload[:n])
            sent += n

    async def receive():
        got = 0
        while got < total:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.BINARY:
                return
            got += len(msg.data)

    jobs = []
    if test in ("download", "concurrent"):
        jobs.append(send())
    if test in ("upload", "concurrent"):
        jobs.append(receive())
    await asyncio.gather(*jobs)
    await ws.close(code=1000, message=b"done")
    return ws


async def serve(port):
    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    await asyncio.Future()


async def client(url, direction, total, chunk):
    payload = os.urandom(chunk)
    async with aiohttp.ClientSession() as session:
        t0 = time.perf_counter()
        async with session.ws_connect(f"{url}?test={direction}&total={total}&chunk={chunk}",
                                      max_msg_size=0) as ws:
            got = 0

            async def send():
                sent = 0
                while sent < total:
                    n = min(chunk, total - sent)
                    await ws.send_bytes(payload[:n])
                    sent += n

            async def receive():
                nonlocal got
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        got += len(msg.data)

            jobs = [receive()]
            if direction in ("upload", "concurrent"):
                jobs.append(send())
            await asyncio.gather(*jobs)
        seconds = time.perf_counter() - t0
    want = total if direction in ("download", "concurrent") else 0
    if got != want:
        print(f"got {got} of {want} bytes", file=sys.stderr)
        return 1
    print(f"seconds {seconds:.6f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve(int(sys.argv[2])))
    else:
        sys.exit(asyncio.run(client(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))))
