"""Issue 10: one run's poison output fails that run, never the scheduler loop. Each launch ends within 10 s, and
another user's launch submitted afterwards succeeds within 5 s (the loop is not wedged)."""
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sweep_fixtures import launch, register_demo_container, register_http_functions, runs_by_id


def nested(depth):
    value = 1
    for _ in range(depth):
        value = {"x": value}
    return value


# Raw bodies, byte for byte: json.dumps would escape what these tests need sent as is.
BODIES = {
    "nul": (200, b'{"x":"a\\u0000b"}'),
    "nulkey": (200, b'{"a\\u0000":1}'),
    "badutf8": (200, b'{"x":"\xff\xfe"}'),
    "deep127": (200, json.dumps(nested(127)).encode()),
    "deep90": (200, json.dumps(nested(90)).encode()),
    "errnul": (500, b'boom \x00 \xff here'),
    "noop": (200, b"{}"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        name = self.path.strip("/")
        if name == "progressnul":
            # Reports progress with a NUL in the message, with the run's own token; answers what the API said.
            sweep = json.loads(raw)["sweep"]
            request = urllib.request.Request(sweep["progress_url"], method="POST", data=b'{"message":"a\\u0000b","percent":5}',
                                             headers={"Authorization": "Bearer " + sweep["token"], "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request) as r:
                    answer = {"status": r.status}
            except urllib.error.HTTPError as e:
                answer = {"status": e.code, "error": json.loads(e.read())["error"]}
            status, body = 200, json.dumps(answer).encode()
        else:
            status, body = BODIES[name]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def poison():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def chain(workflow_id, first, second="noop", container=False):
    executable = {"container_def_id": first} if container else {"function_def_id": first}
    return {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [dict(executable, priority=1)], "successors": ["2"], "properties": {"position": "start"}},
        {"id": "2", "execution_configurations": [{"function_def_id": second, "priority": 1}], "successors": []},
    ]}


def launch_within(client, workflow_id, seconds):
    started = time.monotonic()
    status = launch(client, workflow_id, wait=seconds)
    elapsed = time.monotonic() - started
    assert status["state"] in ("succeeded", "failed"), f"still {status['state']} after {elapsed:.1f} s: {status}"
    assert elapsed < seconds + 0.5
    return status


def others_still_served(other_user, poison):
    """Another user's launch, submitted after the poison, succeeds within 5 s."""
    register_http_functions(other_user, poison, ["noop"], destination="ok")
    assert other_user.post("/api/v1/workflows", json=chain("plain", "noop")).status_code == 201
    assert launch_within(other_user, "plain", 5)["state"] == "succeeded"


@pytest.mark.parametrize("function, reason", [
    ("nul", "NUL"), ("nulkey", "NUL"), ("badutf8", "not valid UTF-8"), ("deep127", "deeper than"),
])
def test_a_poison_http_output_fails_its_run_and_the_launch(user, other_user, poison, function, reason):
    register_http_functions(user, poison, [function, "noop"])
    assert user.post("/api/v1/workflows", json=chain("w", function)).status_code == 201
    status = launch_within(user, "w", 10)
    assert status["state"] == "failed"
    runs = runs_by_id(status)
    assert runs["1"]["state"] == "failed"
    assert runs["1"]["error"].startswith("output_rejected: ") and reason in runs["1"]["error"], runs["1"]
    assert runs["2"]["state"] == "upstream_failed"
    others_still_served(other_user, poison)


def test_a_deep_output_within_the_bound_reaches_its_successor_whole(user, poison):
    register_http_functions(user, poison, ["deep90", "noop"])
    assert user.post("/api/v1/workflows", json=chain("w", "deep90")).status_code == 201
    status = launch_within(user, "w", 10)
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert runs["1"]["output"] == nested(90)
    assert runs["2"]["input"]["predecessor_outputs"]["1"] == nested(90)


def test_an_error_body_with_nul_and_bad_bytes_is_recorded_sanitised(user, other_user, poison):
    register_http_functions(user, poison, ["errnul", "noop"])
    assert user.post("/api/v1/workflows", json=chain("w", "errnul")).status_code == 201
    status = launch_within(user, "w", 10)
    error = runs_by_id(status)["1"]["error"]
    assert status["state"] == "failed" and "HTTP 500" in error and "boom" in error and "\x00" not in error, error
    others_still_served(other_user, poison)


def test_a_local_process_printing_nul_keeps_its_logs_without_it(user, other_user, poison):
    register_demo_container(user, container_id="printer")
    register_http_functions(user, poison, ["noop"])
    workflow = chain("w", "printer", container=True)
    # A NUL and an invalid byte in the log and in a progress message; the process succeeds.
    workflow["tasks"][0]["properties"]["command"] = ["sh", "-c", r"printf 'a\000b\377c\n::progress::50 x\000y\n'; printf 'e\000rr\n' >&2"]
    assert user.post("/api/v1/workflows", json=workflow).status_code == 201
    status = launch_within(user, "w", 10)
    assert status["state"] == "succeeded", status
    logs = user.get(f"/api/v1/launches/{status['launch_id']}/tasks/1/logs").text
    assert "ab\ufffdc" in logs and "err" in logs and "\x00" not in logs
    events = user.get(f"/api/v1/launches/{status['launch_id']}/events").json()["items"]
    progress = [e for e in events if e["event"] == "task.progress"]
    assert progress and progress[0]["data"]["message"] == "xy"
    others_still_served(other_user, poison)


def test_a_progress_report_with_nul_is_a_400_and_the_run_goes_on(user, poison):
    register_http_functions(user, poison, ["progressnul", "noop"])
    assert user.post("/api/v1/workflows", json=chain("w", "progressnul")).status_code == 201
    status = launch_within(user, "w", 10)
    assert status["state"] == "succeeded", status
    answer = runs_by_id(status)["1"]["output"]
    assert answer["status"] == 400 and answer["error"]["field"] == "/message", answer
