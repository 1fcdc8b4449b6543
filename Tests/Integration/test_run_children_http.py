"""Issue 14: run-time children (`POST /api/v1/run/children`, ColonyOS add_child) from an HTTP function run by a
scheduler, with its own task token and `sweep.api_url`. Children wired before a successor are released when their
parent succeeds and the successor gathers them; a task with no successors in its workflow is refused (409
`leaf_task`), because a scheduler records such a task's end without planning and its children would never run."""
from sweep_fixtures import launch, register_http_functions, runs_by_id


def http_task(task_id, function, successors=(), **properties):
    return {"id": task_id, "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "successors": list(successors), "properties": properties}


def test_an_http_function_adds_children_before_its_successor(stack, user, functions):
    register_http_functions(user, functions.url, ["spawn", "noop"])
    definition = {"workflow_id": "spawner", "tasks": [
        http_task("map", "spawn", ["reduce"], position="start", static_input={"children": ["kid_0", "kid_1"], "before": "reduce"}),
        http_task("reduce", "noop")]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "spawner")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert runs["map"]["output"]["status"] == 201 and runs["map"]["output"]["answer"] == {"run_ids": ["kid_0", "kid_1"]}
    assert runs["kid_0"]["state"] == runs["kid_1"]["state"] == "succeeded"
    assert set(runs["reduce"]["predecessors"]) >= {"map", "kid_0", "kid_1"}
    # The gathering successor started only after its children ended.
    assert runs["reduce"]["started_at"] >= max(runs["kid_0"]["finished_at"], runs["kid_1"]["finished_at"])


def test_a_leaf_http_task_is_refused_children_clearly(stack, user, functions):
    register_http_functions(user, functions.url, ["spawn", "noop"])
    definition = {"workflow_id": "leafy", "tasks": [
        http_task("only", "spawn", position="start", static_input={"children": ["kid_0"]})]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "leafy")
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    answer = runs["only"]["output"]
    assert answer["status"] == 409 and answer["answer"]["error"]["code"] == "leaf_task", answer
    assert "kid_0" not in runs
