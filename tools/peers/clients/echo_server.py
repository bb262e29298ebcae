#!/usr/bin/env python3
"""bench echo's peer servers on Python, as uvloop's vmbench has them: a TCP
server that echoes every byte, on asyncio or uvloop, through the protocol
API (data_received -> transport.write) or the streams API (read -> write,
drain). Prints "listening on 127.0.0.1:PORT" once it listens; runs until
SIGTERM or SIGINT.

    echo_server.py --loop asyncio|uvloop --api protocol|streams [--port N]
"""
import argparse
import asyncio
import signal
import socket


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def echo_streams(reader, writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main(a):
    loop = asyncio.get_running_loop()
    if a.api == "protocol":
        server = await loop.create_server(EchoProtocol, "127.0.0.1", a.port, backlog=4096)
    else:
        server = await asyncio.start_server(echo_streams, "127.0.0.1", a.port, backlog=4096)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await stop
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--api", choices=["protocol", "streams"], default="protocol")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    if args.loop == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(main(args))
