"""Issue 10, batch isolation: a result PostgreSQL refuses (`\\u0000` is valid JSON but jsonb cannot hold it) fails
its own run with `output_rejected: …` and nothing else: the good results recorded with it in the same batch are
kept, its launch proceeds as for any failure, and the scheduler goes on serving everyone (no "scheduler step
failed" loop). A real HTTP function on loopback answers the poisoned output."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stack import wait_until
from sweep_fixtures import register_http_functions

POISON = b'{"x": "a\\u0000b"}'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        name = self.path.strip("/")
        if name == "poison_seven":
            # Replica 7 of a scatter answers poison; its siblings answer normally, in the same batches.
            # The scattered path holds the replica's element (SWEEP example 2).
            element = payload["predecessor_outputs"]["1"]["numbers"]
            body = POISON if element == 7 else json.dumps({"i": element}).encode()
        elif name == "poison":
            body = POISON
        else:
            body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def poison_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def ended(client, launch_id):
    status = client.get("/api/v1/launches/" + launch_id).json()
    return status if status["state"] in ("succeeded", "failed", "cancelled") else None


def test_a_refused_output_fails_its_run_and_keeps_its_batch(stack, user, other_user, poison_server, functions):
    register_http_functions(user, poison_server, ["poison_seven"], destination="poisoned")
    register_http_functions(user, functions.url, ["numbers"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "poisoned_scatter", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": 40}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "poison_seven", "priority": 1}], "successors": [],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']"}}]}).status_code == 201
    launch_id = user.post("/api/v1/workflows/poisoned_scatter/launches", json={}).json()["launch_id"]
    status = wait_until(lambda: ended(user, launch_id), timeout=10, what="the poisoned launch to end")

    runs = {t["run_id"]: t for t in status["tasks"]}
    assert status["state"] == "failed", runs.get("2_H")
    failed = [r for r in runs.values() if r["state"] == "failed"]
    assert [r["run_id"] for r in failed] == ["2_H"], "replica 7 (2_H) alone"
    assert failed[0]["error"].startswith("output_rejected: "), failed[0]["error"]
    assert sum(1 for r in runs.values() if r["state"] == "succeeded") == 40, "task 1 and the 39 good replicas"
    assert status["progress"] == {"total": 41, "finished": 41, "failed": 1}

    # The scheduler is not stuck on the refused row: another user's launch runs at once.
    register_http_functions(other_user, functions.url, ["noop"])
    assert other_user.post("/api/v1/workflows", json={"workflow_id": "after_poison", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201
    started = time.monotonic()
    after = other_user.post("/api/v1/workflows/after_poison/launches", json={}).json()["launch_id"]
    assert wait_until(lambda: ended(other_user, after), timeout=5, what="another user's launch")["state"] == "succeeded"
    assert time.monotonic() - started < 5


def test_a_refused_output_on_the_chain_path_fails_the_run_and_its_successor(stack, user, poison_server):
    """The chain step (one routine for record-and-claim) refuses the output too: the run fails through the
    general path and its successor becomes upstream_failed."""
    register_http_functions(user, poison_server, ["poison", "after"], destination="poisoned")
    assert user.post("/api/v1/workflows", json={"workflow_id": "poisoned_chain", "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "poison", "priority": 1}], "successors": ["b"],
         "properties": {"position": "start"}},
        {"id": "b", "execution_configurations": [{"function_def_id": "after", "priority": 1}], "successors": []}]}).status_code == 201
    launch_id = user.post("/api/v1/workflows/poisoned_chain/launches", json={}).json()["launch_id"]
    status = wait_until(lambda: ended(user, launch_id), timeout=10, what="the poisoned chain to end")
    runs = {t["run_id"]: t for t in status["tasks"]}
    assert status["state"] == "failed"
    assert runs["a"]["state"] == "failed" and runs["a"]["error"].startswith("output_rejected: "), runs["a"]
    assert runs["b"]["state"] == "upstream_failed"
