"""Issue 4: the chain fast path. A run whose one successor is plain is recorded, and that successor prepared and
claimed, by one statement (the routine sweep_chain_step, built from the statements of the general path); what it
writes must be exactly what the general path writes. Which path a completion takes is asserted by the Swift tests
of the scheduler (SweepSchedulerTests), which call each path directly."""
import requests

from sweep_fixtures import launch, register_http_functions
from stack import wait_until
from test_events import all_events_json

FUNCTIONS = ["chain_a", "chain_b", "chain_c"]


def chain_definition(workflow_id, config=None):
    definition = {"workflow_id": workflow_id, "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "chain_a", "priority": 1}], "successors": ["b"],
         "properties": {"position": "start", "static_input": {"k": 1}}},
        {"id": "b", "execution_configurations": [{"function_def_id": "chain_b", "priority": 1}], "successors": ["c"],
         "properties": {"static_input": {"list": [1, 2.5, "x"]}, "static_output": "predecessor_outputs['a']['fn']"}},
        {"id": "c", "execution_configurations": [{"function_def_id": "chain_c", "priority": 1}], "successors": [],
         "properties": {"static_input": "text"}},
    ]}
    if config:
        definition["config"] = config
    return definition


def comparable(status, events):
    runs = {t["run_id"]: {k: t[k] for k in ("state", "input", "output", "predecessors", "successors", "attempt")} for t in status["tasks"]}
    kinds = [(e["event"], e["data"].get("run_id"), {k: v for k, v in e["data"].items() if k not in ("ts", "launch_id")}) for e in events]
    return runs, kinds, status["output"], status["progress"]


def test_fast_path_writes_what_the_general_path_writes(stack, user, functions):
    register_http_functions(user, functions.url, FUNCTIONS)
    assert user.post("/api/v1/workflows", json=chain_definition("fast_chain")).status_code == 201
    # max_task_concurrency makes the fast path refuse (admission needs the general path), so this twin runs the
    # general path on every edge.
    assert user.post("/api/v1/workflows", json=chain_definition("general_chain", {"max_task_concurrency": 5})).status_code == 201

    fast = launch(user, "fast_chain", input={"n": 7})
    general = launch(user, "general_chain", input={"n": 7})

    assert fast["state"] == "succeeded" and general["state"] == "succeeded", (fast, general)

    fast_view = comparable(fast, all_events_json(user, fast["launch_id"]))
    general_view = comparable(general, all_events_json(user, general["launch_id"]))
    assert fast_view == general_view
    runs = fast_view[0]
    assert runs["b"]["input"] == {"predecessor_outputs": {"a": {"fn": "chain_a"}}, "static_input": {"list": [1, 2.5, "x"]},
                                  "launch_input": {"n": 7}}
    assert runs["b"]["output"] == {"fn": "chain_b", "static_output": "chain_a"}
    assert runs["c"]["input"] == {"predecessor_outputs": {"b": {"fn": "chain_b", "static_output": "chain_a"}}, "static_input": "text",
                                  "launch_input": {"n": 7}}
    assert [k[:2] for k in fast_view[1]] == [
        ("task.scheduled", "a"), ("launch.started", None), ("task.started", "a"), ("task.succeeded", "a"),
        ("task.scheduled", "b"), ("task.started", "b"), ("task.succeeded", "b"),
        ("task.scheduled", "c"), ("task.started", "c"), ("task.succeeded", "c"), ("launch.succeeded", None)]
    assert fast["progress"] == {"total": 3, "finished": 3, "failed": 0}


def test_a_stale_attempt_takes_nothing(stack, user, functions):
    """The function is fenced like the general path: a result for an attempt that is not the running one changes
    nothing and claims nothing; the real result then moves the chain on as usual. Task a waits at a gate until the
    stale result has been tried and its absence checked (a fixed sleep could end first on a loaded machine)."""
    register_http_functions(user, functions.url, ["gate", "chain_b"])
    definition = {"workflow_id": "fenced_chain", "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "gate", "priority": 1}], "successors": ["b"],
         "properties": {"position": "start", "static_input": {"gate": "fenced_chain_a"}}},
        {"id": "b", "execution_configurations": [{"function_def_id": "chain_b", "priority": 1}], "successors": []}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    launch_id = user.post("/api/v1/workflows/fenced_chain/launches", json={}).json()["launch_id"]
    running = wait_until(lambda: stack.psql("SELECT id, attempt FROM task_runs WHERE launch_id = :'p1' AND name = 'a' AND state = 'running'",
                                            launch_id), what="task a running")
    run_id, attempt = running[0]
    rows = stack.psql("SELECT * FROM sweep_chain_step(:'p1', :'p2', '{}'::jsonb, NULL, 0, 'b', '{}'::jsonb, '{}'::jsonb, "
                      "'null'::jsonb, 'intruder', 30, NULL)", run_id, str(int(attempt) - 1))
    assert rows == []
    assert stack.psql("SELECT name, state, attempt FROM task_runs WHERE launch_id = :'p1' ORDER BY name", launch_id) == [
        ["a", "running", attempt], ["b", "pending", "0"]]
    requests.post(functions.url + "_open/fenced_chain_a", timeout=5).raise_for_status()
    status = wait_until(lambda: (lambda s: s if s["state"] in ("succeeded", "failed") else None)(
        user.get("/api/v1/launches/" + launch_id).json()), timeout=30, what="launch end")
    assert status["state"] == "succeeded"
    runs = {t["run_id"]: t for t in status["tasks"]}
    output = {"gate": "fenced_chain_a", "run": "a", "attempt": int(attempt)}
    assert runs["a"]["output"] == output and runs["b"]["attempt"] == 1
    assert runs["b"]["input"] == {"predecessor_outputs": {"a": output}, "static_input": {}}
