"""The executors section of make bench (issue 14): remote executors pulling work through the API.

- Assignment throughput: a launch of RUNS runs of an executor type, claimed by CLAIMERS executors at once with
  batches of 100 (`POST /api/v1/executors/{id}/assignments` with `max: 100`), then their results reported by
  REPORTERS threads (`POST /api/v1/run/result`); assignments/s and results/s, beside the scheduler's runs/s.
- Idle cost: IDLE executors long-polling at once (`wait: 60`, parked in the worker) with nothing to do; the
  database's transactions per second (pg_stat_database.xact_commit deltas over WINDOW seconds, inside one long-poll
  period) with and without them. Parked requests are re-checked every few seconds; the executors' work board makes
  a re-check sweep one query for all of them, so the difference should be about zero. (Each long-poll that ends
  empty costs two transactions when the executor asks again: its last_seen_at and a claim; at `wait: 60` that is
  2 per executor per minute.)
"""
import asyncio
import concurrent.futures
import json
import os
import time

import requests

RUNS = int(os.environ.get("SWEEP_BENCH_EXECUTOR_RUNS", "5000"))
CLAIMERS = int(os.environ.get("SWEEP_BENCH_EXECUTOR_CLAIMERS", "4"))
REPORTERS = int(os.environ.get("SWEEP_BENCH_EXECUTOR_REPORTERS", "8"))
IDLE = int(os.environ.get("SWEEP_BENCH_IDLE_EXECUTORS", "1000"))
WINDOW = float(os.environ.get("SWEEP_BENCH_IDLE_WINDOW", "20"))
STATUSES = {}  # answers by status
REFUSED = [0]  # long-polls answered 429 (the worker's parked-request capacity, SWEEP_MAX_PARKED_REQUESTS)


def commits(stack):
    return int(stack.psql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")[0][0])


def touched(stack):
    """Executor rows updated so far: each long-poll's arrival touches its executor's last_seen_at once."""
    return int(stack.psql("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'executors'")[0][0])


def commit_rate(stack, seconds):
    """Transactions committed per second over `seconds` (minus the two probes' own)."""
    before = commits(stack)
    time.sleep(seconds)
    return max(0, commits(stack) - before - 1) / seconds


def throughput(stack, client):
    assert client.post("/api/v1/workflows", json={"workflow_id": "bench_executor", "tasks": [
        {"id": "w", "execution_configurations": [{"executor_type": "bench-executor", "function": "noop", "priority": 1}],
         "successors": [], "properties": {"position": "start", "static_input": {"items": list(range(RUNS))},
                                          "scatter": "static_input['items']"}}]}).status_code == 201
    executors = [client.post("/api/v1/executors", json={"name": f"claimer-{i}", "type": "bench-executor"}).json()["id"]
                 for i in range(CLAIMERS)]
    launch_id = client.post("/api/v1/workflows/bench_executor/launches", json={}).json()["launch_id"]
    # Every run scheduled before the clock starts: the claims, not the planning, are measured.
    deadline = time.monotonic() + 300
    while int(stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1'::uuid AND state = 'scheduled'", launch_id)[0][0]) < RUNS:
        assert time.monotonic() < deadline, "runs were not scheduled"
        time.sleep(0.2)

    def claim_all(executor_id):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + client.key
        items = []
        while True:
            batch = session.post(f"{stack.url}/api/v1/executors/{executor_id}/assignments", json={"wait": 0, "max": 100},
                                 timeout=60).json()["items"]
            if not batch:
                return items
            items.extend(batch)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(CLAIMERS) as pool:
        claimed = [item for items in pool.map(claim_all, executors) for item in items]
    claim_seconds = time.monotonic() - started
    assert len(claimed) == RUNS and len({i["run_id"] for i in claimed}) == RUNS

    def report(items):
        session = requests.Session()
        for item in items:
            r = session.post(f"{stack.url}/api/v1/run/result", json={"output": {"n": 1}},
                             headers={"Authorization": "Bearer " + item["token"]}, timeout=60)
            assert r.status_code == 200, r.text

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(REPORTERS) as pool:
        list(pool.map(report, [claimed[i::REPORTERS] for i in range(REPORTERS)]))
    report_seconds = time.monotonic() - started
    deadline = time.monotonic() + 120
    while client.get(f"/api/v1/launches/{launch_id}").json()["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return RUNS / claim_seconds, RUNS / report_seconds


async def long_poll(port, key, executor_id, stop_at):
    """Keeps one executor long-polling (wait 60) until `stop_at`; answers how many polls came back empty."""
    empty = 0
    body = json.dumps({"wait": 60, "max": 1}).encode()
    while time.monotonic() < stop_at:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST /api/v1/executors/{executor_id}/assignments HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()
        try:
            answer = await asyncio.wait_for(reader.read(), timeout=max(0.1, stop_at - time.monotonic()))
        except asyncio.TimeoutError:
            writer.close()
            return empty
        writer.close()
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
        STATUSES[status] = STATUSES.get(status, 0) + 1
        if status == 429:
            REFUSED[0] += 1
            await asyncio.sleep(1)
            continue
        assert status == 200, answer[:300]
        empty += 1
    return empty


def idle_cost(stack, client):
    executors = []
    for i in range(IDLE):
        executors.append(client.post("/api/v1/executors", json={"name": f"idle-{i}", "type": f"idle-{i % 10}"}).json()["id"])
    # PostgreSQL 15 publishes an idle backend's statistics up to 10 s late: let the set-up's commits land first.
    time.sleep(11)
    before = touched(stack)
    baseline = commit_rate(stack, WINDOW / 2)
    parked_at = [None]

    async def poll_all():
        stop_at = time.monotonic() + WINDOW + 50
        tasks = [asyncio.create_task(long_poll(stack.port, client.key, e, stop_at)) for e in executors]
        # Every long-poll arrived (each touched its executor row once), then one re-check sweep passed (a waiter's
        # first sweep after parking may still claim): from then on they only wait.
        deadline = time.monotonic() + 180
        while touched(stack) < before + IDLE:
            assert time.monotonic() < deadline, "the long-polls did not all arrive"
            await asyncio.sleep(0.5)
        await asyncio.sleep(6)
        parked_at[0] = await asyncio.to_thread(commit_rate, stack, WINDOW)
        return sum(await asyncio.gather(*tasks))

    answered_empty = asyncio.run(poll_all())
    print(f"   ({answered_empty} long-polls answered empty, {REFUSED[0]} refused with 429)", flush=True)
    for executor_id in executors:
        client.delete(f"/api/v1/executors/{executor_id}")
    return baseline, parked_at[0]


def executors(stack, client, results):
    print(f"== executors: {RUNS} runs claimed by {CLAIMERS} executors in batches of 100, then reported by {REPORTERS} threads", flush=True)
    assigned, reported = throughput(stack, client)
    line = f"   assignments: {assigned:8.0f} runs/s   results: {reported:8.0f} runs/s"
    if "throughput_1" in results:
        line += f"   (the scheduler: {results['throughput_1'][0]:.0f} runs/s)"
    print(line, flush=True)
    print(f"== executors idle: {IDLE} executors long-polling (wait 60) with nothing to do, {WINDOW:.0f} s", flush=True)
    baseline, idle = idle_cost(stack, client)
    print(f"   database transactions/s: {baseline:.1f} without them, {idle:.1f} with them parked "
          f"(+{max(0.0, idle - baseline):.1f}/s for {IDLE} executors)", flush=True)
    return {"executor_assignments_per_s": assigned, "executor_results_per_s": reported,
            "idle_commits_per_s_baseline": baseline, "idle_commits_per_s_parked": idle}
