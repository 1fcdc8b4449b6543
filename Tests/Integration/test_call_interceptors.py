"""Issue 15, interceptors that run wherever any function runs: a backend workflow's interceptor is a run of a launch
of its own, claimed like any task (a scheduler's HTTP call, bubblewrap sandbox or podman container, or an executor
of its type), bounded by `config.interceptor_timeout`, while the `/call` waits parked (no request thread). Real
stack (PostgreSQL, nginx, a worker with only two request threads, a scheduler), real functions, podman and a real
`sweep-executor` process."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sse import events as sse_events
from stack import ROOT, Stack, wait_until
from sweep_fixtures import register_demo_container, register_http_functions, zip_of

REQUEST_THREADS = 2
CLIENT_SRC = os.path.join(ROOT, "clients", "python", "src")
VAR_BODY = {"body": [{"name": "var", "type": "integer", "required": True}]}


@pytest.fixture(scope="module")
def stack():
    s = Stack(worker_threads=REQUEST_THREADS)
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def be_server():
    """backend_functions.py: `echo` answers the request its task saw as response item `echo`; `intercept` doubles
    req_body.var and rejects a negative one; `gate` waits until /_open/<name>."""
    proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "backend_functions.py")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}/"
    proc.stdin.close()
    proc.wait(timeout=10)


_users = [0]


@pytest.fixture
def user(stack, be_server):
    _users[0] += 1
    client = stack.create_user(f"icpt{_users[0]}-{os.getpid()}")
    register_http_functions(client, be_server, ["echo", "intercept", "gate"], destination="be")
    return client


def register(client, workflow_id, interceptor, request=VAR_BODY, config=None, task_function="echo", static_input=None):
    properties = {"position": "start"}
    if static_input:
        properties["static_input"] = static_input
    definition = {"workflow_id": workflow_id, "request": request, "interceptor": interceptor,
                  "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": task_function, "priority": 1}],
                             "successors": [], "properties": properties}]}
    if config:
        definition["config"] = config
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def call(client, workflow_id, timeout=90, **kw):
    return client.post(f"/api/v1/workflows/{workflow_id}/call", timeout=timeout, **kw)


def seen_request(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]["echo"][0]["request"]


def launches_of(client, workflow_id=None):
    params = {"limit": 500, **({"workflow_id": workflow_id} if workflow_id else {})}
    r = client.get("/api/v1/launches", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def assert_rejected(client, response, message):
    """422 `rejected_by_interceptor` with the interceptor's own words; its launch kept for its logs but listed nowhere."""
    assert response.status_code == 422, response.text
    assert response.json()["error"] == {"code": "rejected_by_interceptor", "message": message}
    interceptor_launch = response.headers["X-Sweep-Interceptor-Launch-Id"]
    status = client.get(f"/api/v1/launches/{interceptor_launch}").json()
    assert status["state"] == "failed" and status["interceptor"] is True and [t["run_id"] for t in status["tasks"]] == ["interceptor"]
    assert interceptor_launch not in [launch["launch_id"] for launch in launches_of(client)]
    return interceptor_launch


def local_function(client, function_id, code):
    r = client.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"})
    assert r.status_code in (201, 409), r.text
    r = client.post("/api/v1/functions", json={"id": function_id, "destination_id": "here", "function_name": function_id, "runtime": "python3.8"})
    assert r.status_code == 201, r.text
    r = client.put(f"/api/v1/functions/{function_id}/code", data=zip_of({"main.py": textwrap.dedent(code)}),
                   headers={"Content-Type": "application/zip"})
    assert r.status_code == 200, r.text


GUARD = """
def handler(event, context):
    body = dict(event.get("req_body") or {})
    if body.get("var", 0) < 0:
        raise ValueError("var must not be negative")
    body["var"] = body["var"] * 2
    body["checked_by"] = "bubblewrap"
    print("checked var", body["var"])
    return {"req_body": body}
"""


def test_a_local_interceptor_changes_the_request_and_rejects_with_its_message(user):
    local_function(user, "guard", GUARD)
    register(user, "local_guarded", {"function_def_id": "guard"})
    r = call(user, "local_guarded", json={"var": 5})
    assert seen_request(r)["req_body"] == {"var": 10, "checked_by": "bubblewrap"}
    launch_id = r.headers["X-Sweep-Launch-Id"]
    status = user.get(f"/api/v1/launches/{launch_id}").json()
    assert status["input"]["req_body"] == {"var": 10, "checked_by": "bubblewrap"} and "interceptor" not in status
    # The call that went on leaves one launch, its own: the interceptor's launch was deleted with it.
    assert [launch["launch_id"] for launch in launches_of(user, "local_guarded")] == [launch_id]

    rejected = call(user, "local_guarded", json={"var": -1})
    interceptor_launch = assert_rejected(user, rejected, "var must not be negative")
    # Its logs are there for whoever debugs the interceptor (the traceback on stderr).
    logs = user.get(f"/api/v1/launches/{interceptor_launch}/tasks/interceptor/logs").text
    assert "ValueError: var must not be negative" in logs
    # Its event stream replays its life like any launch's (the page follows it the same way).
    with user.session.get(f"{user.url}/api/v1/launches/{interceptor_launch}/events", headers={"Accept": "text/event-stream"},
                          stream=True, timeout=30) as stream:
        assert stream.status_code == 200
        kinds = []
        for _, kind, data in sse_events(stream):
            kinds.append((kind, data.get("run_id")))
            if kind.startswith("launch.") and kind not in ("launch.created", "launch.started"):
                break
    assert ("task.failed", "interceptor") in kinds and kinds[-1] == ("launch.failed", None), kinds
    assert [launch["launch_id"] for launch in launches_of(user, "local_guarded")] == [launch_id]
    # The interceptor's answer is checked against the schema like the request was.
    local_function(user, "breaker", "def handler(event, context):\n    return {'req_body': {'var': 'many'}}\n")
    register(user, "broken_guard", {"function_def_id": "breaker"})
    r = call(user, "broken_guard", json={"var": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request" and r.json()["error"]["field"] == "/body/var", r.text


CONTAINER_GUARD = r"""
if grep -q '"var":-' request.json; then echo "checking the request" >&2; echo "var must not be negative" >&2; exit 3; fi
body=$(sed 's/"req_body":{/"req_body":{"checked_by":"podman",/' request.json)
wget -q -O /dev/null --header "Authorization: Bearer $SWEEP_TASK_TOKEN" --header "Content-Type: application/json" \
    --post-data "{\"output\":$body}" "$SWEEP_API_URL/api/v1/run/result"
"""


def test_a_container_interceptor_reads_the_request_and_answers_through_the_run_api(user):
    register_demo_container(user, container_id="guard_box", command=["sh", "-c", CONTAINER_GUARD])
    # The image's first load on this host takes a few seconds: a longer bound than the default 10 s.
    register(user, "boxed", {"container_def_id": "guard_box"}, config={"interceptor_timeout": 60})
    r = call(user, "boxed", json={"var": 5})
    assert seen_request(r)["req_body"] == {"var": 5, "checked_by": "podman"}
    assert_rejected(user, call(user, "boxed", json={"var": -7}), "var must not be negative")


EXECUTOR_GUARD = """
def guard(ti):
    body = dict(ti.input.get("req_body") or {})
    if body.get("var", 0) < 0:
        raise ValueError("var must not be negative")
    body["checked_by"] = "executor"
    return {"req_body": body}
"""


@pytest.fixture
def executor(stack, user, tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(EXECUTOR_GUARD))
    env = dict(os.environ, PYTHONPATH=CLIENT_SRC + os.pathsep + str(tmp_path), SWEEP_URL=stack.url, SWEEP_API_KEY=user.key)
    log = open(os.path.join(stack.workdir, f"executor-guard-{time.monotonic_ns()}.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from sweep_client.executor import main; sys.exit(main())",
                             "--type", "guards", "--name", "guard-1", "--wait", "1", "handlers:guard"],
                            cwd=str(tmp_path), env=env, stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def test_an_executor_type_interceptor_is_served_by_a_sweep_executor(user, executor):
    register(user, "by_executor", {"executor_type": "guards", "function": "guard"})
    r = call(user, "by_executor", json={"var": 3})
    assert seen_request(r)["req_body"] == {"var": 3, "checked_by": "executor"}
    assert_rejected(user, call(user, "by_executor", json={"var": -3}), "var must not be negative")


def test_an_interceptor_past_its_time_bound_answers_504_and_is_stopped(user):
    local_function(user, "sleepy", "import time\ndef handler(event, context):\n    time.sleep(120)\n    return {}\n")
    register(user, "slow_guard", {"function_def_id": "sleepy"}, config={"interceptor_timeout": 2})
    started = time.monotonic()
    r = call(user, "slow_guard", json={"var": 1})
    elapsed = time.monotonic() - started
    assert r.status_code == 504, r.text
    assert r.json()["error"]["code"] == "interceptor_timeout" and "2 s" in r.json()["error"]["message"]
    assert 2 <= elapsed < 10, elapsed
    # Its launch was cancelled (the sandboxed process stopped with it), and nothing was launched.
    status = user.get(f"/api/v1/launches/{r.headers['X-Sweep-Interceptor-Launch-Id']}").json()
    assert status["state"] == "cancelled"
    assert launches_of(user, "slow_guard") == []
    # Bounds are checked at registration.
    for bad in (0, 301, "10"):
        r = user.post("/api/v1/workflows", json={"workflow_id": "bad_bound", "config": {"interceptor_timeout": bad},
                                                 "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": "echo", "priority": 1}],
                                                            "successors": [], "properties": {"position": "start"}}]})
        assert r.status_code == 422 and r.json()["error"]["field"] == "/config/interceptor_timeout", r.text


def test_an_unreachable_or_unavailable_interceptor_is_not_a_rejection(user, stack):
    # A destination nothing listens on: the run fails without the interceptor's words, 502 interceptor_failed.
    from stack import free_port
    register_http_functions(user, f"http://127.0.0.1:{free_port()}/", ["nobody_home"], destination="void")
    register(user, "unreachable_guard", {"function_def_id": "nobody_home"})
    r = call(user, "unreachable_guard", json={"var": 1})
    assert r.status_code == 502 and r.json()["error"]["code"] == "interceptor_failed", r.text
    # An interceptor whose function was deleted since registration: 422 interceptor_unavailable, nothing made.
    assert user.delete("/api/v1/functions/nobody_home").status_code == 204
    r = call(user, "unreachable_guard", json={"var": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "interceptor_unavailable", r.text
    assert "X-Sweep-Interceptor-Launch-Id" not in r.headers


def test_background_and_the_call_timeout_hand_over_with_an_interceptor(user, be_server):
    import requests
    register(user, "bg_guarded", {"function_def_id": "intercept"})
    # background: the call waits for the interceptor only, then answers 202 with the launch it made.
    r = call(user, "bg_guarded", params={"background": "true"}, json={"var": 4})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    assert r.headers["Location"] == f"/api/v1/launches/{launch_id}"
    assert user.get(f"/api/v1/launches/{launch_id}").json()["input"]["req_body"] == {"var": 8, "intercepted": True}
    # A rejection is never deferred: 422 at once, background or not.
    r = call(user, "bg_guarded", params={"background": "true"}, json={"var": -4})
    assert r.status_code == 422 and r.json()["error"]["code"] == "rejected_by_interceptor", r.text

    # call_timeout counts from the call: past it, the launch the interceptor let through is handed over with 202.
    gate = f"handover-{os.getpid()}-{time.monotonic_ns()}"
    register(user, "slow_after_guard", {"function_def_id": "intercept"}, config={"call_timeout": 1},
             task_function="gate", static_input={"gate": gate})
    r = call(user, "slow_after_guard", json={"var": 1})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    assert user.get(f"/api/v1/launches/{launch_id}").json()["input"]["req_body"] == {"var": 2, "intercepted": True}
    requests.post(be_server + "_open/" + gate, timeout=10)
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=30, what="the handed-over launch")


class BarrierInterceptor:
    """An HTTP interceptor that answers no call before `parties` of them are in flight at once: the calls can only
    all succeed if none of them holds one of the worker's request threads while its interceptor runs."""

    def __init__(self, parties):
        barrier = threading.Barrier(parties, timeout=45)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                try:
                    barrier.wait()
                    status, body = 200, {"req_body": dict(payload["req_body"], released=True)}
                except threading.BrokenBarrierError:
                    status, body = 500, {"error": "the other calls never reached the interceptor"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_waiting_intercepted_calls_hold_no_request_thread(user):
    parties = REQUEST_THREADS * 4
    barrier = BarrierInterceptor(parties)
    try:
        register_http_functions(user, barrier.url, ["barrier"], destination="barrier_fns")
        register(user, "crowded", {"function_def_id": "barrier"}, config={"interceptor_timeout": 60})
        with concurrent.futures.ThreadPoolExecutor(parties) as pool:
            answers = list(pool.map(lambda i: call(user, "crowded", json={"var": i}), range(parties)))
    finally:
        barrier.stop()
    assert [seen_request(r)["req_body"] for r in answers] == [{"var": i, "released": True} for i in range(parties)]
    assert len(launches_of(user, "crowded")) == parties


def test_an_idempotency_key_joins_the_first_intercepted_launch(user):
    register(user, "keyed_guard", {"function_def_id": "intercept"})
    key = {"Idempotency-Key": f"order-{time.monotonic_ns()}"}
    first = call(user, "keyed_guard", json={"var": 2}, headers=key)
    assert seen_request(first)["req_body"] == {"var": 4, "intercepted": True}
    # The retry is answered by the first launch: the interceptor does not run again (a rejection would show it).
    again = call(user, "keyed_guard", json={"var": -2}, headers=key)
    assert again.status_code == 200 and again.headers["X-Sweep-Launch-Id"] == first.headers["X-Sweep-Launch-Id"], again.text
    assert len(launches_of(user, "keyed_guard")) == 1
