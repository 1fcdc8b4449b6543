"""W3C trace context: a launch is a trace, a run a span; task HTTP calls and log lines carry `traceparent`."""
import os
import re

import requests

from sweep_fixtures import launch, register_http_functions

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def test_http_task_calls_carry_the_launch_trace_and_a_span_per_run(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "traced", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "scatter": "launch_input['items']"}}]})
    assert r.status_code == 201, r.text
    status = launch(user, "traced", input={"items": [1, 2, 3]})
    assert status["state"] == "succeeded"
    calls = [c for c in functions.calls() if c["launch"] == status["launch_id"]]
    assert sorted(c["run"] for c in calls) == ["1_A", "1_B", "1_C"]
    trace_id = status["launch_id"].replace("-", "")
    spans = set()
    for call in calls:
        m = TRACEPARENT.match(call["traceparent"] or "")
        assert m, call["traceparent"]
        assert m.group(1) == trace_id
        spans.add(m.group(2))
    assert len(spans) == 3 and "0" * 16 not in spans


def test_request_log_lines_carry_a_traceparent(stack, user):
    received = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + user.key, "traceparent": received})
    assert r.status_code == 200
    request_id = r.headers["X-Request-Id"]
    launch_path = "/api/v1/launches/123e4567-e89b-12d3-a456-426614174000"
    r2 = user.get(launch_path)
    assert r2.status_code == 404
    logs = open(os.path.join(stack.workdir, "api-0.log"), errors="replace").read()
    line = next(l for l in logs.splitlines() if request_id in l and "request" in l)
    assert "traceparent=00-0af7651916cd43dd8448eb211c80319c-" in line, line
    line2 = next(l for l in logs.splitlines() if r2.headers["X-Request-Id"] in l and "request" in l)
    assert "traceparent=00-123e4567e89b12d3a456426614174000-" in line2, line2
