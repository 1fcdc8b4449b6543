"""Issue 10: nothing a crash does loses work. A ~300-run launch (a scatter whose replicas are chains, then a gather)
runs while the test kills a scheduler with -9, restarts PostgreSQL (fast, then immediate), and kills the worker and
nginx with -9. The launch succeeds, every run's result is recorded exactly once, and the supervisor
(scripts/supervise.sh, as `make run` uses it) brings every process back without a person.

Deterministic: the functions are gates the test opens (function_server.py "gate"), so each fault happens while
known calls are in flight; every step waits for a condition, never for time."""
import collections
import os
import signal
import subprocess

import pytest
import requests

from conftest import FunctionServer
from sse import events as sse_events
from stack import ROOT, Stack, wait_until
from sweep_fixtures import register_http_functions

WIDTH = 100  # runs: 1 + 3 * WIDTH + 1 = 302


@pytest.fixture(scope="module")
def supervised():
    # Short leases so the killed scheduler's runs come back quickly.
    s = Stack(env={"SWEEP_LEASE_SECONDS": "2", "SWEEP_RESCUE_INTERVAL_MS": "300"}, supervised=True)
    server = FunctionServer()
    try:
        s.start(schedulers=2)
        yield s, server
    finally:
        s.stop()
        server.stop()


def tolerant(call):
    """An API call that may meet a restarting process: None instead of an error."""
    try:
        r = call()
        return r if r.status_code < 500 else None
    except requests.RequestException:
        return None


def restart_postgres(stack, mode):
    subprocess.check_call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "restart", os.path.join(stack.workdir, "pg"), mode])


def kill_service(stack, name):
    """kill -9 a supervised service and wait until the supervisor has started a new one."""
    old = stack.service_pid(name)
    assert old, f"{name} is running"
    os.kill(old, signal.SIGKILL)
    return wait_until(lambda: (lambda pid: pid if pid and pid != old else None)(stack.service_pid(name)),
                      timeout=20, what=f"the supervisor to restart {name}")


def calls_of(server, launch_id, stage):
    return [c for c in server.calls() if c["launch"] == launch_id and c["input"].get("static_input", {}).get("gate") == stage]


def test_a_launch_survives_killed_processes_and_database_restarts(supervised):
    stack, server = supervised
    client = stack.create_user("faults")
    register_http_functions(client, server.url, ["numbers", "gate"])
    gate = [{"function_def_id": "gate", "priority": 1}]
    assert client.post("/api/v1/workflows", json={"workflow_id": "faults", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": WIDTH}}},
        {"id": "2", "execution_configurations": gate, "successors": ["3"],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']", "static_input": {"gate": "g2"}}},
        {"id": "3", "execution_configurations": gate, "successors": ["4"], "properties": {"follow": "2", "static_input": {"gate": "g3"}}},
        {"id": "4", "execution_configurations": gate, "successors": ["5"], "properties": {"follow": "2", "static_input": {"gate": "g4"}}},
        {"id": "5", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": []},
    ]}).status_code == 201
    launch_id = client.post("/api/v1/workflows/faults/launches", json={}).json()["launch_id"]

    def in_flight(stage, at_least):
        return wait_until(lambda: len(calls_of(server, launch_id, stage)) >= at_least, timeout=30,
                          what=f"{at_least} calls of stage {stage} in flight")

    def running():
        r = tolerant(lambda: client.get("/api/v1/launches/" + launch_id, timeout=5))
        return r is not None and r.json()["state"] == "running"

    # 1. Replicas of task 2 wait at their gate: kill -9 the scheduler holding the most runs.
    in_flight("g2", WIDTH // 2)  # a loop keeps at most 64 calls open per host; the rest queue behind them
    owners = stack.psql("SELECT claimed_by, count(*) FROM task_runs WHERE launch_id = :'p1' AND state = 'running' "
                        "GROUP BY 1 ORDER BY 2 DESC", launch_id)
    holder_pid = int(owners[0][0].split("-")[-2])
    victim = next(name for name in ("scheduler-0", "scheduler-1") if stack.service_pid(name) == holder_pid)
    kill_service(stack, victim)
    server_open = lambda name: requests.post(server.url + "_open/" + name, timeout=5).raise_for_status()  # noqa: E731
    server_open("g2")

    # 2. Task 3's calls are in flight: restart PostgreSQL (fast) and let them answer while it is down.
    in_flight("g3", WIDTH // 2)
    wait_until(running, timeout=15, what="the launch still running, seen through the API")
    server_open("g3")
    restart_postgres(stack, "fast")

    # 3. Task 4's calls are in flight: kill -9 the worker and nginx, then crash-restart PostgreSQL (immediate).
    in_flight("g4", WIDTH // 2)
    wait_until(running, timeout=15, what="the launch still running, seen through the API")
    kill_service(stack, "api")
    kill_service(stack, "nginx")
    stack.wait_healthy(timeout=30)
    wait_until(running, timeout=15, what="the launch still running, seen through the API")
    restart_postgres(stack, "immediate")
    server_open("g4")

    def ended():
        r = tolerant(lambda: client.get("/api/v1/launches/" + launch_id, timeout=5))
        return r.json() if r is not None and r.json()["state"] != "running" else None
    status = wait_until(ended, timeout=45, interval=0.1, what="the launch to end")
    assert status["state"] == "succeeded", status

    runs = {t["run_id"]: t for t in status["tasks"]}
    assert len(runs) == 3 * WIDTH + 2 and all(t["state"] == "succeeded" for t in runs.values())
    calls = [c for c in server.calls() if c["launch"] == launch_id]
    per_attempt = collections.Counter((c["run"], c["attempt"]) for c in calls)
    assert set(per_attempt.values()) == {1}, "no attempt of a run is executed twice"
    assert {run for run, _ in per_attempt} == set(runs), "every run was executed"
    for name, run in runs.items():
        # The recorded result is the one of the attempt that was recorded (fenced by attempt), and only that one.
        assert (name, run["attempt"]) in per_attempt
        if run["task_id"] in ("2", "3", "4"):
            assert run["output"] == {"gate": f"g{run['task_id']}", "run": name, "attempt": run["attempt"]}
    assert any(run["attempt"] > 1 for run in runs.values()), "the killed scheduler's runs were run again"

    succeeded = collections.Counter(e["data"]["run_id"] for e in events(client, launch_id) if e["event"] == "task.succeeded")
    assert set(succeeded) == set(runs) and set(succeeded.values()) == {1}
    stored = stack.psql("SELECT count(*) FROM events WHERE launch_id = :'p1' AND type = 'task.succeeded'", launch_id)
    assert int(stored[0][0]) == len(runs)

    # Everything is back without a person: both schedulers, the worker and nginx answer.
    assert all(stack.service_pid(name) for name in ("api", "nginx", "scheduler-0", "scheduler-1"))
    r = client.post("/api/v1/workflows", json={"workflow_id": "after", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]})
    assert r.status_code == 201
    r = client.post("/api/v1/workflows/after/launches", json={"wait": 20}, timeout=40)
    assert r.status_code == 200 and r.json()["state"] == "succeeded", r.text


def events(client, launch_id):
    items, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/launches/{launch_id}/events", params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_an_open_event_stream_carries_on_across_a_database_restart(supervised):
    """The SSE hub reconnects and reads on from the last event it took in: one stream, no reconnect by the client,
    sees every event of the launch once, in order, across `pg_ctl restart`."""
    stack, server = supervised
    client = stack.create_user("faults-sse")
    register_http_functions(client, server.url, ["gate", "numbers"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "sse_restart", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "gate", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"gate": "sse"}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": []}]}).status_code == 201
    launch_id = client.post("/api/v1/workflows/sse_restart/launches", json={}).json()["launch_id"]
    received = []
    with client.session.get(f"{client.url}/api/v1/launches/{launch_id}/events", headers={"Accept": "text/event-stream"},
                            stream=True, timeout=60) as r:
        assert r.status_code == 200
        stream = sse_events(r)
        for event in stream:
            received.append(event)
            if event[1] == "task.started":
                break
        wait_until(lambda: calls_of(server, launch_id, "sse"), what="task 1 at its gate")
        restart_postgres(stack, "fast")
        requests.post(server.url + "_open/sse", timeout=5).raise_for_status()
        for event in stream:
            received.append(event)
    ids = [e[0] for e in received]
    assert received[-1][1] == "launch.succeeded"
    stored = events(client, launch_id)
    assert ids == [e["id"] for e in stored], "no gap, no duplicate"
    assert [e[1] for e in received] == [e["event"] for e in stored]


def test_nothing_exits_while_the_database_is_down(supervised):
    """PostgreSQL stopped (not restarted): the worker answers 503 `database_unavailable`, the schedulers wait and
    retry; no process exits (same pids throughout), and work resumes when PostgreSQL is back."""
    stack, server = supervised
    client = stack.create_user("faults-down")
    register_http_functions(client, server.url, ["numbers"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "after_outage", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201
    names = ("api", "nginx", "scheduler-0", "scheduler-1")
    pids = {name: stack.service_pid(name) for name in names}
    logs = [os.path.join(stack.workdir, f"scheduler-{i}.log") for i in (0, 1)]

    def count(path, text):
        with open(path, errors="replace") as f:
            return f.read().count(text)
    lost = [count(path, "cannot reach the database") for path in logs]
    restored = [count(path, "database connection restored") for path in logs]
    pg_dir = os.path.join(stack.workdir, "pg")
    subprocess.check_call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", pg_dir])
    try:
        r = client.get("/api/v1/me", timeout=10)
        assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable", r.text
        assert r.headers["Retry-After"] == "1"
        # Every scheduler process has met the outage (its loops look every 300 ms here) and is waiting it out.
        wait_until(lambda: all(count(path, "cannot reach the database") > n for path, n in zip(logs, lost)), timeout=20,
                   what="the schedulers to meet the outage")
        assert {name: stack.service_pid(name) for name in names} == pids
    finally:
        subprocess.check_call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pg_dir, str(stack.pg_port)],
                              stdout=subprocess.DEVNULL)
    wait_until(lambda: all(count(path, "database connection restored") > n for path, n in zip(logs, restored)), timeout=30,
               what="the schedulers to reconnect")
    r = wait_until(lambda: tolerant(lambda: client.post("/api/v1/workflows/after_outage/launches", json={"wait": 20}, timeout=40)),
                   timeout=30, what="a launch through the API")
    assert r.status_code == 200 and r.json()["state"] == "succeeded", r.text
    assert {name: stack.service_pid(name) for name in names} == pids, "no process exited or was restarted"
