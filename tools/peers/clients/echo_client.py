#!/usr/bin/env python3
"""bench echo's workload from Python, to drive our echo server with another
loop: N connections each keeping --pipeline messages of --size bytes in
flight (closed loop), on asyncio or uvloop. tcp goes through the protocol
API as uvloop's vmbench client does (raw bytes, which a byte echo returns
as they are); ws through aiohttp's client (one binary message each). Every
echo is checked: its length and its bytes. Warm-up, then a measured window
per repeat; prints a results document (schema loopbench.results/2) with
the raw latency samples of the windows, as the other peers do.

    echo_client.py --url tcp://HOST:PORT | ws://HOST:PORT/echo
                   --connections N --size BYTES [--pipeline P]
                   [--duration S] [--warmup S] [--repeat N] [--timeout S]
                   [--event-loop asyncio|uvloop]
"""
import argparse
import asyncio
import json
import os
import resource
import socket
import sys
import time
from collections import deque

from peer_common import LAG_PERIOD_S, SCHEMA

KEPT_ERRORS = 5


class Tally:
    """What one repeat counts; only the window's echoes are kept."""

    def __init__(self):
        self.in_window = False
        self.messages = 0
        self.latency_ns = []
        self.errors = []

    def echoed(self, sent_ns):
        if self.in_window:
            self.messages += 1
            self.latency_ns.append(time.perf_counter_ns() - sent_ns)

    def fail(self, why):
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(why)


class EchoProtocol(asyncio.Protocol):
    """One tcp connection: `pipeline` payloads in flight, each echo checked."""

    def __init__(self, payload, pipeline, tally, running):
        self.payload = payload
        self.pipeline = pipeline
        self.tally = tally
        self.running = running
        self.buffer = bytearray()
        self.sent = deque()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport
        for _ in range(self.pipeline):
            self.send()

    def send(self):
        self.sent.append(time.perf_counter_ns())
        self.transport.write(self.payload)

    def data_received(self, data):
        self.buffer += data
        size = len(self.payload)
        while len(self.buffer) >= size:
            if memoryview(self.buffer)[:size] != self.payload:
                self.tally.fail("an echo differs from the message sent")
                self.transport.close()
                return
            del self.buffer[:size]
            self.tally.echoed(self.sent.popleft())
            if self.running[0]:
                self.send()

    def connection_lost(self, exc):
        if self.running[0] or self.sent:
            self.tally.fail(f"connection lost: {exc or 'closed by the server'}")
        if not self.closed.done():
            self.closed.set_result(exc)


async def tcp_connection(a, host, port, tally, running, opened):
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(
        lambda: EchoProtocol(a.payload, a.pipeline, tally, running), host, port)
    opened.append(protocol)
    return protocol


async def ws_connection(a, session, tally, running):
    """One aiohttp ws connection, one message at a time per pipeline slot."""
    async with session.ws_connect(a.url, max_msg_size=0, compress=0) as ws:
        inflight = deque()
        for _ in range(a.pipeline):
            inflight.append(time.perf_counter_ns())
            await ws.send_bytes(a.payload)
        while inflight:
            msg = await ws.receive()
            if msg.type.name != "BINARY":
                tally.fail(f"expected a binary echo, got {msg.type.name}")
                return
            if msg.data != a.payload:
                tally.fail("an echo differs from the message sent")
                return
            tally.echoed(inflight.popleft())
            if running[0]:
                inflight.append(time.perf_counter_ns())
                await ws.send_bytes(a.payload)


async def probe_lag(lag_ns, stop):
    while not stop.is_set():
        due = time.perf_counter_ns() + int(LAG_PERIOD_S * 1e9)
        await asyncio.sleep(LAG_PERIOD_S)
        lag_ns.append(max(0, time.perf_counter_ns() - due))


async def one_repeat(a):
    """Returns (tally, window seconds, cpu user, cpu sys, lag samples)."""
    tally, running = Tally(), [True]
    lag_ns, stop_probe = [], asyncio.Event()
    probe = asyncio.create_task(probe_lag(lag_ns, stop_probe))
    tasks, session, opened = [], None, []
    if a.transport == "tcp":
        host, port = a.url[len("tcp://"):].rsplit(":", 1)
        for i in range(0, a.connections, 100):  # connects in batches, as bench does
            await asyncio.gather(*(tcp_connection(a, host, int(port), tally, running, opened)
                                   for _ in range(min(100, a.connections - i))))
    else:
        import aiohttp
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        tasks = [asyncio.create_task(ws_connection(a, session, tally, running))
                 for _ in range(a.connections)]
    await asyncio.sleep(a.warmup)
    tally.in_window = True
    lag_ns.clear()
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await asyncio.sleep(a.duration)
    tally.in_window = False
    window = time.perf_counter() - t0
    used = resource.getrusage(resource.RUSAGE_SELF)
    running[0] = False
    # The messages in flight come back; then every connection closes.
    if a.transport == "tcp":
        deadline = time.monotonic() + a.timeout
        while (any(p.sent and not p.closed.done() for p in opened)
               and time.monotonic() < deadline):
            await asyncio.sleep(0.01)
        if any(p.sent and not p.closed.done() for p in opened):
            tally.fail(f"no echo for {a.timeout:g} s")
        for p in opened:
            p.sent.clear()
            p.transport.close()
        await asyncio.gather(*(p.closed for p in opened))
    else:
        done, pending = await asyncio.wait(tasks, timeout=a.timeout)
        for t in pending:
            t.cancel()
            tally.fail("no echo within the timeout")
        for t in done:
            if t.exception() is not None:
                tally.fail(f"{type(t.exception()).__name__}: {t.exception()}")
        await session.close()
    stop_probe.set()
    await probe
    return tally, window, used.ru_utime - before.ru_utime, used.ru_stime - before.ru_stime, lag_ns


def describe_client(a):
    if a.transport == "tcp":
        return "asyncio", sys.version.split()[0]
    import aiohttp
    return "aiohttp", aiohttp.__version__


async def measure(a):
    client, version = describe_client(a)
    run = {"bench": "echo", "client": client, "client_version": version,
           "loop": "python-" + a.event_loop, "mode": "closed", "size_bytes": a.size,
           "tls": False, "repeats": []}
    latency, lag, errors = [], [], []
    for _ in range(a.repeat):
        try:
            tally, window, user, sys_s, lag_ns = await asyncio.wait_for(
                one_repeat(a), a.warmup + a.duration + 2 * a.timeout + 30)
        except Exception as e:  # a peer that fails midway is a failed row, not a traceback
            errors.append(f"{type(e).__name__}: {e}")
            break
        if tally.errors:
            errors += tally.errors
            break
        latency += tally.latency_ns
        lag += lag_ns
        run["repeats"].append({"duration_s": window, "bytes": tally.messages * a.size,
                               "requests": tally.messages, "cpu_user_s": user,
                               "cpu_sys_s": sys_s})
    run["summary"] = {"errors": len(errors), "connections": a.connections * len(run["repeats"])}
    if errors:
        run["error_messages"] = errors
    run["latency_ns_samples"] = latency
    run["loop_lag_ns_samples"] = lag
    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--pipeline", type=int, default=1)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("--event-loop", choices=["asyncio", "uvloop"], default="asyncio")
    a = p.parse_args()
    if a.url.startswith("tcp://"):
        a.transport = "tcp"
    elif a.url.startswith("ws://"):
        a.transport = "ws"
    else:
        p.error("--url: expected tcp://HOST:PORT or ws://HOST:PORT/echo")
    if a.connections < 1 or a.size < 1 or a.pipeline < 1 or a.duration <= 0 or a.repeat < 1:
        p.error("--connections, --size, --pipeline, --duration and --repeat must be positive")
    a.payload = os.urandom(a.size)
    if a.event_loop == "uvloop":
        import uvloop
        uvloop.install()
    run = asyncio.run(measure(a))
    doc = {"schema": SCHEMA, "tool": {"name": run["client"], "version": run["client_version"]},
           "machine": {"python": sys.version.split()[0], "pid": os.getpid()},
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": [run]}
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")
    return 1 if run["summary"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
