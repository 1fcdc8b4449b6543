"""Issue 4: several schedulers share one launch; a scheduler killed with -9 loses nothing."""
import collections
import signal

import pytest

from conftest import FunctionServer
from stack import Stack, wait_until
from sweep_fixtures import all_items, register_http_functions, runs_by_id

WIDTH = 240


@pytest.fixture(scope="module")
def cluster():
    # Short leases so a killed scheduler's runs are rescued quickly.
    s = Stack(env={"SWEEP_LEASE_SECONDS": "2", "SWEEP_RESCUE_INTERVAL_MS": "300"})
    server = FunctionServer()
    try:
        s.start(schedulers=3)
        yield s, server
    finally:
        s.stop()
        server.stop()


def wide_workflow(client, server, workflow_id, seconds):
    register_http_functions(client, server.url, ["numbers", "slow"])
    definition = {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": WIDTH}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": ["3"],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']", "static_input": {"seconds": seconds}}},
        {"id": "3", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": []}]}
    assert client.post("/api/v1/workflows", json=definition).status_code in (201,)


def succeeded_events(client, launch_id):
    return collections.Counter(e["data"]["run_id"] for e in all_items(client, f"/api/v1/launches/{launch_id}/events")
                               if e["event"] == "task.succeeded")


def finished(client, launch_id):
    status = client.get("/api/v1/launches/" + launch_id).json()
    return status if status["state"] in ("succeeded", "failed", "cancelled") else None


def test_three_schedulers_execute_each_run_once(cluster):
    stack, server = cluster
    client = stack.create_user("trio")
    wide_workflow(client, server, "wide", seconds=0.02)
    r = client.post("/api/v1/workflows/wide/launches", json={"wait": 60}, timeout=90)
    status = r.json() if r.status_code == 200 else wait_until(lambda: finished(client, r.json()["launch_id"]), timeout=60)
    assert status["state"] == "succeeded"
    runs = runs_by_id(status)
    assert len(runs) == WIDTH + 2
    calls = [c for c in server.calls() if c["launch"] == status["launch_id"]]
    per_run = collections.Counter(c["run"] for c in calls)
    assert set(per_run) == set(runs) and set(per_run.values()) == {1}
    assert all(t["attempt"] == 1 for t in status["tasks"])
    assert set(succeeded_events(client, status["launch_id"]).values()) == {1}


def test_three_schedulers_count_leaf_successes_exactly(cluster):
    """Replicas nothing depends on are counted on the launch row without its lock (LeafCompletion; that they take
    this path is asserted by SweepSchedulerTests): with three schedulers of two loops each recording at once, every
    run counts once and the launch ends exactly once."""
    stack, server = cluster
    client = stack.create_user("leaves")
    register_http_functions(client, server.url, ["numbers", "slow"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "leaves", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": WIDTH}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']", "static_input": {"seconds": 0.01}}}]}).status_code == 201
    r = client.post("/api/v1/workflows/leaves/launches", json={"wait": 60}, timeout=90)
    status = r.json() if r.status_code == 200 else wait_until(lambda: finished(client, r.json()["launch_id"]), timeout=60)
    assert status["state"] == "succeeded"
    assert status["progress"] == {"total": WIDTH + 1, "finished": WIDTH + 1, "failed": 0}
    assert len(status["output"]) == WIDTH and all(v == {"slept": 0.01} for v in status["output"].values())
    calls = collections.Counter(c["run"] for c in server.calls() if c["launch"] == status["launch_id"])
    assert len(calls) == WIDTH + 1 and set(calls.values()) == {1}
    assert set(succeeded_events(client, status["launch_id"]).values()) == {1}
    ends = stack.psql("SELECT count(*) FROM events WHERE launch_id = :'p1' AND type LIKE 'launch.%'", status["launch_id"])
    assert ends == [["2"]], "launch.started and launch.succeeded, once each"
    assert stack.psql("SELECT open_runs, active_runs FROM launches WHERE id = :'p1'", status["launch_id"]) == [["0", "0"]]


def test_a_scheduler_killed_mid_run_loses_nothing(cluster):
    stack, server = cluster
    client = stack.create_user("survivor")
    wide_workflow(client, server, "wide_kill", seconds=0.5)
    launch_id = client.post("/api/v1/workflows/wide_kill/launches", json={}).json()["launch_id"]

    def some_replicas_called():
        return sum(1 for c in server.calls() if c["launch"] == launch_id and c["function"] == "slow") >= 30
    wait_until(some_replicas_called, timeout=30, what="replicas in flight")

    # Kill a scheduler that holds runs right now (claimed_by is "host-pid-random").
    def holder():
        owners = stack.psql("SELECT claimed_by, count(*) FROM task_runs WHERE state = 'running' GROUP BY 1 ORDER BY 2 DESC")
        pids = {int(owner.split("-")[-2]) for owner, _ in owners}
        return next((p for p in stack.schedulers if p.pid in pids and p.poll() is None), None)
    victim = wait_until(holder, timeout=30, what="a scheduler holding runs")
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    status = wait_until(lambda: finished(client, launch_id), timeout=90, interval=0.1, what="the launch to end")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert len(runs) == WIDTH + 2 and all(t["state"] == "succeeded" for t in runs.values())
    retried = [t for t in status["tasks"] if t["attempt"] > 1]
    assert retried, "the killed scheduler held runs; they must have been retried"
    calls = [c for c in server.calls() if c["launch"] == launch_id]
    per_run = collections.Counter(c["run"] for c in calls)
    assert set(per_run) == set(runs)
    # A run executed twice only because its first attempt died with the scheduler; its result is recorded once.
    for name, count in per_run.items():
        if count > 1:
            assert runs[name]["attempt"] == max(c["attempt"] for c in calls if c["run"] == name) > 1
    assert set(succeeded_events(client, launch_id).values()) == {1}
