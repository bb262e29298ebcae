"""What every Python peer shares: the command line, the repeat loop with its
CPU and clock accounting, the per-request check, and the results document
(schema loopbench.results/2, as `bench http` and `bench ws` write it).

A peer module provides one function per mode it supports; each gets a Job
(what to do, and where to count what happened) and runs one repeat. The
document adds "latency_ns_samples" and "loop_lag_ns_samples" to each run, so
`bench --peers` computes percentiles exactly as it does for its own rows.
"""
import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import threading
import time

from peer_check import MessageCheck, send_repeated

SCHEMA = "loopbench.results/2"
KEPT_ERRORS = 5
# A repeat stops issuing requests after this many failures, as bench's own
# clients do: a dead server costs seconds, not requests x timeout.
MAX_FAILURES = 10
LAG_PERIOD_S = 0.05


class Job:
    """One repeat's work and its tally; safe to update from many threads."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.next_request = 0
        self.ok = 0
        self.failed = 0
        self.bytes = 0
        self.messages = 0
        self.connections = 0  # None: the library cannot tell
        self.errors = []
        self.latency_ns = []
        self.versions = {}  # responses by the HTTP version they came over ("1.1", "2")
        self.duration_s = None  # set by a peer whose tool times itself (h2load)

    def take_request(self):
        """The next request's index, or None when all are issued or the run gave up."""
        with self.lock:
            if self.next_request >= self.args.requests or self.failed >= MAX_FAILURES:
                return None
            self.next_request += 1
            return self.next_request - 1

    def record(self, started_ns, status, body_bytes, version=None, error=None):
        """Checks one response as bench does: the HTTP version asked (when the
        library tells which one the response came over), status 200 and the
        expected body length."""
        if version is not None:
            with self.lock:
                self.versions[version] = self.versions.get(version, 0) + 1
            if error is None and version != self.args.http_version:
                error = f"the server answered over HTTP/{version}, not HTTP/{self.args.http_version}"
        if error is None and status != 200:
            error = f"HTTP status {status}"
        if error is None and body_bytes != self.args.expected_bytes:
            error = f"body of {body_bytes} bytes, expected {self.args.expected_bytes}"
        with self.lock:
            if error is None:
                self.ok += 1
                self.bytes += body_bytes
                self.latency_ns.append(time.perf_counter_ns() - started_ns)
            else:
                self.fail(error)

    def fail(self, error):
        self.failed += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(f"{self.args.url}: {error}")


def http_arguments(description, modes):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--url", required=True, help="full URL to GET, e.g. http://127.0.0.1:8080/1k")
    p.add_argument("--mode", required=True, choices=modes)
    p.add_argument("--expected-bytes", type=int, required=True, help="body length to check")
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--threads", type=int, default=10)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--cacert", help="trust this PEM file for https://")
    p.add_argument("--insecure", action="store_true", help="do not verify https:// certificates")
    p.add_argument("--event-loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--http-version", choices=["1.1", "2"], default="1.1")
    p.add_argument("--streams", type=int, default=1, help="HTTP/2 streams per connection")
    _common_arguments(p)
    return p


def ws_arguments(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--url", required=True, help="ws(s)://HOST:PORT/ws of a /ws test server")
    p.add_argument("--mode", required=True, choices=["download", "upload", "concurrent"])
    p.add_argument("--total", type=int, required=True, help="payload bytes per direction")
    p.add_argument("--chunk", type=int, default=65536, help="bytes per message")
    p.add_argument("--cacert", help="trust this PEM file for wss://")
    p.add_argument("--insecure", action="store_true", help="do not verify wss:// certificates")
    p.add_argument("--event-loop", choices=["asyncio", "uvloop"], default="asyncio")
    _common_arguments(p)
    return p


def _common_arguments(p):
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request or idle")


def client_ssl_context(args):
    import ssl
    context = ssl.create_default_context(cafile=args.cacert)
    if args.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def verify_of(args):
    """The `verify` argument of requests-like libraries: a CA file, False, or True."""
    if args.insecure:
        return False
    return args.cacert or True


def run_async(args, main):
    """Runs coroutine function main() on the event loop the user chose."""
    if args.event_loop == "uvloop":
        import uvloop
        uvloop.install()
    return asyncio.run(main())


class LagProbe:
    """The health check of bench's loops, for asyncio: a 50 ms timer and how
    late it fires; start() inside the running loop, stop() before it ends."""

    def __init__(self):
        self.samples_ns = []
        self._task = None

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + LAG_PERIOD_S
            await asyncio.sleep(LAG_PERIOD_S)
            self.samples_ns.append(max(0, int((loop.time() - due) * 1e9)))

    async def stop(self):
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


def _spread(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _percentiles_us(samples_ns):
    s = sorted(samples_ns)

    def at(q):
        return s[min(len(s) - 1, int(q * len(s)))] / 1e3

    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "p999": at(0.999), "max": s[-1] / 1e3}


def _cpu_seconds():
    """User and system CPU of this process and of the children it waited for
    (a peer that runs a tool, such as h2load, counts the tool's CPU)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + children.ru_utime, me.ru_stime + children.ru_stime


def measure(args, run_once, describe):
    """Runs warm-up and counted repeats of run_once(job); prints the results
    document; returns the exit status (1 when anything failed).

    describe: the run's fixed fields (bench, client, loop, mode, ...)."""
    run = dict(describe)
    run["repeats"] = []
    latency, lag = [], []
    connections, errors, messages = 0, 0, []
    versions = {}
    for i in range(args.warmup + args.repeat):
        job = Job(args)
        before = _cpu_seconds()
        t0 = time.perf_counter()
        try:
            lag_ns = run_once(job) or []
        except Exception as e:  # a peer that fails midway is a failed row, not a traceback
            job.fail(f"{type(e).__name__}: {e}")
            lag_ns = []
        duration = job.duration_s or (time.perf_counter() - t0)
        used = _cpu_seconds()
        if job.connections is None:  # the library cannot tell
            connections = None
        elif connections is not None:
            connections += job.connections
        if job.failed:
            errors += job.failed
            messages += job.errors
            break
        if i < args.warmup:
            continue
        latency += job.latency_ns
        lag += lag_ns
        for version, n in job.versions.items():
            versions[version] = versions.get(version, 0) + n
        run["repeats"].append({
            "duration_s": duration, "bytes": job.bytes,
            "requests": job.ok if run["bench"] == "http" else job.messages,
            "cpu_user_s": used[0] - before[0],
            "cpu_sys_s": used[1] - before[1]})
    reps = run["repeats"]
    summary = {"errors": errors}
    if connections is not None:
        summary["connections"] = connections
    if reps:
        summary["duration_s"] = _spread([r["duration_s"] for r in reps])
        summary["bytes_per_s"] = _spread([r["bytes"] / r["duration_s"] for r in reps])
        summary["cpu_s_per_gib"] = _spread(
            [(r["cpu_user_s"] + r["cpu_sys_s"]) * (1 << 30) / max(r["bytes"], 1) for r in reps])
        if run["bench"] == "http":
            summary["req_per_s"] = _spread([r["requests"] / r["duration_s"] for r in reps])
            summary["cpu_us_per_req"] = _spread(
                [(r["cpu_user_s"] + r["cpu_sys_s"]) * 1e6 / max(r["requests"], 1) for r in reps])
    if versions:
        summary["http_versions"] = versions
    if latency:
        summary["latency_us"] = _percentiles_us(latency)
    if lag:
        summary["loop_lag_ms"] = {"p99": _percentiles_us(lag)["p99"] / 1e3, "max": max(lag) / 1e6}
    if messages:
        run["error_messages"] = messages
    run["summary"] = summary
    run["latency_ns_samples"] = latency
    run["loop_lag_ns_samples"] = lag
    doc = {"schema": SCHEMA,
           "tool": {"name": describe["client"], "version": describe.get("client_version", "")},
           "machine": {"python": sys.version.split()[0], "pid": os.getpid()},
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "runs": [run]}
    json.dump(doc, sys.stdout)
    sys.stdout.write("\n")
    return 1 if errors else 0


def _loop_of(args):
    """The row's loop: blocking clients have none of their own."""
    if args.mode in ("sync", "threads"):
        return "python-threads"
    return "python-" + args.event_loop


def http_run(args, client, version):
    """The fixed fields of an HTTP peer's run."""
    return {"bench": "http", "client": client, "client_version": version, "loop": _loop_of(args),
            "mode": args.mode, "size_bytes": args.expected_bytes, "tls": False,
            "params": {"url": args.url, "requests": args.requests,
                       "concurrency": args.concurrency if args.mode == "async" else 1,
                       "threads": args.threads if args.mode == "threads" else 1,
                       "repeat": args.repeat, "warmup": args.warmup}}


def ws_run(args, client, version):
    """The fixed fields of a WebSocket peer's run."""
    return {"bench": "ws", "client": client, "client_version": version, "loop": _loop_of(args),
            "mode": args.mode, "size_bytes": args.total, "tls": args.url.startswith("wss://"),
            "params": {"url": args.url, "total_bytes": args.total, "chunk_bytes": args.chunk,
                       "repeat": args.repeat, "warmup": args.warmup}}


def run_threads(job, session_factory, get_one):
    """The threads mode: T threads, each with its own session, sharing the
    N requests through Job.take_request (no busy-waiting)."""
    def worker(session):
        while job.take_request() is not None:
            get_one(job, session)

    sessions = [session_factory() for _ in range(job.args.threads)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sessions


def timed_get(job, fetch, errors):
    """One request of a blocking client: fetch() returns (status, body
    length) or (status, body length, HTTP version); exceptions of the types in `errors` count as failed requests."""
    started = time.perf_counter_ns()
    try:
        job.record(started, *fetch())
    except errors as e:
        job.record(started, 0, 0, error=f"{type(e).__name__}: {e}")


async def timed_get_async(job, fetch, errors):
    """timed_get for coroutine functions."""
    started = time.perf_counter_ns()
    try:
        job.record(started, *await fetch())
    except errors as e:
        job.record(started, 0, 0, error=f"{type(e).__name__}: {e}")


async def with_lag_probe(work):
    """Awaits work() with the health check running beside it; returns the
    loop lag samples."""
    lag = LagProbe()
    lag.start()
    try:
        await work()
    finally:
        await lag.stop()
    return lag.samples_ns


async def run_async_workers(job, fetch, errors):
    """The async mode: C workers in flight, each awaiting fetch() (see
    timed_get_async) until all N requests are issued; returns the loop lag
    samples."""
    async def worker():
        while job.take_request() is not None:
            await timed_get_async(job, fetch, errors)

    workers = min(job.args.concurrency, job.args.requests)
    return await with_lag_probe(lambda: asyncio.gather(*(worker() for _ in range(workers))))


async def guarded(work, progress, timeout):
    """Awaits the coroutine `work`, failing with TimeoutError when
    progress() (a count of messages, say) stays the same for `timeout`
    seconds: a stalled peer, not a long transfer, is an error."""
    task = asyncio.ensure_future(work)
    seen = progress()
    while True:
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if done:
            return task.result()
        if progress() == seen:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            raise TimeoutError(f"no progress for {timeout:g} s")
        seen = progress()


def ws_test_url(args):
    """The /ws test server's URL for this transfer."""
    return f"{args.url}?test={args.mode}&total={args.total}&chunk={args.chunk}"


async def ws_exchange(job, send_message, received):
    """One /ws transfer over an open connection: sends `total` bytes with
    send_message(payload) when the mode uploads, checks every payload that
    the async iterator `received` yields (it ends at the server's close),
    and fails after --timeout seconds without a message either way.
    Returns the MessageCheck for settle_ws."""
    a = job.args
    check = MessageCheck(a.total if a.mode != "upload" else 0, a.chunk)

    async def send(message):
        await send_message(message)
        job.messages += 1

    async def receive():
        async for payload in received:
            check.take(payload)
            job.messages += 1

    jobs = [receive()]
    if a.mode != "download":
        jobs.append(send_repeated(send, a.total, a.chunk))
    await guarded(asyncio.gather(*jobs), lambda: job.messages, a.timeout)
    return check


def settle_ws(job, check, close_code, close_reason):
    """Counts a finished WebSocket transfer: every message intact and a
    clean close (1000), or the reason it failed."""
    problem = check.verdict()
    if problem is None and close_code != 1000:
        problem = f"closed with {close_code} {close_reason}"
    if problem:
        job.fail(problem)
    else:
        job.bytes = check.got + (job.args.total if job.args.mode != "download" else 0)
