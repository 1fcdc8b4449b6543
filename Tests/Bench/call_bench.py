"""make bench --only call: foreground `/call` of a backend workflow (issue 15) -- a 3-task chain of no-op HTTP
functions -- with 64 concurrent callers (requests per second, p50/p99 latency), beside PostgreSQL's single-client
commit time (each call is a few commits: the launch, three runs' claims and results); then 1,000 calls waiting at
once on the one worker (parked, no thread each), which must all answer 200."""
import concurrent.futures
import os
import subprocess
import tempfile
import threading
import time

import requests

from sse_bench import percentile

CALLERS = int(os.environ.get("SWEEP_BENCH_CALL_CALLERS", "64"))
SECONDS = float(os.environ.get("SWEEP_BENCH_CALL_SECONDS", "15"))
BURST = int(os.environ.get("SWEEP_BENCH_CALL_BURST", "1000"))
SEQUENTIAL = int(os.environ.get("SWEEP_BENCH_CALL_SEQUENTIAL", "200"))


def commit_ms(url):
    """pgbench, one client, one single-row UPDATE per transaction: the commit (WAL flush) time of this machine."""
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    "DROP TABLE IF EXISTS bench_call_commit; CREATE TABLE bench_call_commit (id int PRIMARY KEY, n bigint);"
                    " INSERT INTO bench_call_commit VALUES (1, 0);"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("UPDATE bench_call_commit SET n = n + 1 WHERE id = 1;\n")
    out = subprocess.check_output(["pgbench", "-n", "-c", "1", "-T", "5", "-f", f.name, url], text=True, stderr=subprocess.STDOUT)
    subprocess.run(["psql", url, "-q", "-c", "DROP TABLE bench_call_commit"], check=True)
    return next(float(line.split()[3]) for line in out.splitlines() if line.startswith("latency average ="))


def register(client):
    tasks = []
    for i in range(1, 4):
        task = {"id": str(i), "execution_configurations": [{"function_def_id": "noop", "priority": 1}],
                "successors": [str(i + 1)] if i < 3 else [], "properties": {}}
        if i == 1:
            task["properties"]["position"] = "start"
        tasks.append(task)
    r = client.post("/api/v1/workflows", json={"workflow_id": "call3", "tasks": tasks,
                                               "request": {"url_params": [{"name": "n", "type": "integer", "default": 0}]}})
    assert r.status_code == 201, r.text


def session(size, key):
    s = requests.Session()
    s.mount("http://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=size))
    s.headers["Authorization"] = "Bearer " + key
    return s


def run_call(stack, client):
    print(f"== call: foreground /call of a 3-task chain of no-op HTTP functions, {CALLERS} concurrent callers for {SECONDS:.0f} s",
          flush=True)
    register(client)
    url = f"{client.url}/api/v1/workflows/call3/call"
    # One caller at a time first: the latency of a call on its own, with nothing queued in front of it.
    single = session(1, client.key)
    sequential = []
    for n in range(SEQUENTIAL):
        started = time.monotonic()
        r = single.post(url, params={"n": n}, json={"caller": 0}, timeout=120)
        assert r.status_code == 200, r.text
        sequential.append((time.monotonic() - started) * 1000)
    http = session(CALLERS, client.key)
    latencies, failures = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def caller(index):
        n = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            r = http.post(url, params={"n": n}, json={"caller": index}, timeout=120)
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                (latencies if r.status_code == 200 else failures).append(elapsed if r.status_code == 200 else r.status_code)
            n += 1

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CALLERS) as pool:
        list(pool.map(caller, range(CALLERS)))
    wall = time.monotonic() - started
    commit = commit_ms(stack.owner_url)
    results = {"call_rps": len(latencies) / wall, "call_p50_ms": percentile(latencies, 0.5), "call_p99_ms": percentile(latencies, 0.99),
               "call_failures": len(failures), "commit_ms": commit,
               "single_p50_ms": percentile(sequential, 0.5), "single_p99_ms": percentile(sequential, 0.99)}
    print(f"   {results['call_rps']:.1f} calls/s   p50 {results['call_p50_ms']:.1f} ms   p99 {results['call_p99_ms']:.1f} ms"
          f"   ({len(latencies)} calls, {len(failures)} not 200)   single-client commit {commit:.3f} ms", flush=True)
    print(f"   one caller at a time: p50 {results['single_p50_ms']:.1f} ms   p99 {results['single_p99_ms']:.1f} ms   ({len(sequential)} calls)",
          flush=True)
    assert not failures, failures[:5]

    print(f"== call: {BURST} foreground calls waiting at once on one worker ({stack.worker_threads} request threads)", flush=True)
    burst = session(BURST, client.key)
    barrier = threading.Barrier(BURST)

    def one(i):
        barrier.wait()
        return burst.post(url, json={"burst": i}, timeout=300).status_code

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(one, range(BURST)))
    seconds = time.monotonic() - started
    ok = statuses.count(200)
    results.update(burst_calls=BURST, burst_ok=ok, burst_seconds=seconds)
    print(f"   {ok}/{BURST} answered 200 in {seconds:.1f} s", flush=True)
    assert ok == BURST, {s: statuses.count(s) for s in set(statuses)}
    return {"call": results}
