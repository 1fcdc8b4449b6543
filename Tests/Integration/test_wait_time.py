"""Issue 13: `max_wait_time` and `enabled: false`.

A run ready to start that nothing starts within its task's max_wait_time fails with code `wait_timeout` (the
wait-time enforcer every scheduler runs; here the user's running cap of 0 keeps the run unstarted), and what
depends on it is upstream_failed. A disabled task's runs end `skipped` with output `{}` without executing, and
their successors proceed as after a success, scattered tasks included."""
from stack import wait_until
from sweep_fixtures import launch, register_http_functions, runs_by_id
from test_retries import calls_of, events_of, register, task, ts


def ended(client, launch_id):
    status = client.get("/api/v1/launches/" + launch_id).json()
    return status if status["state"] in ("succeeded", "failed", "cancelled") else None


def test_a_run_nothing_starts_within_max_wait_time_fails_wait_timeout(admin, user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, "unstarted", [task("1", "noop", ["2"], position="start", max_wait_time=1), task("2", "noop")])
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_running_runs": 0}).status_code == 200
    launch_id = user.post("/api/v1/workflows/unstarted/launches", json={}).json()["launch_id"]
    status = wait_until(lambda: ended(user, launch_id), timeout=20, what="the unstarted launch to fail")
    runs = runs_by_id(status)
    assert status["state"] == "failed", status
    assert runs["1"]["state"] == "failed" and runs["1"]["attempt"] == 0 and runs["1"]["error"].startswith("wait_timeout"), runs["1"]
    assert runs["2"]["state"] == "upstream_failed", runs["2"]
    assert calls_of(functions, launch_id) == []
    scheduled = events_of(user, launch_id, "1", "task.scheduled")
    failed = events_of(user, launch_id, "1", "task.failed")
    assert len(failed) == 1 and failed[0]["data"]["error"].startswith("wait_timeout"), failed
    # Failed no sooner than its max wait (and the enforcer looks every second).
    assert 1.0 <= ts(failed[0]["data"]["ts"]) - ts(scheduled[0]["data"]["ts"]) < 4.0, (scheduled, failed)


def test_a_run_started_within_its_max_wait_time_is_unaffected(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, "started_in_time", [task("1", "noop", ["2"], position="start", max_wait_time=30), task("2", "noop", max_wait_time=30)])
    status = launch(user, "started_in_time")
    assert status["state"] == "succeeded" and all(r["state"] == "succeeded" for r in status["tasks"]), status


def test_a_disabled_task_is_skipped_and_its_successors_proceed(user, functions):
    register_http_functions(user, functions.url, ["noop", "numbers"])
    register(user, "skipping", [
        task("off_start", "numbers", ["after_start"], position="start", enabled=False),
        task("after_start", "noop", ["off_mid"]),
        task("off_mid", "numbers", ["last"], enabled=False),
        task("last", "noop"),
    ])
    status = launch(user, "skipping")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    for name in ("off_start", "off_mid"):
        assert runs[name]["state"] == "skipped" and runs[name]["output"] == {} and runs[name]["attempt"] == 0, runs[name]
        assert len(events_of(user, status["launch_id"], name, "task.skipped")) == 1
    assert runs["after_start"]["state"] == "succeeded" and runs["last"]["state"] == "succeeded"
    # Successors see the skipped task's output as {}; nothing of it was executed.
    assert runs["after_start"]["input"]["predecessor_outputs"] == {"off_start": {}}, runs["after_start"]
    assert runs["last"]["input"]["predecessor_outputs"] == {"off_mid": {}}, runs["last"]
    assert sorted(c["function"] for c in calls_of(functions, status["launch_id"])) == ["noop", "noop"]


def test_a_disabled_scattered_task_skips_every_replica(user, functions):
    register_http_functions(user, functions.url, ["noop", "numbers"])
    register(user, "skip_scatter", [
        task("1", "numbers", ["2"], position="start", static_input={"n": 3}),
        task("2", "noop", ["3"], scatter="predecessor_outputs['1']['numbers']", enabled=False),
        task("3", "noop"),
    ])
    status = launch(user, "skip_scatter")
    assert status["state"] == "succeeded", status
    replicas = [r for r in status["tasks"] if r["task_id"] == "2" and r["run_id"] != "2"]
    assert len(replicas) == 3 and all(r["state"] == "skipped" and r["output"] == {} for r in replicas), status["tasks"]
    assert [r["state"] for r in status["tasks"] if r["task_id"] == "3"] == ["succeeded"]
    assert sorted(c["function"] for c in calls_of(functions, status["launch_id"])) == ["noop", "numbers"]
