"""Issue 13, the waiting task kinds (API.md v1.1): timer, signal and workflow (child launch) tasks wait in run state
`waiting` with no executor slot; signals (early, late, errors, timeout); child launches (output, failure, cancel
down, depth, ?parent_launch_id); the workflow `output` expression. Real stack: nginx, worker, scheduler."""
import json
import time
import uuid
from datetime import datetime

import pytest

from stack import wait_until
from sweep_fixtures import all_items, launch, register_http_functions, runs_by_id
from test_cli import CLI, example
from test_browser import browser  # noqa: F401  (the fixture, shared with the status page test)


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def fn_task(tid, function, successors=(), start=False, **properties):
    if start:
        properties["position"] = "start"
    return {"id": tid, "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "successors": list(successors), "properties": properties}


def register(client, definition):
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def start(client, workflow_id, **body):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json=body)
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_state(client, launch_id, states=("succeeded", "failed", "cancelled"), timeout=30):
    return wait_until(lambda: (lambda s: s if s["state"] in states else None)(status(client, launch_id)),
                      timeout=timeout, what=f"launch {launch_id} in {states}")


def run_state(client, launch_id, run):
    return runs_by_id(status(client, launch_id)).get(run, {}).get("state")


def signal(client, launch_id, task, payload=None):
    return client.post(f"/api/v1/launches/{launch_id}/signals/{task}", json={"payload": payload})


def children(client, launch_id):
    r = client.get(f"/api/v1/launches?parent_launch_id={launch_id}")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_string_transformer_example_runs_with_the_cli_and_its_timer_waits(stack, user, tmp_path):
    # Seed 001's StringTransformer as examples/pyflow holds it: UpperCaser -> Reverser -> Sleep (timer, 2 s) -> Concat.
    cli = CLI(stack, tmp_path, key=user.key)
    cli.ok("destination", "register", example("destinations", "local.json"))
    for name in ("string_upcase", "string_reverse", "string_concat"):
        cli.ok("function", "upload", example("pyflow", "functions", name + ".json"), example("pyflow", "functions", name))
    cli.ok("workflow", "register", example("pyflow", "string_transformer.json"))
    done = cli.json("launch", "string_transformer", "--input", '"World"', "--wait", "--timeout", "60")
    assert done["state"] == "succeeded", done
    assert done["output"] == "Hello DLROW"
    runs = runs_by_id(status(user, done["launch_id"]))
    sleep, concat, reverser = runs["Sleep"], runs["Concat"], runs["Reverser"]
    assert sleep["state"] == "succeeded" and sleep["output"] is None
    assert ts(concat["started_at"]) - ts(reverser["finished_at"]) >= 2.0, (reverser, sleep, concat)
    # A timer produces no output: absent from its successor's predecessor_outputs (pyflow TimerTask).
    assert concat["input"] == ["Hello", " ", "DLROW"]
    events = all_items(user, f"/api/v1/launches/{done['launch_id']}/events")
    assert any(e["event"] == "task.waiting" and e["data"].get("run_id") == "Sleep" for e in events), events


def test_the_approval_and_child_workflow_examples_run_with_the_cli(stack, user, tmp_path):
    cli = CLI(stack, tmp_path, key=user.key)
    cli.ok("destination", "register", example("destinations", "local.json"))
    for name in ("string_upcase", "string_reverse"):
        cli.ok("function", "upload", example("pyflow", "functions", name + ".json"), example("pyflow", "functions", name))
    cli.ok("workflow", "register", example("approval", "approval.json"))
    launch_id = cli.json("launch", "approval", "--input", '"buy a bike"')["launch_id"]
    wait_until(lambda: run_state(user, launch_id, "Approve") == "waiting", timeout=60, what="Approve waiting")
    answer = cli.json("signal", launch_id, "Approve", "--payload", '{"approved": true, "by": "alice"}')
    assert answer == {"launch_id": launch_id, "task_id": "Approve", "state": "succeeded"}, answer
    done = wait_state(user, launch_id)
    assert done["output"] == {"request": {"text": "BUY A BIKE"}, "decision": {"approved": True, "by": "alice"}}, done
    assert cli.run("signal", launch_id, "Approve").returncode != 0  # 409: it has its signal

    cli.ok("workflow", "register", example("child-workflow", "child.json"))
    cli.ok("workflow", "register", example("child-workflow", "parent.json"))
    done = cli.json("launch", "greet", "--input", '"olleh"', "--wait", "--timeout", "60")
    assert done["state"] == "succeeded" and done["output"] == "HELLO!", done
    kid = children(user, done["launch_id"])[0]
    assert kid["workflow_id"] == "shout" and status(user, kid["launch_id"])["input"] == "hello"


def test_timer_is_absent_from_predecessor_outputs_and_holds_no_slot(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, {"workflow_id": "t", "config": {"max_task_concurrency": 1}, "tasks": [
        fn_task("first", "noop", successors=["wait", "now"], start=True),
        {"id": "wait", "type": "timer", "successors": ["after"], "properties": {"duration": 1}},
        fn_task("now", "noop", successors=["after"]),
        fn_task("after", "noop")]})
    s = launch(user, "t")
    assert s["state"] == "succeeded", s
    runs = runs_by_id(s)
    after = runs["after"]
    assert "wait" not in after["input"]["predecessor_outputs"] and "now" in after["input"]["predecessor_outputs"]
    # The timer took no slot under max_task_concurrency 1: `now` ran while it waited.
    assert ts(runs["now"]["finished_at"]) < ts(runs["wait"]["finished_at"])


def test_a_signal_sent_before_its_task_is_reached_is_delivered(user, functions):
    register_http_functions(user, functions.url, ["gate", "noop"])
    gate = "early-" + uuid.uuid4().hex
    register(user, {"workflow_id": "early", "tasks": [
        fn_task("first", "gate", successors=["Approve"], start=True, static_input={"gate": gate}),
        {"id": "Approve", "type": "signal", "successors": ["after"], "properties": {"timeout": 60}},
        fn_task("after", "noop")]})
    launch_id = start(user, "early")
    r = signal(user, launch_id, "Approve", {"approved": True, "by": "ops"})
    assert r.status_code == 202, r.text
    assert r.json()["launch_id"] == launch_id and r.json()["task_id"] == "Approve" and r.json()["state"] == "pending"
    import requests
    requests.post(functions.url + "_open/" + gate)
    s = wait_state(user, launch_id)
    assert s["state"] == "succeeded", s
    runs = runs_by_id(s)
    assert runs["Approve"]["output"] == {"approved": True, "by": "ops"}
    assert runs["after"]["input"]["predecessor_outputs"]["Approve"] == {"approved": True, "by": "ops"}


def test_a_waiting_signal_task_completes_on_its_signal_and_errors_are_clear(user, other_user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, {"workflow_id": "approval", "tasks": [
        {"id": "Approve", "type": "signal", "successors": ["after"], "properties": {"position": "start"}},
        fn_task("after", "noop")]})
    launch_id = start(user, "approval")
    wait_until(lambda: run_state(user, launch_id, "Approve") == "waiting", what="Approve waiting")
    # 422: not a signal task; 404: unknown task, unknown launch, another user's launch.
    r = signal(user, launch_id, "after")
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_a_signal_task", r.text
    assert signal(user, launch_id, "nope").status_code == 404
    assert signal(user, str(uuid.uuid4()), "Approve").status_code == 404
    assert signal(user, "not-a-uuid", "Approve").status_code == 404
    assert signal(other_user, launch_id, "Approve").status_code == 404
    r = user.post(f"/api/v1/launches/{launch_id}/signals/Approve", json={"payload": "x" * 70000})
    assert r.status_code == 413, r.text
    assert run_state(user, launch_id, "Approve") == "waiting"
    r = signal(user, launch_id, "Approve", "yes")
    assert r.status_code == 202 and r.json()["state"] == "succeeded", r.text
    # 409: the task already has its signal (and, once the launch ended, has ended).
    r = signal(user, launch_id, "Approve", "again")
    assert r.status_code == 409, r.text
    s = wait_state(user, launch_id)
    assert s["state"] == "succeeded" and runs_by_id(s)["Approve"]["output"] == "yes"
    r = signal(user, launch_id, "Approve", "late")
    assert r.status_code == 409 and r.json()["error"]["code"] == "task_ended", r.text


def test_a_signal_past_its_timeout_fails_with_signal_timeout(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    register(user, {"workflow_id": "impatient", "tasks": [
        {"id": "Approve", "type": "signal", "successors": ["after"], "properties": {"position": "start", "timeout": 1}},
        fn_task("after", "noop")]})
    launch_id = start(user, "impatient")
    s = wait_state(user, launch_id, timeout=20)
    assert s["state"] == "failed", s
    runs = runs_by_id(s)
    assert runs["Approve"]["state"] == "failed" and runs["Approve"]["error"].startswith("signal_timeout"), runs["Approve"]
    assert runs["after"]["state"] == "upstream_failed"
    assert ts(runs["Approve"]["finished_at"]) - ts(runs["Approve"]["started_at"]) >= 1.0
    r = signal(user, launch_id, "Approve", 1)
    assert r.status_code == 409, r.text


def test_a_child_workflow_gives_its_output_and_is_listed_by_parent(user, functions):
    register_http_functions(user, functions.url, ["noop", "numbers"])
    register(user, {"workflow_id": "child", "output": "{'got': task_outputs['c']['numbers'], 'input': 1}",
                    "tasks": [fn_task("c", "numbers", start=True, static_input={"n": 3})]})
    register(user, {"workflow_id": "parent", "output": "task_outputs['kid']", "tasks": [
        fn_task("p", "noop", successors=["kid"], start=True),
        {"id": "kid", "type": "workflow", "successors": [], "properties": {"workflow_id": "child", "transform_input": "{'from': 'parent'}"}}]})
    s = launch(user, "parent")
    assert s["state"] == "succeeded", s
    assert s["output"] == {"got": [0, 1, 2], "input": 1}
    assert runs_by_id(s)["kid"]["output"] == {"got": [0, 1, 2], "input": 1}
    kids = children(user, s["launch_id"])
    assert len(kids) == 1, kids
    kid = kids[0]
    assert kid["workflow_id"] == "child" and kid["parent_launch_id"] == s["launch_id"] and kid["parent_run_id"] == "kid"
    child = status(user, kid["launch_id"])
    assert child["input"] == {"from": "parent"} and child["state"] == "succeeded"
    assert child["parent_launch_id"] == s["launch_id"]
    assert s["parent_launch_id"] is None and s["parent_run_id"] is None
    # Without the filter every launch is listed (the parent with null parent fields); a bad parent id is a 400.
    everything = user.get("/api/v1/launches").json()["items"]
    assert {l["launch_id"] for l in everything} >= {s["launch_id"], kid["launch_id"]}
    assert next(l for l in everything if l["launch_id"] == s["launch_id"])["parent_launch_id"] is None
    assert user.get("/api/v1/launches?parent_launch_id=zzz").status_code == 400


def test_a_failed_child_fails_its_task_and_the_parent(user, functions):
    register_http_functions(user, functions.url, ["fail", "noop"])
    register(user, {"workflow_id": "badkid", "tasks": [fn_task("c", "fail", start=True)]})
    register(user, {"workflow_id": "sadparent", "tasks": [
        {"id": "kid", "type": "workflow", "successors": ["after"], "properties": {"position": "start", "workflow_id": "badkid"}},
        fn_task("after", "noop")]})
    s = launch(user, "sadparent")
    assert s["state"] == "failed", s
    runs = runs_by_id(s)
    assert runs["kid"]["state"] == "failed" and runs["kid"]["error"].startswith("child_failed"), runs["kid"]
    assert runs["after"]["state"] == "upstream_failed"
    kid = children(user, s["launch_id"])[0]
    assert kid["launch_id"] in runs["kid"]["error"] and kid["state"] == "failed"


def test_cancelling_a_parent_cancels_its_waiting_child_within_two_seconds(user):
    register(user, {"workflow_id": "waits", "tasks": [
        {"id": "forever", "type": "signal", "successors": [], "properties": {"position": "start"}}]})
    register(user, {"workflow_id": "holder", "tasks": [
        {"id": "kid", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "waits"}}]})
    parent = start(user, "holder")
    kid = wait_until(lambda: children(user, parent), what="child launch")[0]["launch_id"]
    wait_until(lambda: run_state(user, kid, "forever") == "waiting", what="child waiting on its signal")
    assert run_state(user, parent, "kid") == "waiting"
    t0 = time.monotonic()
    assert user.post(f"/api/v1/launches/{parent}/cancel").status_code == 202
    wait_state(user, kid, states=("cancelled",), timeout=2)
    assert time.monotonic() - t0 <= 2.0
    assert status(user, parent)["state"] == "cancelled"
    assert run_state(user, kid, "forever") == "cancelled"


def test_nesting_deeper_than_eight_fails_with_a_clear_code(user, functions, stack):
    register_http_functions(user, functions.url, ["noop"])
    # ping -> pong -> ping -> …: a cycle through two workflows, stopped by the depth limit.
    register(user, {"workflow_id": "ping", "tasks": [fn_task("x", "noop", start=True)]})
    register(user, {"workflow_id": "pong", "tasks": [
        {"id": "down", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "ping"}}]})
    register(user, {"workflow_id": "ping", "tasks": [
        {"id": "down", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "pong"}}]})
    s = launch(user, "ping")
    assert s["state"] == "failed", s
    assert runs_by_id(s)["down"]["error"].startswith("child_failed"), s
    depth, current = 0, s["launch_id"]
    while True:
        kids = children(user, current)
        if not kids:
            break
        depth += 1
        current = kids[0]["launch_id"]
    assert depth == 8
    deepest = status(user, current)
    assert deepest["state"] == "failed"
    assert runs_by_id(deepest)["down"]["error"].startswith("workflow_depth_exceeded"), deepest


def test_the_workflow_output_expression_and_its_failure(user, functions):
    register_http_functions(user, functions.url, ["numbers"])
    register(user, {"workflow_id": "outs", "output": "[sum(task_outputs['n'][0]['numbers']), sum(task_outputs['n'][1]['numbers'])]", "tasks": [
        fn_task("n", "numbers", start=True, multiplicity=2, static_input={"n": 4})]})
    s = launch(user, "outs")
    assert s["state"] == "succeeded" and s["output"] == [6, 6], s
    register(user, {"workflow_id": "badout", "output": "task_outputs['n']['missing']", "tasks": [
        fn_task("n", "numbers", start=True)]})
    s = launch(user, "badout")
    assert s["state"] == "failed", s
    assert all(t["state"] == "succeeded" for t in s["tasks"])
    items = all_items(user, f"/api/v1/launches/{s['launch_id']}/events")
    failed = [e for e in items if e["event"] == "launch.failed"]
    assert failed and "output_failed" in json.dumps(failed[-1]), items


def test_the_status_page_links_a_child_launch_and_sends_a_signal(stack, user, browser):
    from selenium.webdriver.common.by import By
    from test_browser import act, click_node, sign_in, signed_in_as, visible, wait
    register(user, {"workflow_id": "asks", "tasks": [
        {"id": "Approve", "type": "signal", "successors": [], "properties": {"position": "start", "label": "Approve it"}}]})
    register(user, {"workflow_id": "asker", "output": "task_outputs['kid']", "tasks": [
        {"id": "kid", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "asks"}}]})
    parent = start(user, "asker")
    kid = wait_until(lambda: children(user, parent), what="child launch")[0]["launch_id"]
    wait_until(lambda: run_state(user, kid, "Approve") == "waiting", what="child waiting on its signal")

    driver = browser
    sign_in(driver, stack, user.username, user.password)
    signed_in_as(driver, user.username)
    driver.execute_script("location.hash = arguments[0]", "#launch=" + parent)
    visible(driver, "launch-detail")
    wait(driver).until(lambda d: d.find_element(By.ID, "detail-id").text == parent)
    # The parent links its child; following the link opens the child, which links back to its parent.
    link_css = f'#detail-children a[data-testid="child-launch"]'
    wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, link_css).text == kid)
    act(driver, lambda d: d.find_element(By.CSS_SELECTOR, link_css).click())
    wait(driver).until(lambda d: d.find_element(By.ID, "detail-id").text == kid)
    wait(driver).until(lambda d: d.find_element(By.ID, "detail-parent").is_displayed() and parent in d.find_element(By.ID, "detail-parent").text)
    # The waiting signal run offers its form; sending a payload completes the child, then the parent.
    click_node(driver, "Approve")
    visible(driver, "run-signal")
    area = driver.find_element(By.ID, "run-signal-payload")
    area.clear()
    area.send_keys('{"approved": true}')
    driver.find_element(By.ID, "run-signal-send").click()
    result = wait(driver).until(lambda d: d.find_element(By.ID, "run-signal-result").text)
    assert "Signal sent" in result, result
    # The run succeeded: the form goes away, the answer stays.
    wait(driver).until(lambda d: not d.find_element(By.ID, "run-signal").is_displayed())
    assert "Signal sent" in driver.find_element(By.ID, "run-signal-result").text
    assert wait_state(user, parent)["output"] == {"Approve": {"approved": True}}
    assert status(user, kid)["state"] == "succeeded"
    # Sign out: the browser profile (and its session cookie) is shared with the next page test.
    driver.find_element(By.ID, "signout-button").click()
    visible(driver, "signin-form")


def test_a_retried_workflow_task_waits_again_and_makes_a_new_child(stack, user):
    # A retry (shared with executable tasks) sends a failed run back to `scheduled`; a scheduler that claims a run of
    # a waiting kind parks it in `waiting` at the new attempt, and the waiting service makes that attempt's child.
    register(user, {"workflow_id": "asks2", "tasks": [
        {"id": "Approve", "type": "signal", "successors": [], "properties": {"position": "start"}}]})
    register(user, {"workflow_id": "retrier", "output": "task_outputs['kid']", "tasks": [
        {"id": "kid", "type": "workflow", "successors": [], "properties": {"position": "start", "workflow_id": "asks2"}}]})
    parent = start(user, "retrier")
    first = wait_until(lambda: children(user, parent), what="first child")[0]["launch_id"]
    # What a retry of attempt 1 does to the run and its launch's counters.
    stack.psql("UPDATE task_runs SET state = 'scheduled', ready_at = now() WHERE launch_id = :'p1'::uuid AND name = 'kid'", parent)
    stack.psql("UPDATE launches SET active_runs = active_runs + 1 WHERE id = :'p1'::uuid", parent)
    stack.psql("SELECT pg_notify('sweep_ready', '')")
    kids = wait_until(lambda: (lambda k: k if len(k) == 2 else None)(children(user, parent)), what="second child")
    second = next(k["launch_id"] for k in kids if k["launch_id"] != first)
    run = runs_by_id(status(user, parent))["kid"]
    assert run["state"] == "waiting" and run["attempt"] == 2, run
    wait_until(lambda: run_state(user, second, "Approve") == "waiting", what="second child waiting")
    assert signal(user, second, "Approve", "ok").status_code == 202
    done = wait_state(user, parent)
    assert done["state"] == "succeeded" and done["output"] == {"Approve": "ok"}, done
    assert user.post(f"/api/v1/launches/{first}/cancel").status_code == 202
