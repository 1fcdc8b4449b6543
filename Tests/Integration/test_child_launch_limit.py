"""Child launches (workflow tasks) take a place of the user's `max_launches_in_flight` like any launch: while the
user is at the limit the parent's task keeps waiting (never failing for it) and its child starts when a place
frees; the user never has more launches in flight than the limit. Real stack: nginx, worker, scheduler."""
from stack import wait_until


def register(client, definition):
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def start(client, workflow_id):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def run_state(client, launch_id, run):
    return {t["run_id"]: t for t in status(client, launch_id)["tasks"]}.get(run, {}).get("state")


def children(client, launch_id):
    r = client.get(f"/api/v1/launches?parent_launch_id={launch_id}")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def signal(client, launch_id, task):
    r = client.post(f"/api/v1/launches/{launch_id}/signals/{task}", json={"payload": {"ok": True}})
    assert r.status_code == 202, r.text


def in_flight(stack, user):
    return int(stack.psql("""SELECT count(*) FROM launches l JOIN users u ON u.id = l.user_id
                             WHERE u.username = :'p1' AND l.state IN ('waiting', 'running')""", user.username)[0][0])


def deferred(stack, launch_id):
    """The waiting service found the user at its limit at least once: the run's due time moved past its launch's
    creation by the re-check delay (it entered `waiting` due at once)."""
    rows = stack.psql("""SELECT t.ready_at >= l.created_at + interval '1 second' FROM task_runs t JOIN launches l ON l.id = t.launch_id
                         WHERE t.launch_id = :'p1'::uuid AND t.name = 'kid' AND t.state = 'waiting'""", launch_id)
    return bool(rows) and rows[0][0] == "t"


def test_a_child_launch_waits_for_a_place_and_starts_when_one_frees(stack, admin, user):
    r = admin.put(f"/api/v1/users/{user.username}/limits", json={"max_launches_in_flight": 2})
    assert r.status_code == 200, r.text
    register(user, {"workflow_id": "hold", "output": "task_outputs['go']", "tasks": [
        {"id": "go", "type": "signal", "successors": [], "properties": {"position": "start"}}]})
    register(user, {"workflow_id": "parent", "output": "task_outputs['kid']", "tasks": [
        {"id": "kid", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "hold"}}]})
    blocker = start(user, "hold")
    parent = start(user, "parent")
    # The user has two launches in flight: the parent's child may not be made, so its task keeps waiting.
    wait_until(lambda: deferred(stack, parent), timeout=15, what="the child launch held back")
    assert children(user, parent) == []
    assert run_state(user, parent, "kid") == "waiting" and status(user, parent)["state"] in ("waiting", "running")
    assert in_flight(stack, user) == 2
    # It keeps waiting through further passes of the waiting service, and the API refuses a third launch as usual.
    wait_until(lambda: deferred(stack, parent) and children(user, parent) == [] and in_flight(stack, user) == 2
               and stack.psql("SELECT extract(epoch FROM t.ready_at - l.created_at) >= 2 FROM task_runs t JOIN launches l ON "
                              "l.id = t.launch_id WHERE t.launch_id = :'p1'::uuid AND t.name = 'kid'", parent)[0][0] == "t",
               timeout=15, what="a second deferral")
    refused = user.post("/api/v1/workflows/hold/launches", json={})
    assert refused.status_code == 429 and refused.json()["error"]["field"] == "/max_launches_in_flight", refused.text
    # A place frees: the child starts, and the user is at the limit again, never over it.
    signal(user, blocker, "go")
    kid = wait_until(lambda: children(user, parent), timeout=15, what="the child launch")[0]["launch_id"]
    assert in_flight(stack, user) == 2
    assert status(user, blocker)["state"] == "succeeded"
    wait_until(lambda: run_state(user, kid, "go") == "waiting", what="the child waiting on its signal")
    signal(user, kid, "go")
    done = wait_until(lambda: (lambda s: s if s["state"] in ("succeeded", "failed") else None)(status(user, parent)),
                      timeout=15, what="the parent to end")
    assert done["state"] == "succeeded" and done["output"] == {"ok": True}, done
    assert in_flight(stack, user) == 0
