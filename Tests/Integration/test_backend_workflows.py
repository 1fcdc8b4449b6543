"""Issue 15, backend workflows: `/api/v1/workflows/{id}/call` runs a workflow like an endpoint, against the real
stack (PostgreSQL, nginx, worker, scheduler) and real HTTP functions (backend_functions.py) that use the run API
with their own task tokens. One test per row of API.md's "Backend workflows" table."""
import concurrent.futures
import os
import subprocess
import sys
import time

import pytest
import requests

from stack import wait_until
from sweep_fixtures import register_http_functions

FUNCTIONS = ["intercept", "echo", "load", "preprocess", "train", "pull_missing", "bad_item", "fail", "gate", "noop", "limits"]


@pytest.fixture(scope="module")
def be_server():
    proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "backend_functions.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}/"
    proc.stdin.close()
    proc.wait(timeout=10)


@pytest.fixture
def be(user, be_server):
    register_http_functions(user, be_server, FUNCTIONS, destination="be")
    return user


def task(task_id, function, successors=(), start=False, **properties):
    props = dict(properties)
    if start:
        props["position"] = "start"
    return {"id": task_id, "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "successors": list(successors), "properties": props}


def register(client, workflow_id, tasks, **extra):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": tasks, **extra})
    assert r.status_code == 201, r.text
    return r


PIPELINE_REQUEST = {
    "url_params": [{"name": "scale", "type": "integer", "default": 1}],
    "body": [{"name": "rows", "type": "array", "required": True}],
}
METRICS = [{"name": "metrics", "label": "Metrics", "fields": [
    {"name": "name", "type": "string", "required": True}, {"name": "value", "type": "number", "required": True}]}]


def pipeline(client, workflow_id="ml"):
    register(client, workflow_id, [task("load", "load", ["preprocess"], start=True), task("preprocess", "preprocess", ["train"]),
                                   task("train", "train")], request=PIPELINE_REQUEST, response=METRICS)


def echo(client, workflow_id, request=None, **extra):
    register(client, workflow_id, [task("1", "echo", start=True)], **({"request": request} if request else {}), **extra)


def call(client, workflow_id, method="POST", **kw):
    return client.request(method, f"/api/v1/workflows/{workflow_id}/call", timeout=60, **kw)


def test_sync_call_answers_with_data_and_meta_composed_by_tasks_sharing_data(be):
    pipeline(be)
    rows = [{"x": 1, "y": 2.0}, {"x": 2, "y": 4.0}, {"x": None, "y": 100.0}, {"x": 3, "y": 6.0}]
    r = call(be, "ml", params={"scale": "2"}, json={"rows": rows})
    assert r.status_code == 200, r.text
    launch_id = r.headers["X-Sweep-Launch-Id"]
    body = r.json()
    # preprocess pulled what load pushed (and dropped the row without x); train pulled what preprocess pushed.
    assert body["data"] == {"metrics": [{"name": "mse", "value": pytest.approx(8 / 3)}, {"name": "n", "value": 3}]}
    assert body["meta"] == {"metrics": {"model": "mean", "trained_on": 3}}
    status = be.get(f"/api/v1/launches/{launch_id}").json()
    assert status["state"] == "succeeded"
    assert status["input"] == {"method": "POST", "url_params": {"scale": 2}, "req_body": {"rows": rows}, "req_form": {}}
    # Shared data is shown in the launch status.
    assert status["shared"]["clean"] == [{"x": 2, "y": 2.0}, {"x": 4, "y": 4.0}, {"x": 6, "y": 6.0}]
    assert len(status["shared"]["dataset"]) == 4


@pytest.mark.parametrize("params,body,field", [
    ({}, {"name": "ada"}, "/url_params/age"),                        # required
    ({"age": "old"}, {"name": "ada"}, "/url_params/age"),            # not an integer
    ({"age": "30", "color": "mauve"}, {"name": "ada"}, "/url_params/color"),  # not an option
    ({"age": "30"}, {"name": "Ada Lovelace!"}, "/body/name"),        # regex
    ({"age": "30"}, {"name": "ada", "tags": "x"}, "/body/tags"),     # not a list
    ({"age": "30"}, {}, "/body/name"),                               # required in the body
])
def test_invalid_requests_are_refused_with_the_field_and_launch_nothing(be, params, body, field):
    echo(be, "strict", request={
        "url_params": [{"name": "age", "type": "integer", "required": True},
                       {"name": "color", "type": "enum", "options": ["red", "green"], "default": "red"}],
        "body": [{"name": "name", "type": "string", "required": True, "regex": "^[a-z]{1,20}$"},
                 {"name": "tags", "type": "array"}]})
    r = call(be, "strict", params=params, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_request"
    assert r.json()["error"]["field"] == field
    assert be.get("/api/v1/launches", params={"workflow_id": "strict"}).json()["items"] == []


def test_defaults_are_filled_and_query_text_takes_the_declared_types(be):
    echo(be, "typed", request={"url_params": [
        {"name": "age", "type": "integer"}, {"name": "ratio", "type": "number"}, {"name": "on", "type": "boolean"},
        {"name": "color", "type": "enum", "options": ["red", "green"], "default": "green"},
        {"name": "limit", "type": "integer", "default": 10}, {"name": "code", "type": "string", "regex": "^[A-Z]{3}$"}]},
        response=[{"name": "echo", "fields": [{"name": "request", "type": "object", "required": True}]}])
    r = call(be, "typed", method="GET", params={"age": "30", "ratio": "0.5", "on": "true", "code": "ABC", "extra": "kept"})
    assert r.status_code == 200, r.text
    seen = r.json()["data"]["echo"][0]["request"]
    assert seen["method"] == "GET"
    assert seen["url_params"] == {"age": 30, "ratio": 0.5, "on": True, "color": "green", "limit": 10, "code": "ABC", "extra": "kept"}
    assert r.json()["meta"] == {"echo": {}}
    for method in ("PUT", "DELETE"):
        r = call(be, "typed", method=method, params={"code": "XYZ"})
        assert r.status_code == 200 and r.json()["data"]["echo"][0]["request"]["method"] == method


def test_form_data_urlencoded_and_multipart_with_a_file(be):
    echo(be, "formy", request={"form": [{"name": "age", "type": "integer", "required": True},
                                        {"name": "kind", "type": "enum", "options": ["a", "b"], "default": "a"}]})
    r = call(be, "formy", data={"age": "41"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["echo"][0]["request"]["req_form"] == {"age": 41, "kind": "a"}
    r = call(be, "formy", data={"age": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/form/age"
    r = call(be, "formy", data={"age": "7", "kind": "b"}, files={"upload": ("data.csv", b"x,y\n1,2\n", "text/csv")})
    assert r.status_code == 200, r.text
    form = r.json()["data"]["echo"][0]["request"]["req_form"]
    assert form["age"] == 7 and form["kind"] == "b"
    # The file went to the artifact store; the form names it.
    assert form["upload"]["filename"] == "data.csv" and form["upload"]["size"] == 8
    assert be.get(f"/api/v1/artifacts/{form['upload']['artifact']}").content == b"x,y\n1,2\n"
    r = call(be, "formy", data=b"<x/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"


def test_the_interceptor_changes_and_rejects_requests(be):
    echo(be, "guarded", request={"body": [{"name": "var", "type": "integer", "required": True}]}, interceptor={"function_def_id": "intercept"})
    r = call(be, "guarded", json={"var": 5})
    assert r.status_code == 200, r.text
    seen = r.json()["data"]["echo"][0]["request"]
    assert seen["req_body"] == {"var": 10, "intercepted": True}
    launches = be.get("/api/v1/launches", params={"workflow_id": "guarded"}).json()["items"]
    r = call(be, "guarded", json={"var": -1})
    assert r.status_code == 422, r.text
    assert r.json()["error"] == {"code": "rejected_by_interceptor", "message": "var must not be negative"}
    # A rejected call launches nothing.
    assert len(be.get("/api/v1/launches", params={"workflow_id": "guarded"}).json()["items"]) == len(launches)
    # An interceptor must name a registered function.
    r = be.post("/api/v1/workflows", json={"workflow_id": "guarded2", "interceptor": {"function_def_id": "nope"}, "tasks": [task("1", "echo", start=True)]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/interceptor/function_def_id"


def test_pull_of_a_key_never_pushed_is_not_pushed(be):
    register(be, "missing", [task("1", "pull_missing", start=True)])
    r = call(be, "missing")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["echo"] == [{"status": 404, "code": "not_pushed"}]


def test_the_run_api_bounds_what_a_task_sends(be):
    register(be, "bounded", [task("1", "limits", start=True)], response=METRICS)
    r = call(be, "bounded")
    assert r.status_code == 200, r.text
    seen = r.json()["data"]["metrics"][0]
    assert (seen["big"], seen["unknown"], seen["unknown_code"], seen["meta"]) == (413, 422, "unknown_response_item", 400)


def test_a_response_item_refused_by_its_schema_fails_the_task_and_the_call_answers_502(be):
    register(be, "badresp", [task("1", "bad_item", start=True)], response=METRICS)
    r = call(be, "badresp")
    assert r.status_code == 502, r.text
    error = r.json()["error"]
    assert error["code"] == "workflow_failed" and error["launch_id"] == r.headers["X-Sweep-Launch-Id"]
    # The task saw the item's schema refuse the object, with the field at fault.
    assert "422" in error["run_error"] and "/data/0/value" in error["run_error"]


def test_a_failed_task_answers_502_with_the_launch_and_the_runs_error(be):
    register(be, "failing", [task("1", "noop", ["2"], start=True), task("2", "fail")])
    r = call(be, "failing")
    assert r.status_code == 502, r.text
    error = r.json()["error"]
    assert error["code"] == "workflow_failed" and error["run_id"] == "2" and "500" in error["run_error"]
    assert be.get(f"/api/v1/launches/{error['launch_id']}").json()["state"] == "failed"


def test_a_call_past_call_timeout_is_handed_over_with_202_and_location(be, be_server):
    register(be, "slowcall", [task("1", "gate", start=True, static_input={"gate": "handover"})], config={"call_timeout": 1})
    started = time.monotonic()
    r = call(be, "slowcall")
    assert r.status_code == 202, r.text
    assert 0.9 <= time.monotonic() - started < 10
    launch_id = r.json()["launch_id"]
    assert r.json()["state"] in ("waiting", "running") and r.headers["Location"] == f"/api/v1/launches/{launch_id}"
    requests.post(be_server + "_open/handover", timeout=5).raise_for_status()
    wait_until(lambda: be.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", what="handed-over launch ends")


def test_background_answers_202_at_once(be, be_server):
    register(be, "bg", [task("1", "gate", start=True, static_input={"gate": "background"})])
    r = call(be, "bg", params={"background": "true"})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    assert r.headers["Location"] == f"/api/v1/launches/{launch_id}"
    requests.post(be_server + "_open/background", timeout=5).raise_for_status()
    wait_until(lambda: be.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", what="background launch ends")


def test_idempotency_key_maps_to_the_launch(be):
    echo(be, "idem")
    first = call(be, "idem", headers={"Idempotency-Key": "order-17"})
    again = call(be, "idem", headers={"Idempotency-Key": "order-17"})
    assert first.status_code == again.status_code == 200
    assert first.headers["X-Sweep-Launch-Id"] == again.headers["X-Sweep-Launch-Id"]
    assert len(be.get("/api/v1/launches", params={"workflow_id": "idem"}).json()["items"]) == 1


def test_registration_checks_the_request_schema(be):
    def refused(extra, field):
        r = be.post("/api/v1/workflows", json={"workflow_id": "bad", "tasks": [task("1", "echo", start=True)], **extra})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field, r.text
    refused({"request": {"url_params": [{"name": "a", "type": "date"}]}}, "/request/url_params/0/type")
    refused({"request": {"body": [{"name": "a", "type": "enum"}]}}, "/request/body/0/options")
    refused({"request": {"body": [{"name": "a", "type": "string", "regex": "(a"}]}}, "/request/body/0/regex")
    refused({"request": {"body": [{"name": "a", "type": "string", "regex": "(a)\\1"}]}}, "/request/body/0/regex")
    refused({"request": {"body": [{"name": "a", "type": "string", "regex": "a" * 600}]}}, "/request/body/0/regex")
    refused({"request": {"body": [{"name": "a", "type": "integer", "default": "x"}]}}, "/request/body/0/default")
    refused({"response": [{"name": "m", "fields": [{"name": "v", "type": "thing"}]}]}, "/response/0/fields/0/type")
    refused({"config": {"call_timeout": 3601}}, "/config/call_timeout")


def test_a_catastrophic_regex_is_matched_in_linear_time(be):
    echo(be, "redos", request={"url_params": [{"name": "s", "type": "string", "regex": "^(a+)+$"}]})
    started = time.monotonic()
    r = call(be, "redos", params={"s": "a" * 5000 + "!"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/url_params/s"
    assert time.monotonic() - started < 5


def test_the_per_workflow_openapi_fragment(be):
    echo(be, "documented", request={"url_params": [{"name": "age", "type": "integer", "required": True, "desc": "years"}],
                                    "body": [{"name": "color", "type": "enum", "options": ["red", "green"]}]}, response=METRICS)
    doc = be.get("/api/v1/workflows/documented/call/openapi.json").json()
    operation = doc["paths"]["/api/v1/workflows/documented/call"]["post"]
    age = next(p for p in operation["parameters"] if p["name"] == "age")
    assert age == {"name": "age", "in": "query", "required": True, "schema": {"type": "integer", "description": "years"}, "description": "years"}
    assert operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["color"]["enum"] == ["red", "green"]
    metrics = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["properties"]["metrics"]
    assert metrics["items"]["required"] == ["name", "value"]
    assert be.get("/api/v1/workflows/nope/call/openapi.json").status_code == 404


def test_the_run_api_needs_a_running_tasks_token(be, other_user):
    for method, path in [("PUT", "/api/v1/run/shared/k"), ("GET", "/api/v1/run/shared/k"), ("POST", "/api/v1/run/response/x"),
                         ("PUT", "/api/v1/run/response/x/meta")]:
        r = be.request(method, path, json={"data": []})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_task_token"
    # Calls are tenant-scoped: another user's workflow is not found.
    echo(be, "mine")
    assert call(other_user, "mine").status_code == 404


def test_hundreds_of_concurrent_foreground_calls_park_without_threads(be):
    # The stack's worker has 8 request threads; 300 calls wait at once.
    register(be, "many", [task("1", "noop", start=True)])
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=300)
    session.mount("http://", adapter)

    def one(i):
        return session.post(f"{be.url}/api/v1/workflows/many/call", json={"i": i}, timeout=120,
                            headers={"Authorization": "Bearer " + be.key})

    with concurrent.futures.ThreadPoolExecutor(300) as pool:
        answers = list(pool.map(one, range(300)))
    assert [a.status_code for a in answers] == [200] * 300, [a.text for a in answers if a.status_code != 200][:3]
    assert len({a.headers["X-Sweep-Launch-Id"] for a in answers}) == 300
