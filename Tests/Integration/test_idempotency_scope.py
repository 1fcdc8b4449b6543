"""An idempotency key is scoped per user AND workflow (API.md: "the same `idempotency_key` returns the first
launch"; the contract audit of session 10 found it per user only, so the same key sent to another workflow answered
with the first workflow's launch). Real stack: nginx, worker, scheduler, PostgreSQL. The workflows are one timer
task each, so nothing but the scheduler runs them."""
import uuid

from stack import wait_until


def register_timer(client, workflow_id, seconds=1):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [
        {"id": "pause", "type": "timer", "successors": [], "properties": {"position": "start", "duration": seconds}}]})
    assert r.status_code == 201, r.text
    return r.json()["version"]


def start(client, workflow_id, key, **extra):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={"idempotency_key": key, **extra}, timeout=60)
    assert r.status_code in (200, 202), r.text
    return r


def launches_of(client, workflow_id):
    r = client.get("/api/v1/launches", params={"workflow_id": workflow_id})
    assert r.status_code == 200, r.text
    return [item["launch_id"] for item in r.json()["items"]]


def test_same_key_same_workflow_returns_the_first_launch_whatever_the_version(user):
    key = "order-" + uuid.uuid4().hex
    register_timer(user, "idem_same")
    first = start(user, "idem_same", key)
    assert first.status_code == 202
    launch_id = first.json()["launch_id"]
    again = start(user, "idem_same", key)
    assert again.status_code == 202 and again.json()["launch_id"] == launch_id and again.json()["version"] == 1, again.text
    # A newer version of the same workflow, latest or asked for: still the first launch (of version 1).
    assert register_timer(user, "idem_same") == 2
    latest = start(user, "idem_same", key)
    assert latest.json()["launch_id"] == launch_id and latest.json()["version"] == 1, latest.text
    named = start(user, "idem_same", key, version=2)
    assert named.json()["launch_id"] == launch_id and named.json()["version"] == 1, named.text
    # With `wait`, the first launch's full status once it ended (200), as without a key.
    waited = start(user, "idem_same", key, wait=30)
    assert waited.status_code == 200 and waited.json()["launch_id"] == launch_id and waited.json()["state"] == "succeeded", waited.text
    assert launches_of(user, "idem_same") == [launch_id]


def test_same_key_on_another_workflow_starts_a_launch_of_that_workflow(user):
    key = "order-" + uuid.uuid4().hex
    register_timer(user, "idem_a")
    register_timer(user, "idem_b")
    a = start(user, "idem_a", key).json()
    b = start(user, "idem_b", key)
    assert b.status_code == 202, b.text
    b = b.json()
    assert b["launch_id"] != a["launch_id"] and b["workflow_id"] == "idem_b", b
    status = user.get("/api/v1/launches/" + b["launch_id"]).json()
    assert status["workflow_id"] == "idem_b", status
    wait_until(lambda: user.get("/api/v1/launches/" + b["launch_id"]).json()["state"] == "succeeded", what="idem_b's launch ends")
    # Each workflow keeps its own first launch for the key.
    assert start(user, "idem_a", key).json()["launch_id"] == a["launch_id"]
    assert start(user, "idem_b", key).json()["launch_id"] == b["launch_id"]
    assert launches_of(user, "idem_a") == [a["launch_id"]]
    assert launches_of(user, "idem_b") == [b["launch_id"]]


def test_same_key_from_another_user_gets_its_own_launch(user, other_user):
    key = "order-" + uuid.uuid4().hex
    register_timer(user, "idem_shared")
    register_timer(other_user, "idem_shared")
    mine = start(user, "idem_shared", key).json()["launch_id"]
    theirs = start(other_user, "idem_shared", key)
    assert theirs.status_code == 202, theirs.text
    theirs = theirs.json()["launch_id"]
    assert theirs != mine
    assert start(other_user, "idem_shared", key).json()["launch_id"] == theirs
    assert start(user, "idem_shared", key).json()["launch_id"] == mine
    # Neither user ever sees the other's launch.
    assert other_user.get("/api/v1/launches/" + mine).status_code == 404
    assert user.get("/api/v1/launches/" + theirs).status_code == 404
    assert launches_of(user, "idem_shared") == [mine]
    assert launches_of(other_user, "idem_shared") == [theirs]


def test_call_idempotency_key_is_scoped_per_workflow_too(user):
    # /call shares the launches' key: per workflow, and the same key on /launches and /call of one workflow is one launch.
    key = "order-" + uuid.uuid4().hex
    register_timer(user, "idem_call_a")
    register_timer(user, "idem_call_b")

    def call(workflow_id):
        r = user.post(f"/api/v1/workflows/{workflow_id}/call", params={"background": "true"}, headers={"Idempotency-Key": key})
        assert r.status_code == 202, r.text
        return r.json()["launch_id"]

    a = call("idem_call_a")
    b = call("idem_call_b")
    assert a != b
    assert user.get("/api/v1/launches/" + b).json()["workflow_id"] == "idem_call_b"
    assert call("idem_call_a") == a and call("idem_call_b") == b
    assert start(user, "idem_call_b", key).json()["launch_id"] == b
    assert launches_of(user, "idem_call_a") == [a]
    assert launches_of(user, "idem_call_b") == [b]
