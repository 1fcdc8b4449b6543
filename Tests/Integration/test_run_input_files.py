"""input_files for runs with no working directory of Sweep's making: a real HTTP function and a real `sweep-executor`
process read their run's input files (contents evaluated per run from a `contents_expr`) through the run API with
their task token, find their names in `sweep.input_files` / the assignment's `input_files`, and get 404 for a name
their task did not declare; the routes need a live task token."""
import hashlib
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from sweep_fixtures import launch, runs_by_id
from test_executors import ExecutorProcess, handlers_dir, stack, user  # noqa: F401 (fixtures)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "clients", "python", "src"))
from sweep_client.task import TaskInstance  # noqa: E402

SAMPLE = "variable nsteps equal {} # simulation steps"
INPUT_FILES = [{"name": "sample.in", "contents_expr": "'variable nsteps equal ' + str(static_input['nsteps']) + ' # simulation steps'"},
               {"name": "notes.txt", "contents": "fixed text\n"}]


class InputReadingFunction:
    """An HTTP function that, while its run runs, reads every input file its `sweep` object names through the
    Python client's `TaskInstance` and answers what it read."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ti = TaskInstance.from_input(body)
                try:
                    ti.input_file("undeclared.txt")
                    undeclared = 200
                except Exception as error:  # SweepError carries the status
                    undeclared = getattr(error, "status", None)
                answer = json.dumps({
                    "names": ti.input_files,
                    "files": {name: ti.input_file(name).decode() for name in ti.input_files},
                    "listed": ti.list_input_files(),
                    "undeclared": undeclared,
                    "token": ti.token,
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def test_an_http_function_reads_its_runs_input_files_with_its_task_token(stack, user):
    function = InputReadingFunction()
    try:
        assert user.post("/api/v1/destinations", json={"id": "fns", "cloud_provider": "http", "base_url": function.url}).status_code == 201
        assert user.post("/api/v1/functions", json={"id": "reader", "destination_id": "fns", "function_name": "reader"}).status_code == 201
        definition = {"workflow_id": "inputs_http", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "reader", "priority": 1}], "successors": [],
             "properties": {"position": "start", "static_input": {"nsteps": [100, 200]}, "scatter": "static_input['nsteps']",
                            "input_files": INPUT_FILES}}]}
        assert user.post("/api/v1/workflows", json=definition).status_code == 201, definition
        status = launch(user, "inputs_http")
    finally:
        function.stop()
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    runs = runs_by_id(status)
    for run, nsteps in (("1_A", 100), ("1_B", 200)):
        output = runs[run]["output"]
        assert output["names"] == ["sample.in", "notes.txt"]
        assert output["files"] == {"sample.in": SAMPLE.format(nsteps), "notes.txt": "fixed text\n"}, "evaluated per run"
        sample = SAMPLE.format(nsteps).encode()
        assert output["listed"][0] == {"name": "sample.in", "size": len(sample), "sha256": hashlib.sha256(sample).hexdigest()}
        assert output["undeclared"] == 404
        # The token worked only while its run ran.
        r = requests.get(stack.url + "/api/v1/run/input_files/sample.in", headers={"Authorization": "Bearer " + output["token"]}, timeout=30)
        assert r.status_code == 401, r.text


READER = """
def read_inputs(ti):
    return {"names": ti.input_files, "files": {name: ti.input_file(name).decode() for name in ti.input_files},
            "listed": [f["name"] for f in ti.list_input_files()]}
"""


def test_an_executor_reads_its_runs_input_files(stack, user, tmp_path):
    definition = {"workflow_id": "inputs_executor", "tasks": [
        {"id": "1", "execution_configurations": [{"executor_type": "python-executor", "function": "read_inputs", "priority": 1}],
         "successors": [], "properties": {"position": "start", "static_input": {"nsteps": 300}, "input_files": INPUT_FILES}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    executor = ExecutorProcess(stack, user, handlers_dir(tmp_path, READER), ["handlers:read_inputs"])
    try:
        status = launch(user, "inputs_executor")
    finally:
        executor.stop()
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    assert runs_by_id(status)["1"]["output"] == {
        "names": ["sample.in", "notes.txt"], "files": {"sample.in": SAMPLE.format(300), "notes.txt": "fixed text\n"},
        "listed": ["sample.in", "notes.txt"]}


def test_the_input_file_routes_need_a_task_token(stack, user):
    for path in ("/api/v1/run/input_files", "/api/v1/run/input_files/sample.in"):
        assert requests.get(stack.url + path, timeout=30).status_code == 401
        r = requests.get(stack.url + path, headers={"Authorization": "Bearer " + user.key}, timeout=30)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_task_token", r.text
