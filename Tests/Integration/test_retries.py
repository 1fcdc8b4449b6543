"""Issue 13, retries (API.md "Task semantics"): a task error sends the run back to `scheduled` with a durable
`ready_at`, `attempt` counts up, and a `task.retrying` event says when; what is never retried fails at once.
Delays are checked on the events' own timestamps (what the database recorded), never by sleeping."""
from datetime import datetime

from sweep_fixtures import all_items, launch, register_http_functions, runs_by_id


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def task(tid, function, successors=(), **properties):
    return {"id": tid, "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "successors": list(successors), "properties": properties}


def register(client, workflow_id, tasks, **extra):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": tasks, **extra})
    assert r.status_code == 201, r.text


def events_of(client, launch_id, run, kind=None):
    found = [e for e in all_items(client, f"/api/v1/launches/{launch_id}/events") if e["data"].get("run_id") == run]
    return [e for e in found if kind is None or e["event"] == kind]


def calls_of(functions, launch_id):
    return [c for c in functions.calls() if c["launch"] == launch_id]


def test_a_function_failing_twice_succeeds_at_attempt_3_after_the_delay(user, functions):
    register_http_functions(user, functions.url, ["flaky", "noop"])
    register(user, "flaky_twice", [
        task("1", "flaky", ["2"], position="start", retries=2, retry_delay=1, static_input={"succeed_at": 3}),
        task("2", "noop"),
    ])
    status = launch(user, "flaky_twice")
    assert status["state"] == "succeeded", status
    run = runs_by_id(status)["1"]
    assert run["state"] == "succeeded" and run["attempt"] == 3 and run["output"] == {"attempt": 3} and run["error"] is None, run
    assert [c["attempt"] for c in calls_of(functions, status["launch_id"]) if c["function"] == "flaky"] == [1, 2, 3]

    retrying = events_of(user, status["launch_id"], "1", "task.retrying")
    started = events_of(user, status["launch_id"], "1", "task.started")
    assert [e["data"]["attempt"] for e in retrying] == [2, 3], retrying
    assert [e["data"]["attempt"] for e in started] == [1, 2, 3], started
    for event, next_start in zip(retrying, started[1:]):
        data = event["data"]
        assert data["state"] == "scheduled" and "HTTP 503" in data["error"] and "flaky failure" in data["error"], data
        # ready_at is one second after the failure was recorded, and the next attempt did not start before it.
        assert 0.9 <= ts(data["retry_at"]) - ts(data["ts"]) <= 1.0, data
        assert ts(next_start["data"]["ts"]) >= ts(data["retry_at"]), (data, next_start)
    assert runs_by_id(status)["2"]["state"] == "succeeded"


def test_backoff_grows_the_delay_up_to_retry_max_delay(user, functions):
    register_http_functions(user, functions.url, ["flaky"])
    # Delays 0.4, 0.4*3 = 1.2 capped to 0.8, then 0.8 again: min(retry_delay * retry_backoff^(n-1), retry_max_delay).
    register(user, "backoff", [task("1", "flaky", position="start", retries=3, retry_backoff=3, retry_max_delay=0.8,
                                    static_input={"succeed_at": 4})], config={"retry_delay": 0.4})
    status = launch(user, "backoff")
    assert status["state"] == "succeeded" and runs_by_id(status)["1"]["attempt"] == 4, status
    delays = [ts(e["data"]["retry_at"]) - ts(e["data"]["ts"]) for e in events_of(user, status["launch_id"], "1", "task.retrying")]
    assert len(delays) == 3, delays
    for seen, expected in zip(delays, [0.4, 0.8, 0.8]):
        assert expected - 0.1 <= seen <= expected, delays


def test_config_retries_are_the_default_and_a_task_may_turn_them_off(user, functions):
    register_http_functions(user, functions.url, ["flaky"])
    register(user, "config_default", [
        task("a", "flaky", ["b"], position="start", static_input={"succeed_at": 2}),
        task("b", "flaky", retries=0, static_input={"succeed_at": 2}),
    ], config={"retries": 1})
    status = launch(user, "config_default")
    runs = runs_by_id(status)
    assert runs["a"]["state"] == "succeeded" and runs["a"]["attempt"] == 2, runs["a"]
    assert runs["b"]["state"] == "failed" and runs["b"]["attempt"] == 1, runs["b"]
    assert status["state"] == "failed"


def test_exhausted_retries_fail_the_run_with_the_last_error(user, functions):
    register_http_functions(user, functions.url, ["flaky", "noop"])
    register(user, "exhausted", [
        task("1", "flaky", ["2"], position="start", retries=2, static_input={"succeed_at": 99}),
        task("2", "noop"),
    ])
    status = launch(user, "exhausted")
    assert status["state"] == "failed", status
    runs = runs_by_id(status)
    assert runs["1"]["state"] == "failed" and runs["1"]["attempt"] == 3, runs["1"]
    assert "flaky failure at attempt 3" in runs["1"]["error"], runs["1"]
    assert runs["2"]["state"] == "upstream_failed"
    assert len(events_of(user, status["launch_id"], "1", "task.retrying")) == 2
    failed = events_of(user, status["launch_id"], "1", "task.failed")
    assert len(failed) == 1 and "flaky failure at attempt 3" in failed[0]["data"]["error"], failed
    assert len([c for c in calls_of(functions, status["launch_id"]) if c["function"] == "flaky"]) == 3


def test_an_error_marked_not_retryable_fails_at_once(user, functions):
    register_http_functions(user, functions.url, ["fatal"])
    register(user, "fatal", [task("1", "fatal", position="start", retries=3)])
    status = launch(user, "fatal")
    assert status["state"] == "failed", status
    run = runs_by_id(status)["1"]
    assert run["state"] == "failed" and run["attempt"] == 1 and "HTTP 422" in run["error"], run
    assert events_of(user, status["launch_id"], "1", "task.retrying") == []
    assert len(calls_of(functions, status["launch_id"])) == 1


def test_a_false_deploy_condition_is_never_retried(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, "condition", [task("1", "noop", position="start", retries=3, deploy_conditions=["1 == 2"])])
    status = launch(user, "condition")
    run = runs_by_id(status)["1"]
    assert status["state"] == "failed" and run["state"] == "failed" and run["attempt"] == 0, run
    assert "deploy_condition_false" in run["error"], run
    assert events_of(user, status["launch_id"], "1", "task.retrying") == []
    assert calls_of(functions, status["launch_id"]) == []


def test_a_timeout_is_a_task_error_and_max_runtime_applies_to_http_functions(user, functions):
    register_http_functions(user, functions.url, ["slow"])
    # config.max_task_runtime is 30 s; the task's own max_runtime (1 s) times the 3 s call out, once per attempt.
    register(user, "http_timeout", [task("1", "slow", position="start", max_runtime=1, retries=1,
                                          static_input={"seconds": 3})], config={"max_task_runtime": 30})
    status = launch(user, "http_timeout")
    run = runs_by_id(status)["1"]
    assert status["state"] == "failed" and run["attempt"] == 2 and run["error"] == "timed out after 1 s (max_runtime)", run
    started = events_of(user, status["launch_id"], "1", "task.started")
    retrying = events_of(user, status["launch_id"], "1", "task.retrying")
    assert len(retrying) == 1 and "timed out after 1 s" in retrying[0]["data"]["error"], retrying
    assert 0.9 <= ts(retrying[0]["data"]["ts"]) - ts(started[0]["data"]["ts"]) < 2.5, (started, retrying)


def test_max_runtime_applies_to_local_functions_both_ways(user):
    from sweep_fixtures import zip_of
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "nap", "destination_id": "here", "function_name": "nap",
                                                 "runtime": "python3.8"}).status_code == 201
    code = "import time\ndef handler(event, context):\n    time.sleep(event['static_input']['s'])\n    return {'slept': event['static_input']['s']}\n"
    r = user.put("/api/v1/functions/nap/code", data=zip_of({"main.py": code}), headers={"Content-Type": "application/zip"})
    assert r.status_code == 200
    # config.max_task_runtime is 1 s: the 2 s nap succeeds under its own 20 s, the 30 s nap is killed after its 1 s.
    register(user, "local_runtime", [
        task("long", "nap", ["short"], position="start", max_runtime=20, static_input={"s": 2}),
        task("short", "nap", max_runtime=1, static_input={"s": 30}),
    ], config={"max_task_runtime": 1})
    status = launch(user, "local_runtime")
    runs = runs_by_id(status)
    assert runs["long"]["state"] == "succeeded" and runs["long"]["output"] == {"slept": 2}, runs["long"]
    assert runs["short"]["state"] == "failed" and runs["short"]["error"] == "timed out after 1 s (max_runtime)", runs["short"]
    started = events_of(user, status["launch_id"], "short", "task.started")
    failed = events_of(user, status["launch_id"], "short", "task.failed")
    assert ts(failed[0]["data"]["ts"]) - ts(started[0]["data"]["ts"]) < 10, (started, failed)
