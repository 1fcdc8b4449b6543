"""The SSE section of make bench: many concurrent event streams on one worker while launches run.

Opens STREAMS streams (`GET /api/v1/events`, raw HTTP/1.0 over TCP to nginx, asyncio) spread over USERS users,
then starts one launch per user whose single local task prints a `::progress::` line every TICK seconds for about
SECONDS seconds (SWEEP_LOCAL_EXEC=1, set by the Stack). Every stream receives all of its user's events.

Measures: event delivery latency (client receive time minus the event's `ts`, the database's clock_timestamp() at
insert, same machine clock; the receive time is the kernel's, SO_TIMESTAMPNS on each read, and the time this one
asyncio loop got round to the bytes is printed beside it: at the launches' start it had up to a thousand sockets
ready at once and took 25-140 ms to go through them, which was most of the p99), the worker's VmRSS and thread count from /proc/<pid>/status with 0 and with STREAMS
streams open, and whether every stream got every event of its user.
"""
import asyncio
import json
import os
import resource
import socket
import struct
import time
from datetime import datetime

STREAMS = int(os.environ.get("SWEEP_BENCH_SSE_STREAMS", "2000"))
USERS = int(os.environ.get("SWEEP_BENCH_SSE_USERS", "20"))
SECONDS = float(os.environ.get("SWEEP_BENCH_SSE_SECONDS", "60"))
TICK = float(os.environ.get("SWEEP_BENCH_SSE_TICK", "0.25"))
OPEN_CONCURRENCY = 100  # streams being opened at once (the FastCGI listen backlog is 1024)
ENDS = {"launch.succeeded", "launch.failed", "launch.cancelled"}


def proc_status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            values[key] = value.strip()
    return {"rss_mb": int(values["VmRSS"].split()[0]) / 1024, "threads": int(values["Threads"])}


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def nginx_workers(stack):
    with open(os.path.join(stack.workdir, "nginx.pid")) as f:
        master = int(f.read())
    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        workers.append(int(entry))
            except OSError:
                pass
    return workers


class CPU:
    """CPU time used by the worker, nginx's workers and this client between start() and stop()."""

    def __init__(self, stack, worker_pid):
        self.pids = {"worker": [worker_pid], "nginx": nginx_workers(stack)}

    def sample(self):
        values = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.pids.items()}
        t = os.times()
        values["client"] = t.user + t.system
        return values

    def start(self):
        self.begin, self.began = self.sample(), time.monotonic()

    def stop(self):
        end, wall = self.sample(), time.monotonic() - self.began
        return {name: (end[name] - self.begin[name]) / wall * 100 for name in end}


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Timestamps:
    """`ts` of each event id, parsed once (every event reaches about STREAMS / USERS streams)."""

    def __init__(self):
        self.by_id = {}

    def get(self, event_id, data):
        ts = self.by_id.get(event_id)
        if ts is None:
            text = json.loads(data)["ts"]
            ts = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
            self.by_id[event_id] = ts
        return ts


SO_TIMESTAMPNS = 35  # Linux; socket.SO_TIMESTAMPNS is not in every Python build


class SSEStream:
    """One stream: sends the request, checks the status line, splits SSE frames and records receive times. Reads with
    recvmsg for the kernel's receive timestamp (TCP gives that of the last segment a read took, SO_TIMESTAMPNS), so
    the figure is when the bytes reached this machine's socket, not when this loop reached them."""

    def __init__(self, path, host, key, user, stats, timestamps):
        # HTTP/1.0: nginx streams the body as is (no chunked framing inside the SSE bytes) and closes at the end.
        self.request = (f"GET {path} HTTP/1.0\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
                        f"Authorization: Bearer {key}\r\n\r\n").encode()
        self.user = user
        self.stats = stats
        self.timestamps = timestamps
        self.buffer = b""
        self.headers_done = False
        self.connected = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.ids = []         # event ids received, in order
        self.ended = False    # got its user's launch end event
        self.sock = None
        self.loop = asyncio.get_running_loop()

    async def open(self, host, port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        self.sock = sock
        try:
            await self.loop.sock_connect(sock, (host, port))
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            await self.loop.sock_sendall(sock, self.request)
        except OSError as error:
            self.close(error)
            raise
        self.loop.add_reader(sock.fileno(), self.readable)

    def readable(self):
        try:
            data, ancillary, _, _ = self.sock.recvmsg(65536, 64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            return self.close(error)
        if not data:
            return self.close(None)
        now = time.time()
        received = now
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                seconds, nanoseconds = struct.unpack("qq", value[:16])
                received = seconds + nanoseconds / 1e9
        self.data_received(data, received, now)

    def data_received(self, data, received, now):
        self.buffer += data
        if not self.headers_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
            status = head.split("\r\n", 1)[0]
            if " 200 " not in status + " ":
                self.fail(status)
                return
            self.headers_done = True
        # A frame ends at a blank line; only `id:`, `event:`, `data:` and the `: connected` comment matter here.
        while True:
            end = self.buffer.find(b"\n\n")
            if end < 0:
                break
            frame, self.buffer = self.buffer[:end], self.buffer[end + 2:]
            event_id = event = data_line = None
            for line in frame.split(b"\n"):
                line = line.rstrip(b"\r")
                if line.startswith(b"id: "):
                    event_id = int(line[4:])
                elif line.startswith(b"event: "):
                    event = line[7:].decode()
                elif line.startswith(b"data: "):
                    data_line = line[6:]
                elif line.startswith(b": connected"):
                    if not self.connected.done():
                        self.connected.set_result(True)
            if event_id is not None and data_line is not None:
                self.ids.append(event_id)
                ts = self.timestamps.get(event_id, data_line)
                self.stats.latencies.append(received - ts)
                self.stats.processed.append(now - ts)
                self.stats.by_type.setdefault(event, []).append(received - ts)
                first = self.stats.first.get(event_id)
                if first is None or received < first:
                    self.stats.first[event_id] = received
                    self.stats.first_latency[event_id] = received - ts
                if event in ENDS:
                    self.stats.launch_ends[self.user] = self.stats.launch_ends.get(self.user, 0) + 1
                    self.ended = True

    def fail(self, why):
        if not self.connected.done():
            self.connected.set_exception(ConnectionError(why))
        self.close(ConnectionError(why))

    def close(self, exc=None):
        if self.sock is not None and self.sock.fileno() >= 0:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
        if not self.connected.done():
            self.connected.set_exception(ConnectionError(f"closed before connected: {exc}"))
        if not self.closed.done():
            self.closed.set_result(exc)


class Stats:
    def __init__(self):
        self.latencies = []       # kernel receive time minus ts, every delivery
        self.processed = []       # the time this loop parsed it minus ts
        self.by_type = {}         # event type -> latencies
        self.launch_ends = {}
        self.first = {}           # event id -> earliest receive time over all streams
        self.first_latency = {}   # event id -> that receive time minus ts (the path before the fan-out)


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def setup_users(stack, steps):
    """USERS users, each with a local container and a workflow of one task ticking `steps` progress lines."""
    script = (f"i=0; while [ $i -lt {steps} ]; do echo \"::progress::$((i * 100 / {steps})) tick $i\"; "
              f"sleep {TICK}; i=$((i + 1)); done")
    clients = []
    for n in range(USERS):
        client = stack.create_user(f"sse{n}")
        from sweep_fixtures import register_demo_container  # Tests/Integration, on the path bench.py sets
        register_demo_container(client, "c")  # the task runs in the busybox demo image (podman)
        assert client.post("/api/v1/workflows", json={"workflow_id": "ticker", "tasks": [
            {"id": "1", "execution_configurations": [{"container_def_id": "c", "priority": 1}], "successors": [],
             "properties": {"position": "start", "command": ["sh", "-c", script]}}]}).status_code == 201
        clients.append(client)
    return clients


async def run_streams(stack, clients, worker_pid):
    loop = asyncio.get_running_loop()
    host, port = "127.0.0.1", stack.port
    stats, timestamps = Stats(), Timestamps()
    streams = []
    gate = asyncio.Semaphore(OPEN_CONCURRENCY)
    failures = []

    async def open_one(i):
        user = i % len(clients)
        async with gate:
            try:
                proto = SSEStream("/api/v1/events", f"{host}:{port}", clients[user].key, user, stats, timestamps)
                await proto.open(host, port)
                await asyncio.wait_for(proto.connected, 30)
                streams.append(proto)
            except Exception as error:  # noqa: BLE001 - counted and reported
                failures.append(repr(error))

    opened_at = time.monotonic()
    await asyncio.gather(*(open_one(i) for i in range(STREAMS)))
    open_seconds = time.monotonic() - opened_at
    await asyncio.sleep(1)
    with_streams = proc_status(worker_pid)

    # One launch per user, all at once; every stream of that user sees every one of its events.
    launches = await asyncio.gather(*(loop.run_in_executor(None, lambda c=c: c.post("/api/v1/workflows/ticker/launches", json={}))
                                      for c in clients))
    assert all(r.status_code == 202 for r in launches), [r.text for r in launches if r.status_code != 202]
    started = time.monotonic()
    cpu = CPU(stack, worker_pid)
    cpu.start()
    peak = dict(with_streams)
    deadline = started + SECONDS + 60
    while time.monotonic() < deadline and not all(s.ended for s in streams):
        await asyncio.sleep(1)
        sample = proc_status(worker_pid)
        peak = {k: max(peak[k], sample[k]) for k in peak}
    held = time.monotonic() - started + open_seconds
    cpu_percent = cpu.stop()
    alive = sum(1 for s in streams if not s.closed.done())
    for s in streams:
        s.close()

    # Completeness: each stream must have every event id its user's streams saw, in order, once each.
    per_user = {}
    for s in streams:
        per_user.setdefault(s.user, set()).update(s.ids)
    incomplete = sum(1 for s in streams if s.ids != sorted(per_user[s.user]))
    return {
        "streams": len(streams), "open_failures": failures, "open_seconds": open_seconds, "held_seconds": held,
        "alive_at_end": alive, "ended": sum(1 for s in streams if s.ended), "incomplete": incomplete,
        "events": len(timestamps.by_id), "deliveries": len(stats.latencies),
        "latencies_ms": [x * 1000 for x in stats.latencies], "processed_ms": [x * 1000 for x in stats.processed],
        "by_type_ms": {t: [x * 1000 for x in v] for t, v in stats.by_type.items()}, "with_streams": with_streams, "peak": peak,
        "cpu_percent": cpu_percent, "first_ms": [x * 1000 for x in stats.first_latency.values()],
    }


def sse(stack):
    """Runs the section and prints it; returns the figures for bench.json."""
    limit = raise_nofile()
    worker_pid = stack.workers[0].pid
    steps = max(1, int(SECONDS / TICK))
    print(f"== SSE: {STREAMS} streams on one worker ({USERS} users x {STREAMS // USERS}), one launch per user "
          f"ticking a progress event every {TICK} s for about {SECONDS:.0f} s", flush=True)
    clients = setup_users(stack, steps)
    time.sleep(1)
    idle = proc_status(worker_pid)
    result = asyncio.run(run_streams(stack, clients, worker_pid))
    time.sleep(2)
    after = proc_status(worker_pid)
    lat = result.pop("latencies_ms")
    processed = result.pop("processed_ms")
    by_type = result.pop("by_type_ms")
    failures = result.pop("open_failures")
    p50 = percentile(lat, 0.5) if lat else float("nan")
    p99 = percentile(lat, 0.99) if lat else float("nan")
    worst = max(lat) if lat else float("nan")
    first = result.pop("first_ms")
    ws, peak = result["with_streams"], result["peak"]
    print(f"   streams open: {result['streams']}/{STREAMS} in {result['open_seconds']:.1f} s, held {result['held_seconds']:.0f} s"
          f" (client open-file limit {limit}); open failures {len(failures)}"
          + (f" (first: {failures[0]})" if failures else ""), flush=True)
    print(f"   events: {result['events']} committed, {result['deliveries']} deliveries; streams that saw their launch end:"
          f" {result['ended']}/{result['streams']}; streams missing events: {result['incomplete']};"
          f" closed early: {result['streams'] - result['alive_at_end']}", flush=True)
    print(f"   delivery latency (ts at insert -> received): p50 {p50:.2f} ms   p99 {p99:.2f} ms   max {worst:.1f} ms", flush=True)
    print(f"   the same, at the time this client's loop parsed it: p50 {percentile(processed, 0.5):.2f} ms   p99 {percentile(processed, 0.99):.2f} ms"
          f"   max {max(processed):.1f} ms", flush=True)
    print("   by event type (p50 / p99 ms, deliveries): " + ", ".join(
        f"{t} {percentile(v, 0.5):.1f} / {percentile(v, 0.99):.1f} ({len(v)})" for t, v in sorted(by_type.items(), key=lambda kv: -len(kv[1]))), flush=True)
    print(f"   first stream to receive each event:           p50 {percentile(first, 0.5):.2f} ms   p99 {percentile(first, 0.99):.2f} ms"
          f"   (the rest is the fan-out to {STREAMS // USERS} streams per user)", flush=True)
    print(f"   worker VmRSS: {idle['rss_mb']:.1f} MB with 0 streams, {ws['rss_mb']:.1f} MB with {result['streams']}"
          f" (peak {peak['rss_mb']:.1f} MB)", flush=True)
    print(f"   worker threads: {idle['threads']} with 0 streams, {ws['threads']} with {result['streams']}"
          f" (peak {peak['threads']}), {after['threads']} after they closed", flush=True)
    cpu = result["cpu_percent"]
    print(f"   CPU while the launches ran (% of one core): worker {cpu['worker']:.0f}, nginx workers {cpu['nginx']:.0f},"
          f" this client {cpu['client']:.0f}; host load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    print("== SSE targets: p99 < 100 ms, RSS < 200 MB, threads independent of the number of streams", flush=True)
    print(f"   p99 / 100 ms: {p99 / 100:.2f}   peak RSS / 200 MB: {peak['rss_mb'] / 200:.2f}   "
          f"threads with streams - without: {peak['threads'] - idle['threads']:+d}", flush=True)
    return dict(result, sse_p50_ms=p50, sse_p99_ms=p99, sse_max_ms=worst, idle=idle, after=after,
                open_failures=len(failures))
