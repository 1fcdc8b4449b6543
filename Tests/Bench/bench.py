"""make bench: throughput, chain latency and the database's physical limits, measured in one run on one machine.

Starts a private stack from the release binaries (PostgreSQL, API worker, schedulers, nginx) plus an nginx no-op
function that answers {} and logs when each call arrived and how long it took. Prints figures and ratios.
`--only SECTION` (throughput, latency, limits, sse, files, api, huge, call, waiting; repeatable) runs only those sections; the default runs all.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import ROOT, Stack, free_port, wait_until  # noqa: E402
from sse_bench import percentile, sse  # noqa: E402  (sse_bench: Tests/Integration has an sse.py)
from files_bench import files, static_server  # noqa: E402
from huge_bench import run_huge  # noqa: E402
from call_bench import run_call  # noqa: E402
from waiting_bench import run_waiting  # noqa: E402
from executors_bench import executors  # noqa: E402
from maintenance import vacuum_analyze  # noqa: E402

SECTIONS = ("throughput", "latency", "limits", "sse", "files", "api", "huge", "call", "waiting", "executors")

WIDTH = int(os.environ.get("SWEEP_BENCH_WIDTH", "20000"))
CHAIN = int(os.environ.get("SWEEP_BENCH_CHAIN", "200"))


def noop_server(port):
    """The HTTP function every throughput run calls: nginx answering {}. No access log: nothing read it, and its
    write per request was counted in the CPU per task run as nginx's share."""
    return f"""
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        access_log off;
        keepalive_requests 1000000;
        location / {{
            default_type application/json;
            return 200 '{{}}';
        }}
    }}
"""


def static_server(port, root):
    """A small static file served by the same nginx (same workers) as the API: the yardstick for API req/s."""
    return f"""
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        access_log off;
        root {root};
    }}
"""


def full_status(client, launch_id):
    return client.get("/api/v1/launches/" + launch_id, timeout=120).json()


def wait_launch(client, launch_id, timeout=600):
    """Waits on the launch summary, not the full status, and four times a second: the figures come from the launch's
    own timestamps, so watching more often would only take CPU from what is measured."""
    def done():
        items = client.get("/api/v1/launches", params={"limit": 5}).json()["items"]
        summary = next((l for l in items if l["launch_id"] == launch_id), None)
        return summary if summary and summary["state"] in ("succeeded", "failed", "cancelled") else None
    return wait_until(done, timeout=timeout, interval=0.25, what="launch end")


def cpu_seconds(stack):
    """CPU seconds used so far by each part of the stack, from /proc (PostgreSQL and nginx with their children)."""
    tick = os.sysconf("SC_CLK_TCK")
    procs = {}
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(path).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(path.split("/")[2])] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)

    def family(root):
        return sum(cpu for pid, (ppid, cpu) in procs.items() if pid == root or ppid == root)

    with open(os.path.join(stack.workdir, "pg", "pgdata", "postmaster.pid")) as f:
        postmaster = int(f.readline())
    with open(os.path.join(stack.workdir, "nginx.pid")) as f:
        nginx = int(f.read().strip())
    return {"postgres": family(postmaster), "schedulers": sum(procs.get(p.pid, (0, 0))[1] for p in stack.schedulers),
            "nginx": family(nginx), "api": sum(procs.get(p.pid, (0, 0))[1] for p in stack.workers)}


def throughput(stack, client, schedulers):
    # Each measurement starts from the same state: the previous one's dead rows vacuumed and statistics current,
    # so autovacuum does not clean up after the 1-scheduler run on the 2-scheduler run's time.
    vacuum_analyze(stack)
    wf = f"scatter_{schedulers}"
    assert client.post("/api/v1/workflows", json={"workflow_id": wf, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "scatter": "launch_input['items']"}}]}).status_code == 201
    cpu_before = cpu_seconds(stack)
    started = time.monotonic()
    r = client.post(f"/api/v1/workflows/{wf}/launches", json={"input": {"items": list(range(WIDTH))}}, timeout=120)
    assert r.status_code == 202, r.text
    status = wait_launch(client, r.json()["launch_id"])
    wall = time.monotonic() - started
    assert status["state"] == "succeeded", status["state"]
    runs = status["progress"]["total"]
    assert runs == WIDTH, runs
    from datetime import datetime
    t0 = datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
    t1 = datetime.fromisoformat(status["finished_at"].replace("Z", "+00:00"))
    seconds = (t1 - t0).total_seconds()
    cpu_after = cpu_seconds(stack)
    per_run = {part: (cpu_after[part] - cpu_before[part]) / runs * 1e6 for part in cpu_before}
    return runs / seconds, seconds, wall, per_run


def chain(stack, client):
    tasks = []
    for i in range(1, CHAIN + 1):
        task = {"id": str(i), "execution_configurations": [{"function_def_id": "noop", "priority": 1}],
                "successors": [str(i + 1)] if i < CHAIN else []}
        if i == 1:
            task["properties"] = {"position": "start"}
        tasks.append(task)
    assert client.post("/api/v1/workflows", json={"workflow_id": "chain", "tasks": tasks}).status_code == 201
    r = client.post("/api/v1/workflows/chain/launches", json={}, timeout=60)
    status = wait_launch(client, r.json()["launch_id"])
    assert status["state"] == "succeeded"
    # A run ends when its result reaches the scheduler (finished_at, the scheduler's clock, microseconds); its
    # successor starts when a scheduler claims it (started_at, the database's clock on the same machine).
    from datetime import datetime
    t = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    runs = {int(r["run_id"]): r for r in full_status(client, status["launch_id"])["tasks"]}
    gaps = [(t(runs[i + 1]["started_at"]) - t(runs[i]["finished_at"])) * 1000 for i in range(1, CHAIN)]
    return gaps


def pgbench(url, script, clients, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    out = subprocess.check_output(["pgbench", "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds),
                                   "-f", f.name, url], text=True, stderr=subprocess.STDOUT)
    tps = latency = None
    for line in out.splitlines():
        if line.startswith("tps ="):
            tps = float(line.split()[2])
        if line.startswith("latency average ="):
            latency = float(line.split()[3])
    return tps, latency


def physical_limits(url):
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"], check=True, text=True, input="""
        DROP TABLE IF EXISTS bench_commit; CREATE TABLE bench_commit (id int PRIMARY KEY, n bigint);
        INSERT INTO bench_commit VALUES (1, 0);
        DROP TABLE IF EXISTS bench_jobs; CREATE TABLE bench_jobs (id bigserial PRIMARY KEY, state text NOT NULL);
        INSERT INTO bench_jobs (state) SELECT 'ready' FROM generate_series(1, 1500000);
        CREATE INDEX ON bench_jobs (id) WHERE state = 'ready';
        VACUUM ANALYZE bench_jobs;""")
    _, commit_ms = pgbench(url, "UPDATE bench_commit SET n = n + 1 WHERE id = 1;\n", 1, 5)
    claim = """WITH c AS (SELECT id FROM bench_jobs WHERE state = 'ready' ORDER BY id LIMIT {n} FOR UPDATE SKIP LOCKED)
UPDATE bench_jobs SET state = 'done' FROM c WHERE bench_jobs.id = c.id;
"""
    tps1, _ = pgbench(url, claim.format(n=1), 8, 5)
    tps100, _ = pgbench(url, claim.format(n=100), 8, 5)
    subprocess.check_call(["psql", url, "-q", "-c", "DROP TABLE bench_commit; DROP TABLE bench_jobs;"])
    return commit_ms, tps1, tps100


def run_throughput(stack, client):
    results = {}
    print(f"== throughput: scatter over {WIDTH} elements into an HTTP no-op (nginx answering {{}})", flush=True)
    results["throughput_1"] = throughput(stack, client, 1)
    print(f"   1 scheduler : {results['throughput_1'][0]:8.0f} task runs/s  ({results['throughput_1'][1]:.2f} s launch to end)", flush=True)
    print_cpu(results["throughput_1"][3])
    stack.start_scheduler()
    results["throughput_2"] = throughput(stack, client, 2)
    print(f"   2 schedulers: {results['throughput_2'][0]:8.0f} task runs/s  ({results['throughput_2'][1]:.2f} s launch to end)", flush=True)
    print_cpu(results["throughput_2"][3])
    return results


def print_cpu(per_run):
    """Where each task run's CPU went, launch to end, and the rate that budget allows if every core did nothing else."""
    total = sum(per_run.values())
    cores = os.cpu_count()
    parts = ", ".join(f"{part} {us:.0f}" for part, us in sorted(per_run.items(), key=lambda kv: -kv[1]))
    print(f"      CPU per task run (us): {parts}; total {total:.0f} -> at most {cores * 1e6 / total:,.0f} runs/s on {cores} cores", flush=True)


def run_latency(stack, client):
    results = {}
    print(f"== latency: {CHAIN}-task linear chain, gap from a run's end (result received) to its successor's start (claimed)", flush=True)
    gaps = chain(stack, client)
    results["gap_p50"], results["gap_p99"] = percentile(gaps, 0.5), percentile(gaps, 0.99)
    print(f"   p50 {results['gap_p50']:.3f} ms   p99 {results['gap_p99']:.3f} ms   ({len(gaps)} edges)", flush=True)
    return results


def run_limits(stack, results):
    """The database's physical limits, then the ratios against whatever the earlier sections measured."""
    print("== physical limits on the same database", flush=True)
    commit_ms, tps1, tps100 = physical_limits(stack.owner_url)
    print(f"   single-client commit round trip: {commit_ms:.3f} ms", flush=True)
    print(f"   pgbench claim, 1 row per transaction (8 clients):   {tps1:8.0f} tx/s = {tps1:8.0f} rows/s", flush=True)
    print(f"   pgbench claim, 100 rows per transaction (8 clients): {tps100:8.0f} tx/s = {tps100 * 100:8.0f} rows/s", flush=True)

    if "throughput_1" in results and "gap_p50" in results:
        print("== ratios (targets: >= 10,000 runs/s; chain p50 <= 1.5x commit, p99 <= 5x commit)", flush=True)
        best = max(results["throughput_1"][0], results["throughput_2"][0])
        print(f"   throughput best / target      : {best / 10000:.2f}", flush=True)
        print(f"   chain p50 / commit round trip : {results['gap_p50'] / commit_ms:.2f}", flush=True)
        print(f"   chain p99 / commit round trip : {results['gap_p99'] / commit_ms:.2f}", flush=True)
    return dict(commit_ms=commit_ms, claim1_rows=tps1, claim100_rows=tps100 * 100)


def wrk(url, seconds, headers=(), connections=64):
    """Requests per second and latency percentiles (ms) from wrk, 2 threads; fails on any non-2xx answer."""
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args + [url], check=True, capture_output=True, text=True).stdout
    assert "Non-2xx" not in out, out
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec:")))
    def ms(label):
        line = next(l for l in out.splitlines() if l.strip().startswith(label))
        value = line.split()[1]
        for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1000.0)):
            if value.endswith(unit):
                return float(value[:-len(unit)]) * scale
        return float(value)
    return rps, ms("50%"), ms("99%")


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run_api(stack, client, static_url):
    """API requests per second beside nginx serving a static file, measured one after the other in this run (the
    ratios matter: the machine may be shared), and the status of a 10,000-run launch."""
    width = int(os.environ.get("SWEEP_BENCH_STATUS_RUNS", "10000"))
    seconds = int(os.environ.get("SWEEP_BENCH_API_SECONDS", "5"))
    assert client.post("/api/v1/workflows", json={"workflow_id": "api_status", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "scatter": "launch_input['items']"}}]}).status_code == 201
    r = client.post("/api/v1/workflows/api_status/launches", json={"input": {"items": list(range(width))}}, timeout=120)
    launch_id = r.json()["launch_id"]
    assert wait_launch(client, launch_id)["state"] == "succeeded"
    vacuum_analyze(stack)
    status_path = "/api/v1/launches/" + launch_id
    # One request at a time first: the answer's time and size for a single client.
    singles = []
    for _ in range(20):
        started = time.monotonic()
        body = client.get(status_path, timeout=30).content
        singles.append((time.monotonic() - started) * 1000)
    auth = "Authorization: Bearer " + client.key
    print(f"== api: wrk, 2 threads, 64 connections, {seconds} s each; load average before {load_average()}", flush=True)
    results = {}
    for name, url, headers in [("static", static_url, ()), ("health", stack.url + "/api/v1/health", ()),
                               ("me", stack.url + "/api/v1/me", (auth,)),
                               (f"launch status ({width} runs)", stack.url + status_path, (auth,))]:
        results[name] = wrk(url, seconds, headers)
        rps, p50, p99 = results[name]
        ratio = rps / results["static"][0]
        print(f"   {name:28s} {rps:9.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ratio to static {ratio:.3f}", flush=True)
    status_key = f"launch status ({width} runs)"
    print(f"   {status_key}, one client: p50 {percentile(singles, 0.5):.2f} ms, {len(body) / 1e6:.2f} MB "
          f"(targets <= 20 ms, <= 1 MB); load average after {load_average()}", flush=True)
    print(f"== ratios (target: /me >= 0.35 of static)", flush=True)
    print(f"   /me / static: {results['me'][0] / results['static'][0]:.3f}   health / static: "
          f"{results['health'][0] / results['static'][0]:.3f}   launch status / static: {results[status_key][0] / results['static'][0]:.3f}", flush=True)
    return {"api": {k: list(v) for k, v in results.items()}, "status_single_ms_p50": percentile(singles, 0.5), "status_bytes": len(body)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    only = set(parser.parse_args().only or SECTIONS)
    bin_dir = subprocess.check_output(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, text=True).strip()
    noop_port = free_port()
    workdir = tempfile.mkdtemp(prefix="sweep-bench-", dir=os.environ.get("SWEEP_TEST_OUTPUT"))
    os.chmod(workdir, 0o755)
    os.environ.setdefault("SWEEP_LOG_LEVEL", "warning")
    os.environ["SWEEP_NGINX_ACCESS_LOG"] = "off"
    static_port = free_port()
    static_dir = os.path.join(workdir, "static")
    os.makedirs(static_dir, mode=0o755)
    with open(os.path.join(static_dir, "me.json"), "w") as f:
        f.write('{"username":"bench","is_admin":false}')
    stack = Stack(bin_dir=bin_dir, workdir=workdir, worker_threads=8,
                  extra_nginx=noop_server(noop_port) + static_server(static_port, static_dir))
    results = {}
    try:
        stack.start(schedulers=1)
        client = stack.create_user("bench")
        assert client.post("/api/v1/destinations", json={"id": "nginx", "cloud_provider": "http",
                                                          "base_url": f"http://127.0.0.1:{noop_port}/"}).status_code == 201
        assert client.post("/api/v1/functions", json={"id": "noop", "destination_id": "nginx", "function_name": "noop"}).status_code == 201

        if "throughput" in only:
            results.update(run_throughput(stack, client))
        if "latency" in only:
            results.update(run_latency(stack, client))
        if "limits" in only:
            results.update(run_limits(stack, results))
        if "sse" in only:
            results["sse"] = sse(stack)
        if "files" in only:
            results["files"] = files(stack, client, static_dir, static_port)
        if "api" in only:
            results.update(run_api(stack, client, f"http://127.0.0.1:{static_port}/me.json"))
        if "huge" in only:
            results.update(run_huge(stack, client, wait_launch, cpu_seconds))
        if "call" in only:
            results.update(run_call(stack, client))
        if "waiting" in only:
            results["waiting"] = run_waiting(stack, client, cpu_seconds)
        if "executors" in only:
            results["executors"] = executors(stack, client, results)
        with open(os.path.join(workdir, "bench.json"), "w") as f:
            json.dump(results, f, indent=2)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
