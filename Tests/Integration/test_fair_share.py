"""Issue 10, fair share: claims interleave users, so one user's flood of ready runs cannot delay another user's run
by more than a claim cycle (TaskRunSQL.pickFairly). Issue 10, batch isolation: a result PostgreSQL refuses fails
its own run (`output_rejected: …`) and nothing else.

A private stack with one scheduler loop of 100 slots: user A's 3,000 runs of a function that sleeps 3 s fill
every slot for 90 s in first-in first-out order, so a claim that ignored users would start user B's run only after
all of A's. Fairly shared, B's run starts as soon as a slot frees: within one 3 s round."""
import os

import pytest

from stack import Stack, wait_until
from sweep_fixtures import register_http_functions

SLOTS = 100
FLOOD = 3000
SLEEP = 3.0


@pytest.fixture(scope="module")
def small_stack():
    s = Stack(env={"SWEEP_SCHEDULER_LOOPS": "1", "SWEEP_SCHEDULER_CONCURRENCY": str(SLOTS), "SWEEP_CLAIM_BATCH": "100"})
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


def ended(client, launch_id):
    status = client.get("/api/v1/launches/" + launch_id).json()
    return status if status["state"] in ("succeeded", "failed", "cancelled") else None


def test_one_users_flood_does_not_delay_another_users_run(small_stack, functions):
    stack = small_stack
    a = stack.create_user(f"flood-{os.getpid()}")
    b = stack.create_user(f"single-{os.getpid()}")
    register_http_functions(a, functions.url, ["numbers", "slow"])
    register_http_functions(b, functions.url, ["noop"])
    assert a.post("/api/v1/workflows", json={"workflow_id": "flood", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": FLOOD}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']", "static_input": {"seconds": SLEEP}}}]}).status_code == 201
    assert b.post("/api/v1/workflows", json={"workflow_id": "single", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201

    flood = a.post("/api/v1/workflows/flood/launches", json={}).json()["launch_id"]
    try:
        # Every slot busy with A's runs, and thousands of A's runs ready behind them.
        wait_until(lambda: stack.psql(
            "SELECT 1 FROM task_runs WHERE launch_id = :'p1' GROUP BY launch_id "
            "HAVING count(*) FILTER (WHERE state = 'running') >= :'p2' AND count(*) FILTER (WHERE state = 'scheduled') > 2000",
            flood, str(SLOTS)), timeout=60, what="A's flood to fill the scheduler")

        single = b.post("/api/v1/workflows/single/launches", json={}).json()["launch_id"]
        status = wait_until(lambda: ended(b, single), timeout=30, what="B's launch to end")
        assert status["state"] == "succeeded", status

        waited, a_waiting = stack.psql(
            "SELECT extract(epoch FROM r.started_at - r.ready_at)::float8, "
            "       (SELECT count(*) FROM task_runs f WHERE f.launch_id = :'p2' AND f.state = 'scheduled' AND f.ready_at < r.ready_at) "
            "FROM task_runs r WHERE r.launch_id = :'p1'", single, flood)[0]
        # B started within one round of A's 3 s calls (a slot frees, the next claim shares the batch), although
        # far more of A's runs had been ready longer: first-in first-out would have made B wait about 90 s.
        assert float(waited) < SLEEP + 1.0, f"B's run waited {waited} s"
        assert int(a_waiting) > 1000, "A's runs that were ready before B's and still waited when it started"
    finally:
        a.post(f"/api/v1/launches/{flood}/cancel")
