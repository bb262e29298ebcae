#!/usr/bin/python3
"""bench http's async workload with `aiohttp`: one ClientSession, C requests
in flight (all N issued), on asyncio or uvloop. Connections are counted with
aiohttp's own trace hook."""
import asyncio
import sys

import aiohttp

from peer_common import client_ssl_context, http_arguments, http_run, measure, run_async, run_async_workers


def async_(job):
    async def connected(session, context, params):
        job.connections += 1

    async def main():
        trace = aiohttp.TraceConfig()
        trace.on_connection_create_end.append(connected)
        connector = aiohttp.TCPConnector(limit=job.args.concurrency,
                                         ssl=client_ssl_context(job.args))
        timeout = aiohttp.ClientTimeout(total=job.args.timeout)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                         trace_configs=[trace]) as session:
            async def fetch():
                async with session.get(job.args.url) as r:
                    return r.status, len(await r.read()), f"{r.version.major}.{r.version.minor}"

            return await run_async_workers(job, fetch, (aiohttp.ClientError, asyncio.TimeoutError))

    return run_async(job.args, main)


if __name__ == "__main__":
    args = http_arguments(__doc__, ["async"]).parse_args()
    sys.exit(measure(args, async_,
                     http_run(args, "aiohttp", aiohttp.__version__)))
