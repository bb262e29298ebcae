#!/usr/bin/python3
"""A WebSocket server that tests clients the way Autobahn|Testsuite's
fuzzingserver does, with the same URLs, on a few cases of its own (the
suite itself is not a Debian package; `bench ws conformance` against it is
a check run by hand, README):

  case_server.py PORT   prints "listening on 127.0.0.1:PORT"; serves
    /getCaseCount                 a text message with the number of cases
    /runCase?case=N&agent=A       sends case N's messages, expects each one
                                  echoed back with the same type and bytes,
                                  then closes with 1000
    /updateReports?agent=A        prints "agent A: P passed, F failed: ..." and
                                  closes with 1000
"""
import asyncio, sys
from urllib.parse import urlparse, parse_qs

import websockets

# Each case: the messages sent, in order (str is text, bytes is binary; a
# list is one message sent in fragments).
CASES = [
    ["hello"],
    [b"\x00\x01\x02"],
    ["h\u00e9llo w\u00f6rld", b"", ""],
    [["frag", "men", "ted"]],
    [bytes(range(256)) * 16384],  # 4 MiB
    ["ping follows", b"after the ping"],
]

results = {}  # agent -> {case: "OK" | why}


def whole(message):
    return "".join(message) if isinstance(message, list) and isinstance(message[0], str) else (
        b"".join(message) if isinstance(message, list) else message)


async def run_case(ws, number, agent):
    verdicts = results.setdefault(agent, {})
    why = "OK"
    try:
        for message in CASES[number - 1]:
            await ws.send(message)
            if message == "ping follows":
                await (await ws.ping(b"p"))
            echo = await asyncio.wait_for(ws.recv(), 10)
            if type(echo) is not type(whole(message)) or echo != whole(message):
                why = f"message {whole(message)!r:.40} came back as {echo!r:.40}"
                break
    except Exception as e:  # the client closed or broke the connection
        why = f"{type(e).__name__}: {e}"
    verdicts[number] = why
    await ws.close(1000, "case done")


async def handler(ws, path):
    url = urlparse(path)
    q = parse_qs(url.query)
    agent = q.get("agent", ["?"])[0]
    if url.path == "/getCaseCount":
        await ws.send(str(len(CASES)))
        await ws.close(1000)
    elif url.path == "/runCase":
        await run_case(ws, int(q["case"][0]), agent)
    elif url.path == "/updateReports":
        verdicts = results.get(agent, {})
        failed = {n: why for n, why in verdicts.items() if why != "OK"}
        print(f"agent {agent}: {len(verdicts) - len(failed)} passed, {len(failed)} failed: "
              f"{failed}", flush=True)
        await ws.close(1000)
    else:
        await ws.close(1008, "unknown path")


async def main(port):
    async with websockets.serve(handler, "127.0.0.1", port, max_size=None) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on 127.0.0.1:{bound}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
