"""Numbers no Int64 or Double holds exactly (2**64-sized integers, 30-digit decimals, 1e400) reach every reader
unchanged: a function's output in the launch status, the run list, one run, and a successor's
`predecessor_outputs`; a launch input in what functions receive. Parsed here with Decimal and int, which keep every
digit (Python's json alone keeps the integers but rounds the decimals); the raw texts are checked too, since that is
what a client with its own parser sees."""
import decimal
import json

from stack import wait_until
from sweep_fixtures import register_http_functions

# What the `exact_numbers` function answers (function_server.EXACT_NUMBERS), by value.
OUTPUT = {"n": 12345678901234567890, "neg": -98765432109876543210987654321,
          "x": decimal.Decimal("3.14159265358979323846264338"), "tiny": decimal.Decimal("1e-400"),
          "huge": 10 ** 400, "ok": decimal.Decimal("0.1"), "small": 7}
# PostgreSQL (and so every reader) writes 1e400 and 1e-400 without an exponent.
TEXTS = ["12345678901234567890", "-98765432109876543210987654321", "3.14159265358979323846264338",
         "1" + "0" * 400, "0." + "0" * 399 + "1"]
LAUNCH_INPUT = '{"big": 18446744073709551616, "pi": 3.14159265358979323846264338462643383279, "neg": -1180591620717411303424, "plain": 1.5}'
LAUNCH_VALUES = {"big": 18446744073709551616, "pi": decimal.Decimal("3.14159265358979323846264338462643383279"),
                 "neg": -1180591620717411303424, "plain": decimal.Decimal("1.5")}


# A static input holding an exact number: the definition is sent as text with this string replaced by the number.
STATIC_PLACEHOLDER = "__static_number__"
STATIC_NUMBER = "-0.000000000000000000001234567890123456789"


def exact(text):
    return json.loads(text, parse_float=decimal.Decimal)


def assert_output(output):
    assert {k: output[k] for k in OUTPUT} == OUTPUT
    assert output["huge"] == 10 ** 400 and isinstance(output["huge"], int)


def definition(workflow_id):
    def task(task_id, function, successors=(), **properties):
        return {"id": task_id, "execution_configurations": [{"function_def_id": function, "priority": 1}],
                "successors": list(successors), "properties": properties}
    return {"workflow_id": workflow_id, "tasks": [
        task("a", "exact_numbers", ["b", "c"], position="start"),
        task("b", "exact_receive", [], static_input={"k": STATIC_PLACEHOLDER}),
        # An expression that passes a value on whole keeps it; str() of it is its exact text.
        task("c", "exact_echo", [], transform_input="[predecessor_outputs['a']['n'], str(predecessor_outputs['a']['x']), launch_input['big']]"),
    ]}


def test_exact_numbers_reach_every_reader(user, functions):
    register_http_functions(user, functions.url, ["exact_numbers", "exact_receive", "exact_echo"])
    text = json.dumps(definition("exact_numbers")).replace(f'"{STATIC_PLACEHOLDER}"', STATIC_NUMBER)
    r = user.post("/api/v1/workflows", data=text, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    r = user.post("/api/v1/workflows/exact_numbers/launches", data='{"wait": 60, "input": ' + LAUNCH_INPUT + "}",
                  headers={"Content-Type": "application/json"}, timeout=90)
    assert r.status_code in (200, 202), r.text
    launch_id = r.json()["launch_id"]
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] in ("succeeded", "failed"),
               timeout=60, what="the launch to end")

    # The launch status (the status page's data).
    r = user.get(f"/api/v1/launches/{launch_id}")
    status = exact(r.text)
    assert status["state"] == "succeeded", r.text[:2000]
    tasks = {t["run_id"]: t for t in status["tasks"]}
    assert_output(tasks["a"]["output"])
    for text in TEXTS:
        assert text in r.text
    assert "12345678901234567000" not in r.text and "e+19" not in r.text

    # The run list, and one run.
    r = user.get(f"/api/v1/launches/{launch_id}/runs")
    assert r.status_code == 200, r.text
    listed = {run["run_id"]: run for run in exact(r.text)["items"]}
    assert_output(listed["a"]["output"])
    for text in TEXTS:
        assert text in r.text
    assert "e+19" not in r.text
    r = user.get(f"/api/v1/launches/{launch_id}/runs", params={"run_id": "a"})
    [one] = exact(r.text)["items"]
    assert_output(one["output"])

    # What the functions received: the launch input, the successor's predecessor_outputs, the computed input.
    bodies = {call["run"]: exact(call["raw"]) for call in functions.calls() if call["launch"] == launch_id}
    assert bodies["a"]["launch_input"] == LAUNCH_VALUES
    assert bodies["b"]["launch_input"] == LAUNCH_VALUES
    assert_output(bodies["b"]["predecessor_outputs"]["a"])
    assert bodies["b"]["static_input"] == {"k": decimal.Decimal(STATIC_NUMBER)}
    assert STATIC_NUMBER in user.get("/api/v1/workflows/exact_numbers").text
    assert bodies["c"] == [12345678901234567890, "3.14159265358979323846264338", 18446744073709551616]

    # The launch's own input, and its output (the leaves' outputs; c echoes its computed input).
    assert status["input"] == LAUNCH_VALUES
    assert status["output"] == {"b": {}, "c": {"echo": bodies["c"]}}



def test_numbers_no_store_can_hold_are_refused_not_rounded(user, functions):
    """Past an exponent of ±1000 (or PostgreSQL numeric's range) a number is refused: a launch input with 400, a
    function's output by failing its run with the reason. Before, 1e-1001 became 0 silently."""
    register_http_functions(user, functions.url, ["exact_out_of_range"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "exact_refused", "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "exact_out_of_range", "priority": 1}],
         "successors": [], "properties": {"position": "start"}}]})
    assert r.status_code == 201, r.text
    for number in ("1e1001", "1e-1001"):
        r = user.post("/api/v1/workflows/exact_refused/launches", data='{"input": {"x": ' + number + "}}",
                      headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "malformed_json" and "number out of range" in r.json()["error"]["message"]
    r = user.post("/api/v1/workflows/exact_refused/launches", json={"wait": 60}, timeout=90)
    assert r.status_code in (200, 202), r.text
    launch_id = r.json()["launch_id"]
    status = wait_until(lambda: (s := user.get(f"/api/v1/launches/{launch_id}").json())["state"] in ("succeeded", "failed") and s,
                        timeout=60, what="the launch to end")
    assert status["state"] == "failed"
    [run] = status["tasks"]
    assert run["error"].startswith("output_rejected: the output holds a number out of range"), run["error"]


def test_a_signal_payload_keeps_exact_numbers_for_its_successor(user, functions):
    register_http_functions(user, functions.url, ["exact_receive"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "exact_signal", "tasks": [
        {"id": "Approve", "type": "signal", "successors": ["after"], "properties": {"position": "start"}},
        {"id": "after", "execution_configurations": [{"function_def_id": "exact_receive", "priority": 1}],
         "successors": [], "properties": {}}]})
    assert r.status_code == 201, r.text
    r = user.post("/api/v1/workflows/exact_signal/launches", json={})
    assert r.status_code in (200, 202), r.text
    launch_id = r.json()["launch_id"]
    payload = '{"amount": 123456789012345678901234567890.123456789, "id": 18446744073709551617}'
    r = user.post(f"/api/v1/launches/{launch_id}/signals/Approve", data='{"payload": ' + payload + "}",
                  headers={"Content-Type": "application/json"})
    assert r.status_code in (200, 202), r.text
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] in ("succeeded", "failed"),
               timeout=60, what="the launch to end")
    r = user.get(f"/api/v1/launches/{launch_id}")
    runs = {t["run_id"]: t for t in exact(r.text)["tasks"]}
    expected = exact(payload)
    assert runs["Approve"]["output"] == expected and runs["after"]["state"] == "succeeded"
    assert "123456789012345678901234567890.123456789" in r.text
    [body] = [exact(call["raw"]) for call in functions.calls() if call["launch"] == launch_id]
    assert body["predecessor_outputs"]["Approve"] == expected


def test_the_cli_sends_and_shows_exact_numbers(stack, user, functions, tmp_path):
    from test_cli import CLI
    register_http_functions(user, functions.url, ["exact_receive"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "exact_cli", "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "exact_receive", "priority": 1}],
         "successors": [], "properties": {"position": "start"}}]})
    assert r.status_code == 201, r.text
    cli = CLI(stack, tmp_path, key=user.key)
    launched = exact(cli.ok("launch", "exact_cli", "--wait", "--input", LAUNCH_INPUT, "--json", timeout=120).stdout)
    assert launched["state"] == "succeeded" and launched["input"] == LAUNCH_VALUES
    shown = cli.ok("status", launched["launch_id"], "--json").stdout
    assert exact(shown)["input"] == LAUNCH_VALUES and "3.14159265358979323846264338462643383279" in shown


def test_an_executor_gets_and_reports_exact_numbers_over_the_run_api(stack, user, functions):
    import requests
    from test_executors import executor_task, new_executor
    register_http_functions(user, functions.url, ["exact_receive"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "exact_executor", "tasks": [
        executor_task("1", "work", successors=["2"], position="start"),
        {"id": "2", "execution_configurations": [{"function_def_id": "exact_receive", "priority": 1}],
         "successors": [], "properties": {}}]})
    assert r.status_code == 201, r.text
    r = user.post("/api/v1/workflows/exact_executor/launches", data='{"input": ' + LAUNCH_INPUT + "}",
                  headers={"Content-Type": "application/json"})
    assert r.status_code in (200, 202), r.text
    launch_id = r.json()["launch_id"]
    executor = new_executor(user, "exact")
    r = user.post(f"/api/v1/executors/{executor['id']}/assignments", json={"wait": 30, "max": 1}, timeout=60)
    assert r.status_code == 200, r.text
    [item] = exact(r.text)["items"]
    assert item["input"]["launch_input"] == LAUNCH_VALUES
    result = '{"output": {"n": 12345678901234567890, "x": 3.14159265358979323846264338}}'
    r = requests.post(stack.url + "/api/v1/run/result", data=result, timeout=30,
                      headers={"Authorization": "Bearer " + item["token"], "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] in ("succeeded", "failed"),
               timeout=60, what="the launch to end")
    r = user.get(f"/api/v1/launches/{launch_id}")
    runs = {t["run_id"]: t for t in exact(r.text)["tasks"]}
    assert runs["1"]["output"] == exact(result)["output"] and runs["2"]["state"] == "succeeded"
    [body] = [exact(call["raw"]) for call in functions.calls() if call["launch"] == launch_id]
    assert body["predecessor_outputs"]["1"] == exact(result)["output"]
