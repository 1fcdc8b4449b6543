"""`make bench` section `waiting`: runs that wait cost no scheduler slot and no scheduler time.

10,000 launches (SWEEP_BENCH_WAITING) each wait on a `signal` task with no timeout. Measured: the scheduler
processes' CPU over a few idle seconds with all of them waiting (and PostgreSQL's), and a fresh one-task launch's
latency (created to finished, the launch's own timestamps) before and with them waiting."""
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from stack import wait_until

WAITING = int(os.environ.get("SWEEP_BENCH_WAITING", "10000"))
FRESH = 30
IDLE_SECONDS = 5.0


def _t(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def fresh_latency(client):
    """Median and max of created -> finished of one-task launches, one after another (ms)."""
    samples = []
    for _ in range(FRESH):
        r = client.post("/api/v1/workflows/bench_one/launches", json={"wait": 30}, timeout=60)
        assert r.status_code == 200, r.text
        status = r.json()
        assert status["state"] == "succeeded", status["state"]
        samples.append((_t(status["finished_at"]) - _t(status["created_at"])) * 1000)
    return statistics.median(samples), max(samples)


def idle_cpu(stack, cpu_seconds):
    before = cpu_seconds(stack)
    time.sleep(IDLE_SECONDS)  # measuring an interval of idleness, not waiting for a condition
    after = cpu_seconds(stack)
    return {part: (after[part] - before[part]) / IDLE_SECONDS * 100 for part in before}


def run_waiting(stack, client, cpu_seconds):
    print(f"== waiting: {WAITING:,} launches each waiting on a signal; scheduler CPU idle, a fresh launch's latency", flush=True)
    assert client.post("/api/v1/workflows", json={"workflow_id": "bench_one", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201
    assert client.post("/api/v1/workflows", json={"workflow_id": "bench_approve", "tasks": [
        {"id": "approve", "type": "signal", "successors": [], "properties": {"position": "start"}}]}).status_code == 201
    # Limits are per user: the waiting launches count as in flight, so the admin lifts them for this user.
    stack.psql("INSERT INTO user_limits (user_id, max_launches_in_flight) SELECT id, 1000000 FROM users WHERE username = :'p1' "
               "ON CONFLICT (user_id) DO UPDATE SET max_launches_in_flight = 1000000", client.username)
    fresh_latency(client)  # warm-up: plans cached, connections open
    base_p50, base_max = fresh_latency(client)
    cpu_empty = idle_cpu(stack, cpu_seconds)

    started = time.monotonic()

    def launch(_):
        r = client.post("/api/v1/workflows/bench_approve/launches", json={}, timeout=60)
        assert r.status_code == 202, r.text
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(launch, range(WAITING)))
    wait_until(lambda: int(stack.psql("SELECT count(*) FROM task_runs WHERE state = 'waiting'")[0][0]) >= WAITING,
               timeout=600, interval=0.5, what="every launch waiting")
    made = time.monotonic() - started
    cpu_waiting = idle_cpu(stack, cpu_seconds)
    with_p50, with_max = fresh_latency(client)
    print(f"   {WAITING:,} waiting launches made in {made:.1f} s", flush=True)
    print(f"   scheduler CPU idle: {cpu_empty['schedulers']:.2f}% with none waiting, {cpu_waiting['schedulers']:.2f}% with {WAITING:,} waiting"
          f" (postgres {cpu_empty['postgres']:.2f}% -> {cpu_waiting['postgres']:.2f}%)", flush=True)
    print(f"   fresh one-task launch, created to finished: p50 {base_p50:.1f} ms (max {base_max:.1f}) without, "
          f"p50 {with_p50:.1f} ms (max {with_max:.1f}) with them waiting", flush=True)
    return {"waiting": WAITING, "made_seconds": made, "scheduler_cpu_pct_empty": cpu_empty["schedulers"],
            "scheduler_cpu_pct_waiting": cpu_waiting["schedulers"], "postgres_cpu_pct_empty": cpu_empty["postgres"],
            "postgres_cpu_pct_waiting": cpu_waiting["postgres"], "fresh_p50_ms_without": base_p50,
            "fresh_p50_ms_with": with_p50, "fresh_max_ms_without": base_max, "fresh_max_ms_with": with_max}
