"""Issue 13: a retry waiting out its delay is durable. Its `ready_at` is a column, not a timer in a process: a
scheduler killed with -9 and a PostgreSQL restart during the delay change nothing, and the next attempt starts no
sooner than `retry_at` (checked on the events' timestamps), from whichever scheduler the supervisor brought back.
A max_wait_time is as durable: its deadline is ready_at plus the task's seconds, both stored with the run."""
import time

import pytest
from conftest import FunctionServer
from stack import Stack, wait_until
from sweep_fixtures import all_items, register_http_functions
from test_faults import kill_service, restart_postgres, tolerant
from test_retries import ts

DELAY = 10  # seconds: room for a kill -9 and a database restart before the retry is due


@pytest.fixture(scope="module")
def supervised():
    s = Stack(env={"SWEEP_LEASE_SECONDS": "2", "SWEEP_RESCUE_INTERVAL_MS": "300"}, supervised=True)
    server = FunctionServer()
    try:
        s.start(schedulers=1)
        yield s, server
    finally:
        s.stop()
        server.stop()


def test_a_retry_survives_a_killed_scheduler_and_a_database_restart_during_its_delay(supervised):
    stack, server = supervised
    client = stack.create_user("durable-retry")
    register_http_functions(client, server.url, ["flaky"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "durable", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "flaky", "priority": 1}], "successors": [],
         "properties": {"position": "start", "retries": 1, "retry_delay": DELAY, "static_input": {"succeed_at": 2}}},
    ]}).status_code == 201
    launch_id = client.post("/api/v1/workflows/durable/launches", json={}).json()["launch_id"]

    def retrying():
        r = tolerant(lambda: client.get(f"/api/v1/launches/{launch_id}/events", timeout=5))
        found = [e for e in (r.json()["items"] if r is not None else []) if e["event"] == "task.retrying"]
        return found[0] if found else None

    event = wait_until(retrying, timeout=30, what="the first attempt's failure recorded as task.retrying")
    retry_at = ts(event["data"]["retry_at"])
    assert DELAY - 0.5 <= retry_at - ts(event["data"]["ts"]) <= DELAY, event

    kill_service(stack, "scheduler-0")
    restart_postgres(stack, "fast")
    # Both faults happened while the retry was waiting (otherwise this test would prove nothing).
    assert time.time() < retry_at, "the faults took longer than the retry delay"
    rows = stack.psql("SELECT state, attempt FROM task_runs WHERE launch_id = :'p1'", launch_id)
    assert [[str(v) for v in row] for row in rows] == [["scheduled", "1"]], rows

    def ended():
        r = tolerant(lambda: client.get("/api/v1/launches/" + launch_id, timeout=5))
        return r.json() if r is not None and r.json()["state"] in ("succeeded", "failed") else None

    status = wait_until(ended, timeout=DELAY + 30, what="the launch to end after the retry")
    run = status["tasks"][0]
    assert status["state"] == "succeeded" and run["attempt"] == 2 and run["output"] == {"attempt": 2}, status
    events = all_items(client, f"/api/v1/launches/{launch_id}/events")
    started = [e for e in events if e["event"] == "task.started"]
    assert [e["data"]["attempt"] for e in started] == [1, 2], started
    assert ts(started[1]["data"]["ts"]) >= retry_at, (started, event)
    assert [c["attempt"] for c in server.calls() if c["launch"] == launch_id] == [1, 2]


def test_a_max_wait_time_is_enforced_across_a_killed_scheduler_and_a_database_restart(supervised):
    stack, server = supervised
    admin = stack.create_user("durable-admin", admin=True)
    client = stack.create_user("durable-wait")
    register_http_functions(client, server.url, ["noop"])
    wait = 6
    assert client.post("/api/v1/workflows", json={"workflow_id": "waits", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "max_wait_time": wait}},
    ]}).status_code == 201
    # A running cap of 0: nothing may start this user's run, so only the max wait can end it.
    assert admin.put(f"/api/v1/users/{client.username}/limits", json={"max_running_runs": 0}).status_code == 200
    began = time.time()
    launch_id = client.post("/api/v1/workflows/waits/launches", json={}).json()["launch_id"]
    kill_service(stack, "scheduler-0")
    restart_postgres(stack, "fast")
    assert time.time() < began + wait, "the faults took longer than the max wait"

    def ended():
        r = tolerant(lambda: client.get("/api/v1/launches/" + launch_id, timeout=5))
        return r.json() if r is not None and r.json()["state"] in ("succeeded", "failed") else None

    status = wait_until(ended, timeout=wait + 30, what="the unstarted run to fail wait_timeout")
    run = status["tasks"][0]
    assert status["state"] == "failed" and run["state"] == "failed" and run["error"].startswith("wait_timeout"), status
    events = all_items(client, f"/api/v1/launches/{launch_id}/events")
    scheduled = next(e for e in events if e["event"] == "task.scheduled")
    failed = next(e for e in events if e["event"] == "task.failed")
    assert ts(failed["data"]["ts"]) - ts(scheduled["data"]["ts"]) >= wait, (scheduled, failed)
    assert [c for c in server.calls() if c["launch"] == launch_id] == []
