"""Deleting an executor (`DELETE /api/v1/executors/{id}`) ends the leases of the runs it holds at once, in the same
transaction, exactly as an expired lease would: a run with attempts left is `scheduled` again as a retry (with its
`task.retrying` event), a run with none left fails (and what depends on it is `upstream_failed`); the deleted
executor's task tokens are refused at once (409 `lease_lost`, as for a stale attempt). Another user's executor and
runs are untouched. Real stack (PostgreSQL, worker, scheduler, nginx); leases are long here, so nothing in these
tests can be explained by a lease expiring."""
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from stack import Stack, wait_until

LEASE = 600  # seconds: far longer than these tests; a run released here was released by the deletion
TYPE = "del-executor"


@pytest.fixture(scope="module")
def stack():
    s = Stack(env={"SWEEP_EXECUTOR_LEASE_SECONDS": str(LEASE), "SWEEP_RESCUE_INTERVAL_MS": "200"})
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


_users = [0]


def new_user(stack):
    _users[0] += 1
    return stack.create_user(f"exdel{_users[0]}-{os.getpid()}")


def task(task_id, successors=(), **properties):
    return {"id": task_id, "execution_configurations": [{"executor_type": TYPE, "function": "work", "priority": 1}],
            "successors": list(successors), "properties": properties}


def start(client, workflow_id, tasks):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": tasks})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def runs(client, launch_id):
    return {run["run_id"]: run for run in status(client, launch_id)["tasks"]}


def task_events(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}/events")
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["event"].startswith("task.")]


def new_executor(client, name):
    r = client.post("/api/v1/executors", json={"name": name, "type": TYPE})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def claim(client, executor_id, wait=10):
    r = client.post(f"/api/v1/executors/{executor_id}/assignments", json={"wait": wait, "max": 1}, timeout=90)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    return item


def run_api(stack, token, method, path, body=None):
    return requests.request(method, stack.url + path, json=body, headers={"Authorization": "Bearer " + token}, timeout=30)


def refused_as_stale(response):
    return response.status_code == 409 and response.json()["error"]["code"] == "lease_lost"


def test_deleting_an_executor_retries_its_run_at_once_and_refuses_its_token(stack):
    user, stranger = new_user(stack), new_user(stack)
    launch_id = start(user, "held", [task("1", position="start")])
    theirs_launch = start(stranger, "held", [task("1", position="start")])
    doomed = new_executor(user, "doomed")
    theirs = new_executor(stranger, "theirs")
    first = claim(user, doomed)
    their_item = claim(stranger, theirs)
    assert (first["run_id"], first["attempt"]) == ("1", 1)
    assert user.get(f"/api/v1/executors/{doomed}").json()["running"] == 1

    # Another user cannot delete it, and their attempt changes nothing.
    assert stranger.delete(f"/api/v1/executors/{doomed}").status_code == 404
    assert runs(user, launch_id)["1"]["state"] == "running"
    assert run_api(stack, first["token"], "POST", "/api/v1/run/heartbeat", {}).status_code == 200

    r = user.delete(f"/api/v1/executors/{doomed}")
    assert r.status_code == 204, r.text
    # At once (read right after the 204, no waiting): the run is scheduled again, as a retry of attempt 1.
    run = runs(user, launch_id)["1"]
    assert (run["state"], run["attempt"]) == ("scheduled", 1), run
    events = task_events(user, launch_id)
    assert [e["event"] for e in events] == ["task.scheduled", "task.started", "task.retrying"]
    assert "executor was deleted" in events[-1]["data"]["error"], events[-1]
    # The old token is refused as a stale attempt's, and what it reports is discarded.
    assert refused_as_stale(run_api(stack, first["token"], "POST", "/api/v1/run/result", {"output": {"who": "doomed"}}))
    assert refused_as_stale(run_api(stack, first["token"], "POST", "/api/v1/run/heartbeat", {}))
    r = run_api(stack, first["token"], "PUT", "/api/v1/run/shared/k", {"v": 1})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_task_token", r.text
    assert user.get(f"/api/v1/executors/{doomed}").status_code == 404
    assert user.delete(f"/api/v1/executors/{doomed}").status_code == 404
    assert user.delete("/api/v1/executors/ex_0000000000000000").status_code == 404

    # Another executor of the type takes the retry and completes it; the launch succeeds with its output.
    second = new_executor(user, "second")
    again = claim(user, second)
    assert (again["run_id"], again["attempt"]) == ("1", 2) and again["token"] != first["token"]
    assert run_api(stack, again["token"], "POST", "/api/v1/run/result", {"output": {"who": "second"}}).status_code == 200
    wait_until(lambda: status(user, launch_id)["state"] == "succeeded", what="launch to succeed")
    run = runs(user, launch_id)["1"]
    assert (run["output"], run["attempt"], run["error"]) == ({"who": "second"}, 2, None)
    assert [e["event"] for e in task_events(user, launch_id)] == [
        "task.scheduled", "task.started", "task.retrying", "task.started", "task.succeeded"]

    # The other user's executor of the same type and its run were never touched.
    assert stranger.get(f"/api/v1/executors/{theirs}").json()["running"] == 1
    assert runs(stranger, theirs_launch)["1"]["state"] == "running"
    assert run_api(stack, their_item["token"], "POST", "/api/v1/run/heartbeat", {}).status_code == 200
    assert run_api(stack, their_item["token"], "POST", "/api/v1/run/result", {"output": {"who": "theirs"}}).status_code == 200
    wait_until(lambda: status(stranger, theirs_launch)["state"] == "succeeded", what="the other user's launch to succeed")


def test_deleting_the_executor_of_a_runs_last_attempt_fails_it_at_once(stack):
    user = new_user(stack)
    launch_id = start(user, "last", [task("1", ["2"], position="start"), task("2")])
    tokens = []
    # A run survives two lost leases (the house's free attempts); the third loss fails it, as an expired lease does.
    for attempt in (1, 2, 3):
        executor = new_executor(user, f"doomed{attempt}")
        item = claim(user, executor)
        assert (item["run_id"], item["attempt"]) == ("1", attempt)
        tokens.append(item["token"])
        assert user.delete(f"/api/v1/executors/{executor}").status_code == 204
        run = runs(user, launch_id)["1"]
        assert run["state"] == ("failed" if attempt == 3 else "scheduled"), run
    by_run = runs(user, launch_id)
    assert "lease ended during attempt 3 (its executor was deleted)" in by_run["1"]["error"], by_run["1"]
    assert by_run["2"]["state"] == "upstream_failed"
    assert status(user, launch_id)["state"] == "failed"
    assert [e["event"] for e in task_events(user, launch_id) if e["data"].get("run_id") == "1"] == [
        "task.scheduled", "task.started", "task.retrying", "task.started", "task.retrying", "task.started", "task.failed"]
    for token in tokens:
        assert refused_as_stale(run_api(stack, token, "POST", "/api/v1/run/result", {"output": {}}))
        assert refused_as_stale(run_api(stack, token, "POST", "/api/v1/run/heartbeat", {}))


def test_an_executor_long_polling_receives_the_released_run(stack):
    user = new_user(stack)
    launch_id = start(user, "woken", [task("1", position="start")])
    doomed, waiting = new_executor(user, "doomed"), new_executor(user, "waiting")
    first = claim(user, doomed)
    with ThreadPoolExecutor(1) as pool:
        # Parked with nothing to do: the deletion's retry wakes it (a run of its type became claimable).
        polling = pool.submit(claim, user, waiting, 50)
        assert user.delete(f"/api/v1/executors/{doomed}").status_code == 204
        again = polling.result(timeout=80)
    assert (again["run_id"], again["attempt"]) == ("1", 2) and again["token"] != first["token"]
    assert refused_as_stale(run_api(stack, first["token"], "POST", "/api/v1/run/result", {"output": {"who": "doomed"}}))
    assert run_api(stack, again["token"], "POST", "/api/v1/run/result", {"output": {"who": "waiting"}}).status_code == 200
    wait_until(lambda: status(user, launch_id)["state"] == "succeeded", what="launch to succeed")
    assert runs(user, launch_id)["1"]["output"] == {"who": "waiting"}


def metric(stack, name):
    text = requests.get(stack.url + "/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def test_a_deleted_executors_parked_long_poll_claims_nothing(stack):
    user = new_user(stack)
    r = user.post("/api/v1/workflows", json={"workflow_id": "later", "tasks": [task("1", position="start")]})
    assert r.status_code == 201, r.text
    doomed, other = new_executor(user, "doomed"), new_executor(user, "other")
    # Nothing else of this module's stack waits now (the earlier tests' polls were all answered).
    wait_until(lambda: metric(stack, "sweep_parked_requests") == 0, what="no parked request")
    with ThreadPoolExecutor(1) as pool:
        polling = pool.submit(user.post, f"/api/v1/executors/{doomed}/assignments", json={"wait": 50}, timeout=90)
        wait_until(lambda: metric(stack, "sweep_parked_requests") == 1, what="the long-poll to park")
        assert user.delete(f"/api/v1/executors/{doomed}").status_code == 204
        # Work of its type arrives after the deletion: the parked poll of the deleted executor is woken, takes
        # nothing and answers at once (its next request gets 404); the run waits for a living executor.
        r = user.post("/api/v1/workflows/later/launches", json={})
        assert r.status_code == 202, r.text
        launch_id = r.json()["launch_id"]
        answer = polling.result(timeout=40)
    assert answer.status_code == 200 and answer.json()["items"] == [], answer.text
    item = claim(user, other)
    assert (item["run_id"], item["attempt"]) == ("1", 1)
    assert run_api(stack, item["token"], "POST", "/api/v1/run/result", {"output": {}}).status_code == 200
    wait_until(lambda: status(user, launch_id)["state"] == "succeeded", what="launch to succeed")
