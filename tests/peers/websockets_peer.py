#!/usr/bin/python3
"""A real WebSocket peer nobody here wrote: the Python `websockets` library.

  websockets_peer.py server PORT [CERT KEY]   serves /ws like `bench serve ws`
                                              (?test=download|upload|concurrent
                                              &total=N&chunk=N), prints "listening on
                                              127.0.0.1:PORT", closes with 1000 when done
  websockets_peer.py sink PORT                a plain sink that knows no ?test=: counts
                                              the bytes of every message until the client
                                              closes, then prints "sink got N bytes"
  websockets_peer.py client URL DIRECTION TOTAL CHUNK [--insecure]
                                              runs one transfer against URL, checks
                                              every message (peer_check.py), exits 0
                                              on success
"""
import asyncio, os, ssl, sys
from urllib.parse import urlparse, parse_qs

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools/peers/clients"))
from peer_check import MessageCheck, send_repeated  # noqa: E402


async def serve(port, cert=None, key=None):
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

    async def handler(ws, path):
        q = parse_qs(urlparse(path).query)
        test = q.get("test", ["download"])[0]
        total = int(q.get("total", [str(10 << 30)])[0])
        chunk = int(q.get("chunk", ["65536"])[0])

        def send():
            return send_repeated(ws.send, total, chunk)

        async def receive():
            check = MessageCheck(total, chunk)
            while check.got < total:
                check.take(await ws.recv())
                if check.error:
                    print(check.error, file=sys.stderr, flush=True)
                    await ws.close(1008, "bad message")
                    return

        jobs = []
        if test in ("download", "concurrent"):
            jobs.append(send())
        if test in ("upload", "concurrent"):
            jobs.append(receive())
        await asyncio.gather(*jobs)
        await ws.close(1000, "done")

    async with websockets.serve(handler, "127.0.0.1", port, ssl=context, max_size=None) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on 127.0.0.1:{bound}", flush=True)
        await asyncio.Future()


async def sink(port):
    async def handler(ws, path):
        got = 0
        try:
            async for message in ws:
                got += len(message)
        finally:
            print(f"sink got {got} bytes, close code {ws.close_code}", flush=True)

    async with websockets.serve(handler, "127.0.0.1", port, max_size=None) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on 127.0.0.1:{bound}", flush=True)
        await asyncio.Future()


async def client(url, direction, total, chunk, insecure):
    context = None
    if url.startswith("wss://"):
        context = ssl.create_default_context()
        if insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    full = f"{url}?test={direction}&total={total}&chunk={chunk}"
    async with websockets.connect(full, ssl=context, max_size=None) as ws:
        want = total if direction in ("download", "concurrent") else 0
        check = MessageCheck(want, chunk)

        def send():
            return send_repeated(ws.send, total, chunk)

        async def receive():
            try:
                while True:
                    check.take(await ws.recv())
            except websockets.ConnectionClosedOK:
                pass

        jobs = [receive()]
        if direction in ("upload", "concurrent"):
            jobs.append(send())
        await asyncio.gather(*jobs)
        problem = check.verdict()
        if problem or ws.close_code != 1000:
            print(f"{problem or 'ok'}, close code {ws.close_code}", file=sys.stderr)
            return 1
    print(f"ok {direction} {total}")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve(int(sys.argv[2]), *sys.argv[3:5]))
    elif sys.argv[1] == "sink":
        asyncio.run(sink(int(sys.argv[2])))
    else:
        sys.exit(asyncio.run(client(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                                    "--insecure" in sys.argv)))
