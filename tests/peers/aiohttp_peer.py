#!/usr/bin/python3
"""The original suite's Python side, for comparisons: an aiohttp WebSocket
server on uvloop (when installed) and an aiohttp client, speaking the same
/ws?test=download|upload|concurrent&total=N&chunk=N protocol as bench.

  aiohttp_peer.py server PORT [CERT KEY]
                                       prints "listening on 127.0.0.1:PORT"
  aiohttp_peer.py client URL DIRECTION TOTAL CHUNK [--insecure]
                                       prints "seconds S" for one transfer; every
                                       message checked (peer_check.py), exit 1 if not
"""
import asyncio, os, ssl, sys, time

import aiohttp
from aiohttp import web

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools/peers/clients"))
from peer_check import MessageCheck, send_repeated  # noqa: E402

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

    def send():
        return send_repeated(ws.send_bytes, total, chunk)

    async def receive():
        check = MessageCheck(total, chunk)
        while check.got < total:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.BINARY:
                return
            check.take(msg.data)
            if check.error:
                print(check.error, file=sys.stderr, flush=True)
                await ws.close(code=1008, message=b"bad message")
                return

    jobs = []
    if test in ("download", "concurrent"):
        jobs.append(send())
    if test in ("upload", "concurrent"):
        jobs.append(receive())
    await asyncio.gather(*jobs)
    await ws.close(code=1000, message=b"done")
    return ws


async def serve(port, cert=None, key=None):
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=context)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    await asyncio.Future()


async def client(url, direction, total, chunk, insecure):
    want = total if direction in ("download", "concurrent") else 0
    check = MessageCheck(want, chunk)
    async with aiohttp.ClientSession() as session:
        t0 = time.perf_counter()
        async with session.ws_connect(f"{url}?test={direction}&total={total}&chunk={chunk}",
                                      max_msg_size=0, ssl=False if insecure else None) as ws:

            def send():
                return send_repeated(ws.send_bytes, total, chunk)

            async def receive():
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        check.take(msg.data)

            jobs = [receive()]
            if direction in ("upload", "concurrent"):
                jobs.append(send())
            await asyncio.gather(*jobs)
        seconds = time.perf_counter() - t0
    problem = check.verdict()
    if problem or ws.close_code != 1000:
        print(f"{problem or 'ok'}, close code {ws.close_code}", file=sys.stderr)
        return 1
    print(f"seconds {seconds:.6f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve(int(sys.argv[2]), *sys.argv[3:5]))
    else:
        sys.exit(asyncio.run(client(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                                    "--insecure" in sys.argv)))
