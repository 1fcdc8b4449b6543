"""A run's input as functions, executors and the API see it, now that a run holding the launch's input unchanged
stores its input without it (migration 0030, `splice_launch_input`) and every reader puts it back
(`RunInputSQL.input`). What each reader shows must be exactly the input it showed when the whole input was stored:
the function's body (less the `sweep` member the scheduler adds), an executor's assignment, the run list
(`GET /launches/{id}/runs`) and the launch status all give the same JSON, numbers' int/float kind included."""
import json

from sweep_fixtures import register_http_functions
from stack import wait_until
from test_executors import assign, new_executor

# Numbers whose text PostgreSQL's numeric and the worker's JSON both have to keep: floats that are whole, a
# negative zero, an exponent, an integer past Int64 (kept exactly, README "Numbers are kept exactly"); and strings
# that need escaping.
LAUNCH_INPUT = {"items": [1, 2.5, "x"], "numbers": [1.0, 100.0, -0.0, 0.1, 1e-07, 3, -7, 2 ** 70],
                "text": "caf\u00e9 \"quoted\" \\ \u2028 \U0001F600", "nested": {"a": [{}, [], None, True]}, "sweep": "kept"}


def canonical(value):
    """JSON text that tells 1 from 1.0 (Python's == does not)."""
    return json.dumps(value, sort_keys=True)


def definition(workflow_id):
    def task(task_id, function, successors=(), **properties):
        return {"id": task_id, "execution_configurations": [{"function_def_id": function, "priority": 1}],
                "successors": list(successors), "properties": properties}
    return {"workflow_id": workflow_id, "tasks": [
        # A plain task, and replicas of a scatter over its output (planned from a template).
        task("n", "numbers", ["s", "1", "t", "u"], position="start", static_input={"n": 3}),
        task("s", "splice_scatter", [], scatter="predecessor_outputs['n']['numbers']"),
        # Replicas over the launch input (their launch_input holds their element: stored whole) and a follower each
        # (the launch input unchanged: stored without it).
        task("1", "splice_scatter", ["2"], scatter="launch_input['items']"),
        task("2", "splice_follow", [], follow="1", static_input={"k": [1, 1.5]}),
        # A computed input keeps the value its transform gave, launch_input included or not.
        task("t", "splice_transform", [], transform_input="[launch_input['items'][1], static_input]", static_input={"s": 1}),
        task("u", "splice_transform", [], transform_input="input"),
    ]}


def api_inputs(user, launch_id):
    """Each run's input, from the run list (every page) and from the launch status; both must agree."""
    listed = {}
    cursor = None
    while True:
        r = user.get(f"/api/v1/launches/{launch_id}/runs", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        for run in page["items"]:
            listed[run["run_id"]] = run["input"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    status = user.get(f"/api/v1/launches/{launch_id}").json()
    shown = {run["run_id"]: run["input"] for run in status["tasks"]}
    assert set(shown) == set(listed)
    differing = [(name, canonical(shown[name]), canonical(listed[name])) for name in listed if canonical(shown[name]) != canonical(listed[name])]
    assert differing == []
    for name in listed:
        one = user.get(f"/api/v1/launches/{launch_id}/runs", params={"run_id": name}).json()["items"]
        assert [canonical(run["input"]) for run in one] == [canonical(listed[name])]
    return status, listed


def run_launch(user, functions, workflow_id, launch_input):
    body = {"wait": 60} if launch_input is None else {"wait": 60, "input": launch_input}
    r = user.post(f"/api/v1/workflows/{workflow_id}/launches", json=body, timeout=90)
    assert r.status_code in (200, 202), r.text
    launch_id = r.json()["launch_id"]
    status = wait_until(lambda: (s := user.get(f"/api/v1/launches/{launch_id}").json())["state"] in ("succeeded", "failed") and s,
                        timeout=60, what="the launch to end")
    assert status["state"] == "succeeded", status
    received = {}
    for call in functions.calls():
        if call["launch"] == launch_id:
            payload = call["input"]
            if isinstance(payload, dict):
                # The scheduler adds its own `sweep` member to an object input (LAUNCH_INPUT's own is inside launch_input).
                payload = {k: v for k, v in payload.items() if k != "sweep"}
            received[call["run"]] = payload
    return launch_id, received


def check_launch(stack, user, functions, workflow_id, launch_input):
    launch_id, received = run_launch(user, functions, workflow_id, launch_input)
    status, listed = api_inputs(user, launch_id)
    assert set(received) == set(listed) == {"1_A", "1_B", "1_C", "2_A", "2_B", "2_C", "n", "s_A", "s_B", "s_C", "t", "u"}
    # The function got what the API shows, byte for byte as JSON values go.
    assert {k: canonical(v) for k, v in received.items()} == {k: canonical(v) for k, v in listed.items()}

    # The launch input as the launch shows it (PostgreSQL's numeric text, as every run showed it before).
    shown = status["input"]
    with_launch = {} if shown is None else {"launch_input": shown}
    follower = {"predecessor_outputs": {"1": {"fn": "splice_scatter"}}, "static_input": {"k": [1, 1.5]}, **with_launch}
    assert canonical(listed["2_B"]) == canonical(follower)
    assert canonical(listed["n"]) == canonical({"predecessor_outputs": {}, "static_input": {"n": 3}, **with_launch})
    assert canonical(listed["s_C"]) == canonical({"predecessor_outputs": {"n": {"numbers": 2}}, "static_input": {}, **with_launch})
    if shown is not None:
        assert canonical(listed["1_B"]) == canonical({"predecessor_outputs": {"n": {"numbers": [0, 1, 2]}}, "static_input": {},
                                                      "launch_input": {**shown, "items": shown["items"][1]}})
        assert canonical(listed["t"]) == canonical([shown["items"][1], {"s": 1}])
    assert canonical(listed["u"]) == canonical({"predecessor_outputs": {"n": {"numbers": [0, 1, 2]}}, "static_input": {}, **with_launch})

    # What is stored: only runs holding the launch input unchanged leave it out, and only when there is one.
    stored = {name: (flag == "t", holds == "t") for name, flag, holds in stack.psql(
        "SELECT name, splice_launch_input, input ? 'launch_input' FROM task_runs WHERE launch_id = :'p1' AND kind = 'task'", launch_id)}
    spliced = {name for name, (flag, _) in stored.items() if flag}
    if launch_input is None:
        assert spliced == set()
    else:
        # `u`'s transform gives the standard input back: a computed input is stored as computed.
        assert spliced == {"2_A", "2_B", "2_C", "n", "s_A", "s_B", "s_C"}
        assert all(not stored[name][1] for name in spliced)
        assert stored["u"][1] and stored["1_A"][1]
    return status


def test_every_reader_sees_the_input_the_function_got(stack, user, functions):
    register_http_functions(user, functions.url, ["splice_scatter", "splice_follow", "numbers", "splice_transform"])
    r = user.post("/api/v1/workflows", json=definition("splice"))
    assert r.status_code == 201, r.text
    check_launch(stack, user, functions, "splice", LAUNCH_INPUT)
    check_launch(stack, user, functions, "splice", {"items": [{"deep": [1]}, [], None], "other": {}})
    # Without a launch input: no launch_input anywhere, nothing spliced (t's transform reads launch_input: left out).
    no_input = definition("splice_bare")
    no_input["tasks"] = [t for t in no_input["tasks"] if t["id"] not in ("1", "2", "t")]
    no_input["tasks"][0]["successors"] = ["s", "u"]
    assert user.post("/api/v1/workflows", json=no_input).status_code == 201
    launch_id, received = run_launch(user, functions, "splice_bare", None)
    _, listed = api_inputs(user, launch_id)
    assert set(received) == set(listed) == {"n", "s_A", "s_B", "s_C", "u"}
    assert {k: canonical(v) for k, v in received.items()} == {k: canonical(v) for k, v in listed.items()}
    assert all("launch_input" not in v for v in listed.values())
    assert stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1' AND splice_launch_input", launch_id) == [["0"]]


def test_an_executor_gets_the_input_the_api_shows(stack, user, functions):
    """Followers run by a remote executor: the assignment's input (the executor claim) is the spliced input."""
    register_http_functions(user, functions.url, ["splice_scatter"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "splice_exec", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "splice_scatter", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "scatter": "launch_input['items']"}},
        {"id": "2", "execution_configurations": [{"executor_type": "splice-executor", "function": "f", "priority": 1}], "successors": [],
         "properties": {"follow": "1"}}]}).status_code == 201
    executor = new_executor(user, name="splice", type="splice-executor")
    launch_id = user.post("/api/v1/workflows/splice_exec/launches", json={"input": LAUNCH_INPUT}).json()["launch_id"]
    assigned = {}

    def take():
        for item in assign(user, executor["id"], wait=1, max=10):
            assigned[item["run_id"]] = item["input"]
        return len(assigned) == 3
    wait_until(take, timeout=60, what="three followers assigned")
    _, listed = api_inputs(user, launch_id)
    assert set(assigned) == {"2_A", "2_B", "2_C"}
    for name, value in assigned.items():
        assert canonical(value) == canonical(listed[name])
        assert canonical(value) == canonical({"predecessor_outputs": {"1": {"fn": "splice_scatter"}}, "static_input": {},
                                              "launch_input": user.get(f"/api/v1/launches/{launch_id}").json()["input"]})
    assert stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1' AND name LIKE '2_%' AND splice_launch_input",
                      launch_id) == [["3"]]
    assert user.post(f"/api/v1/launches/{launch_id}/cancel").status_code in (200, 202)
