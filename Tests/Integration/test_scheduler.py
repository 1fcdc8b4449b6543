"""Issue 4: launches run end to end through real schedulers, HTTP functions and local processes."""
import copy
from datetime import datetime

import pytest

from sweep_fixtures import SEED_FUNCTIONS, launch, register_http_functions, runs_by_id, seed_example

EXAMPLE2_INPUT = lambda x: {"predecessor_outputs": {"1": {"buckets": [{"count": 3}], "tile": {"tile_id": x}}}, "static_input": {}}


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def seeded(user, functions):
    register_http_functions(user, functions.url, SEED_FUNCTIONS)
    return user


def register(client, definition):
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def test_example1_runs_with_static_input_and_delay(seeded):
    register(seeded, seed_example("example1"))
    status = launch(seeded, "example1")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert set(runs) == {"1", "2", "3", "4"}
    assert runs["2"]["input"] == {"predecessor_outputs": {"1": {"fn": "my_lambda_function1"}}, "static_input": {"msg": "static input message"}}
    assert runs["4"]["input"]["predecessor_outputs"] == {"1": {"fn": "my_lambda_function1"}, "3": {"fn": "my_lambda_function3"}}
    assert sorted(runs["1"]["successors"]) == ["2", "3", "4"] and sorted(runs["4"]["predecessors"]) == ["1", "3"]
    # delay 10: task 3 starts at least 10 s after its predecessor ended.
    gap = (ts(runs["3"]["started_at"]) - ts(runs["1"]["finished_at"])).total_seconds()
    assert 10 <= gap < 15, gap
    assert status["output"] == {"2": {"fn": "my_lambda_function2"}, "4": {"fn": "my_lambda_function4"}}


def test_example2_scatters_into_replicas_with_the_seed_inputs_and_gathers(seeded):
    register(seeded, seed_example("example2"))
    status = launch(seeded, "example2")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert set(runs) == {"1", "2_A", "2_B", "2_C", "3"}
    for suffix, x in zip("ABC", (1, 2, 3)):
        assert runs["2_" + suffix]["input"] == EXAMPLE2_INPUT(x)
        assert runs["2_" + suffix]["predecessors"] == ["1"] and runs["2_" + suffix]["successors"] == ["3"]
    assert runs["3"]["input"] == {"predecessor_outputs": {"2": [{"fn": "mutFunc"}] * 3}, "static_input": {}}
    assert sorted(runs["3"]["predecessors"]) == ["2_A", "2_B", "2_C"]


def test_example3_follow_pairs_replicas(seeded):
    register(seeded, seed_example("example3"))
    status = launch(seeded, "example3")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert set(runs) == {"1", "2_A", "2_B", "2_C", "3_A", "3_B", "3_C"}
    for s in "ABC":
        assert runs["3_" + s]["predecessors"] == ["2_" + s]
        assert runs["3_" + s]["input"] == {"predecessor_outputs": {"2": {"fn": "multFunc"}}, "static_input": {}}


def test_example4_expands_followers_before_any_replica_finishes(seeded):
    register(seeded, seed_example("example4"))
    status = launch(seeded, "example4")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert set(runs) == {"1", "2_A", "2_B", "2_C", "3", "4_A", "4_B", "4_C", "5"}
    first_replica_end = min(ts(runs["2_" + s]["finished_at"]) for s in "ABC")
    for s in "ABC":
        assert sorted(runs["4_" + s]["predecessors"]) == ["2_" + s, "3"]
        assert ts(runs["4_" + s]["created_at"]) <= first_replica_end
    assert sorted(runs["5"]["predecessors"]) == ["4_A", "4_B", "4_C"]
    assert runs["5"]["input"]["predecessor_outputs"] == {"4": [{"fn": "multFunc"}] * 3}


def test_deploy_condition_false_fails_the_task_and_the_launch(seeded):
    definition = seed_example("example2")
    definition["workflow_id"] = "conditional"
    definition["tasks"][2]["properties"] = {"deploy_conditions": ["len(predecessor_outputs['2']) > 5"]}
    register(seeded, definition)
    status = launch(seeded, "conditional")
    assert status["state"] == "failed"
    runs = runs_by_id(status)
    assert runs["3"]["state"] == "failed" and "deploy_condition" in runs["3"]["error"]
    assert all(runs["2_" + s]["state"] == "succeeded" for s in "ABC")


def test_failure_marks_downstream_upstream_failed(seeded, functions):
    register_http_functions(seeded, functions.url, ["fail"])
    definition = {"workflow_id": "failing", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "fail", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start"}},
        {"id": "2", "execution_configurations": [{"function_def_id": "firstFunc", "priority": 1}], "successors": []}]}
    register(seeded, definition)
    status = launch(seeded, "failing")
    assert status["state"] == "failed"
    runs = runs_by_id(status)
    assert runs["1"]["state"] == "failed" and "HTTP 500" in runs["1"]["error"]
    assert runs["2"]["state"] == "upstream_failed"


def test_unreachable_destination_falls_back_to_the_next_configuration(seeded, functions):
    r = seeded.post("/api/v1/destinations", json={"id": "nowhere", "cloud_provider": "http", "base_url": "http://127.0.0.1:9/"})
    assert r.status_code == 201
    assert seeded.post("/api/v1/functions", json={"id": "unreachable", "destination_id": "nowhere", "function_name": "x"}).status_code == 201
    definition = {"workflow_id": "fallback", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "unreachable", "priority": 1},
                                                 {"function_def_id": "firstFunc", "priority": 2}],
         "successors": [], "properties": {"position": "start"}}]}
    register(seeded, definition)
    status = launch(seeded, "fallback")
    assert status["state"] == "succeeded", status
    assert runs_by_id(status)["1"]["output"]["tile"][0] == {"tile_id": 1}


def test_max_task_concurrency_is_never_exceeded(user, functions):
    register_http_functions(user, functions.url, ["slow"], destination="slowdest")
    definition = {"workflow_id": "capped", "config": {"max_task_concurrency": 3}, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"position": "start", "multiplicity": 12, "static_input": {"seconds": 0.3}}}]}
    register(user, definition)
    status = launch(user, "capped")
    assert status["state"] == "succeeded", status
    runs = [t for t in status["tasks"]]
    assert len(runs) == 12
    # Intervals of the runs, as recorded by the schedulers: at no instant more than 3 overlap.
    points = sorted([(ts(t["started_at"]), 1) for t in runs] + [(ts(t["finished_at"]), -1) for t in runs], key=lambda p: (p[0], p[1]))
    live, peak = 0, 0
    for _, delta in points:
        live += delta
        peak = max(peak, live)
    assert 2 <= peak <= 3, peak


def test_max_task_runtime_times_a_run_out(user, functions):
    register_http_functions(user, functions.url, ["slow"], destination="slowdest2")
    definition = {"workflow_id": "timeout", "config": {"max_task_runtime": 1}, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"seconds": 5}}}]}
    register(user, definition)
    status = launch(user, "timeout")
    assert status["state"] == "failed"
    run = runs_by_id(status)["1"]
    assert "timed out" in run["error"]
    assert (ts(run["finished_at"]) - ts(run["started_at"])).total_seconds() < 3


def test_launch_input_idempotency_and_lists_by_state(seeded):
    register(seeded, seed_example("example3"))
    first = seeded.post("/api/v1/workflows/example3/launches", json={"input": {"k": 1}, "idempotency_key": "abc"})
    assert first.status_code == 202
    again = seeded.post("/api/v1/workflows/example3/launches", json={"input": {"k": 2}, "idempotency_key": "abc"})
    assert again.json()["launch_id"] == first.json()["launch_id"]
    status = launch(seeded, "example3", input={"k": 3})
    assert status["input"] == {"k": 3}
    assert runs_by_id(status)["1"]["input"] == {"predecessor_outputs": {}, "static_input": {}, "launch_input": {"k": 3}}
    succeeded = seeded.get("/api/v1/launches", params={"state": "succeeded"}).json()["items"]
    assert status["launch_id"] in [l["launch_id"] for l in succeeded]
    assert all(l["state"] == "succeeded" for l in succeeded)
    assert seeded.get("/api/v1/launches", params={"state": "bogus"}).status_code == 400
    assert seeded.get("/api/v1/launches/not-a-launch").status_code == 404
    assert seeded.post("/api/v1/workflows/nope/launches", json={}).status_code == 404
