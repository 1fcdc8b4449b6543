"""Issue 17: nginx keeps its FastCGI connections to the worker (`fastcgi_keep_conn on` in every location that reaches it). Every load that
once met "upstream prematurely closed connection" on a kept connection must be answered, all at once, from several
clients over kept client connections: parked launch `wait`s (answered later from another thread), POSTs with bodies
larger than one FastCGI record, bodies the worker refuses before reading them (a 405 for an unknown method with a
2 MiB body), re-runs, SSE streams that end (a finished launch) and that the client drops mid-stream, streamed
artifact uploads (their own nginx location, which may be handed a kept connection), while other clients hammer
`GET /me` and `/health`."""
import concurrent.futures
import os
import re
import threading

import requests

from conftest import FunctionServer
from sse import events
from stack import Stack
from sweep_fixtures import register_http_functions

ROUNDS = 12
CLIENTS = 4
SSE = {"Accept": "text/event-stream"}


def socket_count(pid):
    return sum(1 for fd in os.listdir(f"/proc/{pid}/fd") if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"))


def locations_without_keep_conn(config):
    """The `location` blocks that pass to the worker without `fastcgi_keep_conn on`. nginx 1.22 caches the connection
    of an unbuffered response (SSE) even there, while the worker closes it: none may exist."""
    missing = []
    for block in re.findall(r"location[^{]*\{[^}]*\}", config):
        if "fastcgi_pass sweep_api;" in block and "fastcgi_keep_conn on;" not in block:
            missing.append(block.split("{")[0].strip())
    return missing


def test_every_location_that_reaches_the_worker_keeps_its_connection():
    config = open(os.path.join(os.path.dirname(__file__), "..", "..", "nginx", "sweep.conf.template")).read()
    assert config.count("fastcgi_pass sweep_api;") >= 8
    assert locations_without_keep_conn(config) == []
    # The check itself finds a location that lacks it.
    assert locations_without_keep_conn("location /x/ {\n fastcgi_pass sweep_api;\n}") == ["location /x/"]


def test_every_kind_of_request_is_answered_over_kept_fastcgi_connections():
    stack = Stack(worker_threads=4)
    server = FunctionServer()
    try:
        stack.start(schedulers=1)
        template = open(os.path.join(stack.workdir, "nginx.conf")).read()
        assert locations_without_keep_conn(template) == []
        client = stack.create_user("keeper")
        register_http_functions(client, server.url, ["noop"])
        assert client.post("/api/v1/workflows", json={"workflow_id": "quick", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
             "properties": {"position": "start"}}]}).status_code == 201
        headers = {"Authorization": "Bearer " + client.key}
        worker = stack.workers[0].pid
        sockets_before = socket_count(worker)

        def rounds(index):
            seen = []
            with requests.Session() as session:
                for i in range(ROUNDS):
                    # Parked until the scheduler's NOTIFY; answered from the parked-requests thread.
                    r = session.post(f"{stack.url}/api/v1/workflows/quick/launches", json={"wait": 20}, headers=headers, timeout=30)
                    seen.append(("wait", r.status_code, r.json().get("state")))
                    launch_id = r.json()["launch_id"]
                    # An SSE stream of a finished launch: replayed, then ended by the worker (the sink hands the
                    # connection back).
                    with session.get(f"{stack.url}/api/v1/launches/{launch_id}/events", headers={**headers, **SSE}, stream=True, timeout=30) as s:
                        kinds = [e[1] for e in events(s)]
                    seen.append(("sse-ended", s.status_code, kinds[-1] if kinds else None))
                    r = session.post(f"{stack.url}/api/v1/launches/{launch_id}/rerun", json={"tasks": ["1"]}, headers=headers, timeout=30)
                    seen.append(("rerun", r.status_code, None))
                    definition = {"workflow_id": f"w{index}_{i}", "tasks": [
                        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
                         "properties": {"position": "start", "static_input": {"pad": "x" * 40000}}}]}
                    r = session.post(f"{stack.url}/api/v1/workflows", json=definition, headers=headers, timeout=30)
                    seen.append(("define", r.status_code, None))
                    r = session.post(f"{stack.url}/api/v1/workflows", data=b"{not json" + b" " * 9000, headers=headers, timeout=30)
                    seen.append(("bad", r.status_code, None))
                    # An unknown method is refused before its body is read: the worker then reads the 2 MiB through, to keep the
                    # connection (it once closed it after END_REQUEST, racing nginx's reuse).
                    r = session.request("PURGE", f"{stack.url}/api/v1/workflows/quick", data=b"y" * (2 << 20), headers=headers, timeout=30)
                    seen.append(("unknown-method", r.status_code, None))
                    r = session.put(f"{stack.url}/api/v1/artifacts/k{index}_{i}", data=os.urandom(200_000), headers=headers, timeout=30)
                    seen.append(("upload", r.status_code, None))
                    # A stream the client drops after its first line (a replayed event): nginx closes that FastCGI
                    # connection.
                    with session.get(f"{stack.url}/api/v1/events", headers={**headers, **SSE}, stream=True, timeout=30) as s:
                        first = next(s.iter_lines())
                    seen.append(("sse-dropped", s.status_code, first.startswith((b"id:", b":"))))
                    r = session.get(f"{stack.url}/api/v1/me", headers=headers, timeout=30)
                    seen.append(("me", r.status_code, None))
            return seen

        done = threading.Event()
        hammered = []

        def hammer():
            with requests.Session() as session:
                while not done.is_set():
                    hammered.append(session.get(f"{stack.url}/api/v1/me", headers=headers, timeout=30).status_code)
                    hammered.append(session.get(f"{stack.url}/api/v1/health", timeout=30).status_code)

        hammers = [threading.Thread(target=hammer) for _ in range(2)]
        for thread in hammers:
            thread.start()
        try:
            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                answers = [a for seen in pool.map(rounds, range(CLIENTS)) for a in seen]
        finally:
            done.set()
            for thread in hammers:
                thread.join()
        assert len(answers) == ROUNDS * CLIENTS * 9
        expected = {("wait", 200, "succeeded"), ("sse-ended", 200, "launch.succeeded"), ("rerun", 202, None), ("define", 201, None),
                    ("bad", 400, None), ("unknown-method", 405, None), ("upload", 201, None), ("sse-dropped", 200, True), ("me", 200, None)}
        wrong = [a for a in answers if a not in expected]
        assert not wrong, wrong[:10]
        assert hammered and set(hammered) == {200}, sorted(set(hammered))
        errors = open(os.path.join(stack.workdir, "nginx-error.log")).read()
        assert "prematurely closed" not in errors and "upstream" not in errors, errors[-2000:]
        # The connections were kept: nginx holds idle ones open to the worker after the load.
        assert socket_count(worker) > sockets_before
    finally:
        stack.stop()
        server.stop()
