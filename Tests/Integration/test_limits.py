"""Issue 10: per-user limits as data (admin API), bounds checked before work."""
import time

import requests

from sweep_fixtures import launch, register_http_functions
from stack import wait_until


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def one_task(workflow_id, function="noop", **properties):
    return {"workflow_id": workflow_id, "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": function, "priority": 1}],
                                                   "successors": [], "properties": dict(position="start", **properties)}]}


def test_admins_read_and_replace_limits_with_defaults_for_what_is_unset(admin, user):
    r = admin.get(f"/api/v1/users/{user.username}/limits")
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["username"] == user.username
    assert all(value is None for value in shown["limits"].values()) and len(shown["limits"]) == 5
    assert shown["effective"]["max_replicas_per_launch"] == 100000
    r = admin.put(f"/api/v1/users/{user.username}/limits", json={"max_streams": 3, "max_stored_bytes": 2 ** 40})
    assert r.status_code == 200 and r.json()["limits"]["max_streams"] == 3 and r.json()["effective"]["max_streams"] == 3
    assert admin.get(f"/api/v1/users/{user.username}/limits").json()["limits"]["max_stored_bytes"] == 2 ** 40
    # A PUT replaces: what is left out goes back to the default.
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={}).json()["limits"]["max_streams"] is None


def test_limits_are_validated_admin_only_and_404_for_unknown_users(admin, user):
    for body, field in [({"max_streams": -1}, "/max_streams"), ({"max_streams": "3"}, "/max_streams"),
                        ({"max_replicas_per_launch": 0}, "/max_replicas_per_launch"), ({"max_running_runs": 2 ** 31}, "/max_running_runs"),
                        ({"max_streams": 1.5}, "/max_streams"), ({"bogus": 1}, "/bogus")]:
        r = admin.put(f"/api/v1/users/{user.username}/limits", json=body)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, (body, r.text)
    assert admin.put(f"/api/v1/users/{user.username}/limits", data=b"[1]", headers={"Content-Type": "application/json"}).status_code == 400
    assert admin.get("/api/v1/users/nobody-here/limits").status_code == 404
    assert admin.put("/api/v1/users/nobody-here/limits", json={}).status_code == 404
    assert user.get(f"/api/v1/users/{user.username}/limits").status_code == 403
    assert user.put(f"/api/v1/users/{user.username}/limits", json={"max_streams": 100}).status_code == 403


def test_the_ten_to_the_eighth_plan_is_a_422_in_under_a_second_with_memory_flat(stack, user, functions):
    register_http_functions(user, functions.url, ["noop"])
    workflow = {"workflow_id": "huge", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "multiplicity": 10000}},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"follow": "1", "multiplicity": 10000}}]}
    worker = stack.workers[-1].pid
    before = rss_kib(worker)
    started = time.monotonic()
    r = user.post("/api/v1/workflows", json=workflow)
    elapsed = time.monotonic() - started
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "too_many_runs" and r.json()["error"]["field"] == "/tasks/1/properties/multiplicity"
    assert "100000" in r.json()["error"]["message"]
    assert elapsed < 1.0
    assert rss_kib(worker) - before < 20 * 1024


def test_replicas_per_launch_is_checked_at_registration_and_at_launch(admin, user, functions):
    register_http_functions(user, functions.url, ["noop"])
    assert user.post("/api/v1/workflows", json=one_task("twenty", multiplicity=20)).status_code == 201
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_replicas_per_launch": 10}).status_code == 200
    r = user.post("/api/v1/workflows", json=one_task("thirty", multiplicity=30))
    assert r.status_code == 422 and r.json()["error"]["field"] == "/tasks/0/properties/multiplicity"
    # Registered before the limit was lowered: refused at launch, nothing created.
    r = user.post("/api/v1/workflows/twenty/launches", json={})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_runs", r.text
    assert user.get("/api/v1/launches").json()["items"] == []


def test_launch_input_is_bounded(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    assert user.post("/api/v1/workflows", json=one_task("w")).status_code == 201
    r = user.post("/api/v1/workflows/w/launches", json={"input": {"blob": "x" * (1 << 20)}})
    assert r.status_code == 413 and r.json()["error"]["code"] == "input_too_large" and r.json()["error"]["field"] == "/input"
    deep = 1
    for _ in range(110):
        deep = [deep]
    r = user.post("/api/v1/workflows/w/launches", json={"input": deep})
    assert r.status_code == 422 and r.json()["error"]["code"] == "input_too_deep"


def test_launches_in_flight_over_the_limit_get_a_429_until_one_ends(admin, user, functions):
    register_http_functions(user, functions.url, ["slow"])
    assert user.post("/api/v1/workflows", json=one_task("slow", "slow", static_input={"seconds": 30})).status_code == 201
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_launches_in_flight": 1}).status_code == 200
    first = user.post("/api/v1/workflows/slow/launches", json={})
    assert first.status_code == 202
    r = user.post("/api/v1/workflows/slow/launches", json={})
    assert r.status_code == 429 and r.json()["error"]["code"] == "limit_exceeded", r.text
    assert r.json()["error"]["field"] == "/max_launches_in_flight" and int(r.headers["Retry-After"]) > 0
    assert user.post(f"/api/v1/launches/{first.json()['launch_id']}/cancel").status_code == 202
    assert user.post("/api/v1/workflows/slow/launches", json={}).status_code == 202


def test_streams_over_the_limit_get_a_429_and_a_closed_stream_frees_its_place(stack, admin, user):
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_streams": 1}).status_code == 200
    headers = {"Authorization": "Bearer " + user.key, "Accept": "text/event-stream"}
    first = requests.get(stack.url + "/api/v1/events", headers=headers, stream=True, timeout=10)
    assert first.status_code == 200
    second = requests.get(stack.url + "/api/v1/events", headers=headers, stream=True, timeout=10)
    assert second.status_code == 429 and second.json()["error"]["field"] == "/max_streams"
    first.close()

    def admitted():
        r = requests.get(stack.url + "/api/v1/events", headers=headers, stream=True, timeout=10)
        r.close()
        return r.status_code == 200
    # The hub notices the closed connection on its next write (a heartbeat at the latest); poll for it.
    wait_until(admitted, timeout=30, interval=0.2, what="the closed stream's place to be freed")


def test_a_scatter_wider_than_the_users_replicas_limit_fails_its_task_naming_the_limit(admin, user, functions):
    register_http_functions(user, functions.url, ["numbers", "noop"])
    workflow = {"workflow_id": "fan", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": 100}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']"}}]}
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_replicas_per_launch": 50}).status_code == 200
    assert user.post("/api/v1/workflows", json=workflow).status_code == 201  # a scatter's width is not known yet
    status = launch(user, "fan", wait=20)
    assert status["state"] == "failed", status
    gate = next(t for t in status["tasks"] if t["task_id"] == "2")
    assert gate["state"] == "failed" and "too_many_runs" in gate["error"] and "50" in gate["error"], gate
    assert len(status["tasks"]) == 2  # nothing expanded


def test_max_running_runs_caps_a_users_running_runs_the_rest_wait_and_all_succeed(admin, user, other_user, functions):
    def held_workflow(client, gate):
        register_http_functions(client, functions.url, ["gate"])
        r = client.post("/api/v1/workflows", json=one_task("held", function="gate", multiplicity=6, static_input={"gate": gate}))
        assert r.status_code == 201, r.text
        r = client.post("/api/v1/workflows/held/launches", json={})
        assert r.status_code == 202, r.text
        return r.json()["launch_id"]

    peak = [0]

    def states(client, launch_id, watch=False):
        runs = client.get(f"/api/v1/launches/{launch_id}").json()["tasks"]
        found = [run["state"] for run in runs]
        if watch:
            peak[0] = max(peak[0], found.count("running"))
        return found

    gate_a, gate_b = f"cap-{user.username}", f"cap-{other_user.username}"
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_running_runs": 2}).status_code == 200
    capped = held_workflow(user, gate_a)
    wait_until(lambda: states(user, capped, watch=True).count("running") == 2, what="two of the capped user's runs running")
    # The other user's runs are not capped (the default is 5,000): all six run at once, while the capped user's
    # launch keeps two running and four waiting, none failed.
    free = held_workflow(other_user, gate_b)

    def other_all_running():
        states(user, capped, watch=True)
        return states(other_user, free).count("running") == 6

    wait_until(other_all_running, what="all six of the other user's runs running")
    found = states(user, capped, watch=True)
    assert found.count("running") == 2 and found.count("scheduled") == 4, found
    # The function server is shared with other tests, whose calls may carry any JSON as input.
    def gate_of(call):
        static = call["input"].get("static_input") if isinstance(call["input"], dict) else None
        return static.get("gate") if isinstance(static, dict) else None

    assert len([c for c in functions.calls() if gate_of(c) == gate_a]) == 2

    # Released: the capped runs finish and the waiting ones start as they do, never more than two at once.
    requests.post(functions.url + "_open/" + gate_a, timeout=10).raise_for_status()
    wait_until(lambda: states(user, capped, watch=True) == ["succeeded"] * 6, what="the capped user's six runs succeeded")
    assert peak[0] == 2
    assert user.get(f"/api/v1/launches/{capped}").json()["state"] == "succeeded"
    requests.post(functions.url + "_open/" + gate_b, timeout=10).raise_for_status()
    wait_until(lambda: other_user.get(f"/api/v1/launches/{free}").json()["state"] == "succeeded", what="the other launch succeeded")
