"""`max_runtime` for runs of remote executors: heartbeats renew an executor's lease, but not past the run's runtime.
The schedulers' `RuntimeEnforcer` fails the attempt with the schedulers' own timeout error, retried per the task's
`retries`; the late executor's heartbeat and result get 409 `lease_lost`. Real stack (PostgreSQL, worker,
scheduler, nginx) and a real `sweep-executor` process (clients/python)."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest
import requests

from stack import Stack, wait_until

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENT_SRC = os.path.join(ROOT, "clients", "python", "src")
LEASE = 3  # seconds: heartbeats come every second, so the lease never runs out during these tests


@pytest.fixture(scope="module")
def stack():
    s = Stack(env={"SWEEP_EXECUTOR_LEASE_SECONDS": str(LEASE), "SWEEP_WAIT_CHECK_INTERVAL_MS": "200"})
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


_users = [0]


@pytest.fixture
def user(stack):
    _users[0] += 1
    return stack.create_user(f"rt{_users[0]}-{os.getpid()}")


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def register(client, workflow_id, function, **properties):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [{
        "id": "slow", "execution_configurations": [{"executor_type": "rt-executor", "function": function, "priority": 1}],
        "successors": [], "properties": {"position": "start", **properties}}]})
    assert r.status_code == 201, r.text


def start(client, workflow_id):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def events(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}/events")
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["event"].startswith("task.")]


def run_api(stack, token, path, body):
    return requests.post(stack.url + path, json=body, headers={"Authorization": "Bearer " + token}, timeout=30)


def test_heartbeats_do_not_keep_a_run_past_max_runtime_and_the_late_result_is_refused(stack, user):
    register(user, "beats", "f", max_runtime=2)
    launch_id = start(user, "beats")
    r = user.post("/api/v1/executors", json={"name": "raw", "type": "rt-executor"})
    assert r.status_code == 201, r.text
    r = user.post(f"/api/v1/executors/{r.json()['id']}/assignments", json={"wait": 30}, timeout=60)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assigned_at = time.monotonic()
    # Heartbeat twice a second, well inside the 3 s lease, until the run's 2 s are up and it is taken away.
    beats = []

    def lost():
        beat = run_api(stack, item["token"], "/api/v1/run/heartbeat", {})
        beats.append((time.monotonic() - assigned_at, beat.status_code))
        if beat.status_code == 409:
            assert beat.json()["error"]["code"] == "lease_lost", beat.text
            return True
        assert beat.status_code == 200, beat.text
        return False

    wait_until(lost, timeout=15, interval=0.5, what="the heartbeat to be refused")
    assert sum(1 for _, code in beats if code == 200) >= 3, beats
    # Not before the runtime (the attempt's start is at most the assignment's answer).
    assert beats[-1][0] >= 1.5, beats
    late = run_api(stack, item["token"], "/api/v1/run/result", {"output": {"late": True}})
    assert late.status_code == 409 and late.json()["error"]["code"] == "lease_lost", late.text
    done = wait_until(lambda: (lambda s: s if s["state"] == "failed" else None)(status(user, launch_id)), what="launch failed")
    run = {t["run_id"]: t for t in done["tasks"]}["slow"]
    assert run["error"] == "timed out after 2 s (max_runtime)" and run["output"] is None, run
    assert [e["event"] for e in events(user, launch_id)] == ["task.scheduled", "task.started", "task.failed"]


SLOW = """
import os, time

def slow(ti):
    # Works until told to stop (a file the test writes), well past the task's max_runtime.
    deadline = time.monotonic() + 30
    while not os.path.exists(os.environ["STOP_FILE"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"finished": ti.attempt}
"""


def test_a_real_executor_past_max_runtime_is_retried_then_failed(stack, user, tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(SLOW))
    stop_file = tmp_path / "stop"
    register(user, "timeouts", "slow", max_runtime=1, retries=1)
    env = dict(os.environ, PYTHONPATH=CLIENT_SRC + os.pathsep + str(tmp_path), SWEEP_URL=stack.url, SWEEP_API_KEY=user.key,
               STOP_FILE=str(stop_file))
    log_path = tmp_path / "executor.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from sweep_client.executor import main; sys.exit(main())", "--type", "rt-executor",
             "--name", "rt", "--concurrency", "2", "--wait", "5", "handlers:slow"],
            cwd=str(tmp_path), env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            launch_id = start(user, "timeouts")
            done = wait_until(lambda: (lambda s: s if s["state"] == "failed" else None)(status(user, launch_id)),
                              timeout=30, what="launch failed")
            run = {t["run_id"]: t for t in done["tasks"]}["slow"]
            assert run["attempt"] == 2 and run["error"] == "timed out after 1 s (max_runtime)", run
            seen = events(user, launch_id)
            assert [e["event"] for e in seen] == ["task.scheduled", "task.started", "task.retrying", "task.started", "task.failed"]
            retrying = seen[2]
            assert retrying["data"]["error"] == "timed out after 1 s (max_runtime)", retrying
            # Each attempt ran at least its second before it was timed out.
            assert ts(retrying["data"]["ts"]) - ts(seen[1]["data"]["ts"]) >= 1.0, seen
            assert ts(seen[4]["data"]["ts"]) - ts(seen[3]["data"]["ts"]) >= 1.0, seen
            # Both attempts are still working in the executor; once they finish, their results are discarded.
            stop_file.write_text("stop")
            wait_until(lambda: log_path.read_text().count("lost its lease") == 2, timeout=20, what="both late results refused")
            assert {t["run_id"]: t for t in status(user, launch_id)["tasks"]}["slow"]["output"] is None
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
