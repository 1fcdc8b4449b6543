"""Issue 10: an HTTP function learns which run and which attempt it executes, as headers and in its input, so it
can deduplicate (execution is at least once; test_faults.py shows retried attempts carry their own number)."""
from sweep_fixtures import launch, register_http_functions


def test_http_functions_receive_run_id_and_attempt_as_headers_and_input(user, functions):
    register_http_functions(user, functions.url, ["numbers", "noop"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "identity", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": 3}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']"}}]}).status_code == 201
    status = launch(user, "identity")
    assert status["state"] == "succeeded", status
    calls = [c for c in functions.calls() if c["launch"] == status["launch_id"]]
    assert sorted(c["run"] for c in calls) == ["1", "2_A", "2_B", "2_C"]
    for call in calls:
        sweep = call["input"]["sweep"]
        assert sweep["run_id"] == call["run"] and sweep["launch_id"] == call["launch"] == status["launch_id"]
        assert sweep["attempt"] == call["attempt"] == 1
        assert sweep["token"].startswith("tt_") and sweep["progress_url"].endswith("/api/v1/progress")
        assert sweep["progress_url"] == sweep["api_url"] + "/api/v1/progress"
