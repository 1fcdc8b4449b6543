"""Issue 13, the model/planner half: v1.1 task properties that run today (transform_input, command as an
expression, max_runtime per task, labels, launching an older version), 422 with a field for bad values, and 422
`not_supported_yet` for what needs run transitions not built yet."""
import time

import pytest

from sweep_fixtures import launch, register_demo_container, register_http_functions, runs_by_id
from test_browser import browser  # noqa: F401  (the fixture, shared with the status page test)


def start_task(function, **properties):
    return {"id": "start", "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "properties": {"position": "start", **properties}}


def local_container(client, cid="shell"):
    """A container definition of the demo image (busybox), uploaded: container tasks run their image in podman."""
    register_demo_container(client, container_id=cid)


def container_task(tid, command, successors=(), cid="shell", **properties):
    return {"id": tid, "execution_configurations": [{"container_def_id": cid, "priority": 1}], "successors": list(successors),
            "properties": {"command": command, **properties}}


def logs(client, launch_id, run):
    r = client.get(f"/api/v1/launches/{launch_id}/tasks/{run}/logs")
    assert r.status_code == 200, r.text
    return r.text


def calls_of(functions, launch_id):
    return [c for c in functions.calls() if c["launch"] == launch_id]


def test_transform_input_reshapes_what_the_http_function_receives(user, functions):
    # Seed 001's Concat: the function expects a list of strings, the transform builds it from param and Reverser.
    register_http_functions(user, functions.url, ["Reverser", "Concat"])
    definition = {"workflow_id": "string_transformer", "tasks": [
        {**start_task("Reverser", static_input={"text": "DLROW"}), "id": "Reverser", "successors": ["Concat"]},
        {"id": "Concat", "execution_configurations": [{"function_def_id": "Concat", "priority": 1}],
         "properties": {"static_input": "Hello", "label": "Concat",
                        "transform_input": "[param, ' ', input['static_input'] + '/' + predecessor_outputs['Reverser']['fn']]"}},
    ]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "string_transformer")
    assert status["state"] == "succeeded", status
    concat = [c for c in calls_of(functions, status["launch_id"]) if c["function"] == "Concat"]
    assert len(concat) == 1 and concat[0]["input"] == ["Hello", " ", "Hello/Reverser"]
    runs = runs_by_id(status)
    assert runs["Concat"]["input"] == ["Hello", " ", "Hello/Reverser"]
    # The untransformed task keeps the standard input (plus the run's identity for the function).
    reverser = [c for c in calls_of(functions, status["launch_id"]) if c["function"] == "Reverser"][0]
    assert reverser["input"]["static_input"] == {"text": "DLROW"} and reverser["input"]["sweep"]["run_id"] == "Reverser"


def test_a_raising_transform_fails_its_run_with_a_clear_error(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    definition = {"workflow_id": "bad_transform", "tasks": [
        {**start_task("noop", transform_input="launch_input['missing']")}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "bad_transform", input={"present": 1})
    assert status["state"] == "failed"
    run = runs_by_id(status)["start"]
    assert run["state"] == "failed" and "transform_input of task start" in run["error"]
    assert calls_of(functions, status["launch_id"]) == []


def test_command_as_an_expression_runs_per_replica(user, functions):
    local_container(user)
    definition = {"workflow_id": "frames", "tasks": [
        container_task("1", ["true"], successors=["2"], position="start"),
        container_task("2", "['sh', '-c', 'echo frame ' + str(launch_input['frames']) + ' of ' + launch_input['name']]",
                       scatter="launch_input['frames']", label="Render", description="one process per frame"),
    ]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "frames", input={"frames": [3, 4], "name": "clip"})
    assert status["state"] == "succeeded", status
    assert logs(user, status["launch_id"], "2_A") == "frame 3 of clip\n"
    assert logs(user, status["launch_id"], "2_B") == "frame 4 of clip\n"
    runs = runs_by_id(status)
    assert runs["2_A"]["label"] == "Render" and runs["2_A"]["description"] == "one process per frame"
    assert "label" not in runs["1"]


def test_a_command_expression_of_the_wrong_shape_fails_that_run(user):
    local_container(user)
    definition = {"workflow_id": "bad_command", "tasks": [container_task("1", "'echo ' + 'hi'", position="start")]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "bad_command")
    run = runs_by_id(status)["1"]
    assert status["state"] == "failed" and run["state"] == "failed"
    assert "must give a non-empty list of strings" in run["error"] and "a string" in run["error"]


def test_max_runtime_per_task_overrides_the_workflow_timeout(user):
    local_container(user)
    definition = {"workflow_id": "timeouts", "config": {"max_task_runtime": 1}, "tasks": [
        # Its own max_runtime: starting a container can take more than the workflow's 1 s on a loaded machine.
        container_task("0", ["true"], successors=["short", "long"], position="start", max_runtime=60),
        container_task("short", ["sleep", "30"], max_runtime=1),
        container_task("long", ["sleep", "2"], max_runtime=20),
    ]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    began = time.monotonic()
    status = launch(user, "timeouts")
    elapsed = time.monotonic() - began
    runs = runs_by_id(status)
    assert runs["short"]["state"] == "failed" and "timed out after 1 s" in runs["short"]["error"], runs["short"]
    # config.max_task_runtime is 1 s, yet the 2 s sleep succeeds: its own max_runtime (20 s) applies.
    assert runs["long"]["state"] == "succeeded", runs["long"]
    assert status["state"] == "failed" and elapsed < 20


def test_launching_an_older_version(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    for text in ("first", "second"):
        r = user.post("/api/v1/workflows", json={"workflow_id": "versioned", "tasks": [start_task("noop", static_input={"v": text})]})
        assert r.status_code == 201
    assert r.json()["version"] == 2
    old = launch(user, "versioned", version=1)
    assert old["state"] == "succeeded" and old["version"] == 1
    assert runs_by_id(old)["start"]["input"]["static_input"] == {"v": "first"}
    latest = launch(user, "versioned")
    assert latest["version"] == 2 and runs_by_id(latest)["start"]["input"]["static_input"] == {"v": "second"}

    r = user.post("/api/v1/workflows/versioned/launches", json={"version": 3})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_version" and r.json()["error"]["field"] == "/version"
    r = user.post("/api/v1/workflows/versioned/launches", json={"version": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/version"
    r = user.post("/api/v1/workflows/versioned/launches", json={"version": "1"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/version"
    r = user.post("/api/v1/workflows/nothing/launches", json={"version": 1})
    assert r.status_code == 404
    assert user.get("/api/v1/launches", params={"workflow_id": "versioned"}).json()["items"].__len__() == 2


def register(client, definition):
    return client.post("/api/v1/workflows", json=definition)


@pytest.mark.parametrize("properties, field, code", [
    ({"retries": 101}, "/tasks/0/properties/retries", "out_of_range"),
    ({"retries": "2"}, "/tasks/0/properties/retries", "invalid_type"),
    ({"retry_delay": -1}, "/tasks/0/properties/retry_delay", "out_of_range"),
    ({"retry_backoff": 0.5}, "/tasks/0/properties/retry_backoff", "out_of_range"),
    ({"retry_max_delay": "never"}, "/tasks/0/properties/retry_max_delay", "invalid_type"),
    ({"max_runtime": 0}, "/tasks/0/properties/max_runtime", "out_of_range"),
    ({"max_wait_time": -5}, "/tasks/0/properties/max_wait_time", "out_of_range"),
    ({"transform_input": "input["}, "/tasks/0/properties/transform_input", "invalid_expression"),
    ({"transform_input": "open('/etc/passwd')"}, "/tasks/0/properties/transform_input", "invalid_expression"),
    ({"transform_input": "inputs['x']"}, "/tasks/0/properties/transform_input", "unknown_name"),
    ({"enabled": "yes"}, "/tasks/0/properties/enabled", "invalid_type"),
    ({"label": "x" * 201}, "/tasks/0/properties/label", "too_large"),
    ({"description": 7}, "/tasks/0/properties/description", "invalid_type"),
])
def test_bad_values_are_422_with_their_field(user, functions, properties, field, code):
    register_http_functions(user, functions.url, ["noop"])
    r = register(user, {"workflow_id": "bad", "tasks": [start_task("noop", **properties)]})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["field"] == field, r.text
    assert user.get("/api/v1/workflows/bad").status_code == 404


def test_bad_kinds_configs_and_outputs_are_422_with_their_field(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    cases = [
        ({"workflow_id": "k", "tasks": [{"id": "1", "type": "timer", "properties": {"position": "start"}}]},
         "/tasks/0/properties/duration", "missing_field"),
        ({"workflow_id": "k", "tasks": [{"id": "1", "type": "cron", "properties": {"position": "start"}}]}, "/tasks/0/type", "invalid_value"),
        ({"workflow_id": "k", "tasks": [{"id": "1", "type": "workflow", "properties": {"position": "start", "workflow_id": "unknown"}}]},
         "/tasks/0/properties/workflow_id", "unknown_workflow"),
        ({"workflow_id": "k", "tasks": [{"id": "1", "type": "workflow", "properties": {"position": "start", "workflow_id": "k"}}]},
         "/tasks/0/properties/workflow_id", "workflow_cycle"),
        ({"workflow_id": "k", "tasks": [{"id": "1", "properties": {"position": "start"},
                                         "execution_configurations": [{"executor_type": "python-executor", "priority": 1}]}]},
         "/tasks/0/execution_configurations/0/function", "missing_field"),
        ({"workflow_id": "k", "config": {"retry_backoff": 0}, "tasks": [start_task("noop")]}, "/config/retry_backoff", "out_of_range"),
        ({"workflow_id": "k", "output": "predecessor_outputs", "tasks": [start_task("noop")]}, "/output", "unknown_name"),
        ({"workflow_id": "k", "tasks": [{**start_task("noop"), "properties": {"position": "start", "command": "ls -l"}}]},
         "/tasks/0/properties/command", "invalid_command"),
    ]
    for definition, field, code in cases:
        r = register(user, definition)
        assert r.status_code == 422 and r.json()["error"]["code"] == code and r.json()["error"]["field"] == field, (definition, r.text)


def test_every_v11_feature_is_accepted_at_registration(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    assert register(user, {"workflow_id": "child", "tasks": [start_task("noop")]}).status_code == 201
    every = {"workflow_id": "every", "config": {"retries": 1}, "output": "task_outputs['1']", "tasks": [
        {**start_task("noop", retries=2, retry_delay=1, enabled=False, max_wait_time=60), "successors": ["t"]},
        {"id": "t", "type": "timer", "properties": {"duration": 1}, "successors": ["s"]},
        {"id": "s", "type": "signal", "properties": {"timeout": 60}, "successors": ["c"]},
        {"id": "c", "type": "workflow", "properties": {"workflow_id": "child"}, "successors": ["x"]},
        {"id": "x", "execution_configurations": [
            {"executor_type": "python-executor", "function": "gen_nums", "args": [1], "priority": 1}]}]}
    r = register(user, every)
    assert r.status_code == 201, r.text
    # What runs today is accepted: retries 0, enabled true, max_runtime, labels.
    ok = {"workflow_id": "accepted", "config": {"retries": 0, "retry_delay": 5, "retry_backoff": 2},
          "tasks": [start_task("noop", retries=0, enabled=True, max_runtime=30, label="L", description="D", transform_input="input")]}
    assert register(user, ok).status_code == 201


def test_cli_shows_labels_and_descriptions_and_launches_an_older_version(stack, user, functions, tmp_path):
    from test_cli import CLI
    register_http_functions(user, functions.url, ["noop"])
    for label in ("Old label", "Fetch"):
        definition = {"workflow_id": "labelled", "tasks": [
            {**start_task("noop", label=label, description="Fetches the data\nfrom the source"), "successors": ["plain"]},
            {"id": "plain", "execution_configurations": [{"function_def_id": "noop", "priority": 1}]}]}
        assert user.post("/api/v1/workflows", json=definition).status_code == 201
    cli = CLI(stack, tmp_path, key=user.key)
    launched = cli.json("launch", "labelled", "--wait", "--workflow-version", "1")
    assert launched["state"] == "succeeded" and launched["version"] == 1
    lid = launched["launch_id"]
    text = cli.ok("status", lid).stdout
    assert "LABEL" in text and "Old label" in text and "Fetch\n" not in text
    assert "Descriptions:" in text and "start (Old label): Fetches the data\n    from the source" in text
    assert 'label="start\\nOld label\\nsucceeded"' in cli.ok("graph", lid, "--format", "dot").stdout
    assert "start<br/>Old label<br/>succeeded" in cli.ok("graph", lid, "--format", "mermaid").stdout
    nodes = {n["run_id"]: n for n in cli.json("graph", lid)["nodes"]}
    assert nodes["start"]["label"] == "Old label" and "label" not in nodes["plain"]
    latest = cli.json("launch", "labelled", "--wait")
    assert latest["version"] == 2 and "Fetch" in cli.ok("status", latest["launch_id"]).stdout


def test_status_page_shows_a_tasks_label_and_description(stack, user, functions, browser):
    from selenium.webdriver.common.by import By
    from test_browser import click_node, node_css, sign_in, signed_in_as, visible, wait
    register_http_functions(user, functions.url, ["noop"])
    definition = {"workflow_id": "page_labels", "tasks": [
        {**start_task("noop", label="Fetch data", description="Reads the source\nonce per launch"), "successors": ["2"]},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}]}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    lid = launch(user, "page_labels")["launch_id"]
    driver = browser
    # The browser profile is shared with test_browser.py: start signed out, whoever signed in last.
    driver.get(stack.url + "/api/v1/me")  # a page of the origin Chromium shows (a .yaml would be a download)
    driver.delete_all_cookies()
    driver.execute_script("sessionStorage.clear(); localStorage.clear();")
    sign_in(driver, stack, user.username, user.password)
    signed_in_as(driver, user.username)
    driver.get(f"{stack.url}/#launch={lid}")
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, node_css("start")))
    node = driver.find_element(By.CSS_SELECTOR, node_css("start"))
    assert node.get_attribute("data-label") == "Fetch data" and "(Fetch data)" in node.get_attribute("aria-label")
    click_node(driver, "start")
    visible(driver, "run-panel")
    wait(driver).until(lambda d: d.find_element(By.ID, "run-task").text == "start \u2014 Fetch data")
    assert driver.find_element(By.ID, "run-description").text == "Reads the source\nonce per launch"
    click_node(driver, "2")
    wait(driver).until(lambda d: d.find_element(By.ID, "run-task").text == "2")
    assert not driver.find_element(By.ID, "run-description-row").is_displayed()
    driver.delete_all_cookies()  # leave the shared profile signed out
