"""sweep_client.executor against a real stack: the `sweep-executor` console script serves the ColonyOS map-reduce
example, `Executor` handlers report outputs and failures (`retryable`), and `run()` keeps retrying with a capped
backoff until the API can be reached."""
import os
import shutil
import socket
import subprocess
import sys
import threading

import pytest

from conftest import REPO
from stack import free_port, wait_until
from sweep_client import SweepClient
from sweep_client.executor import Executor
from sweep_client.task import TaskInstance

MAP_REDUCE = os.path.join(REPO, "examples", "colonyos", "map-reduce")
# Where the sweep_client under test lives (the installed copy under make test), for the executor's process.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__import__("sweep_client").__file__)))


def executor_task(task_id, function, successors=(), args=None, **properties):
    configuration = {"executor_type": "python-executor", "function": function}
    if args is not None:
        configuration["args"] = args
    return {"id": task_id, "execution_configurations": [configuration], "successors": list(successors), "properties": properties}


def test_the_console_script_serves_the_map_reduce_example(stack, account, tmp_path):
    client = SweepClient(stack.url, account.key)
    with open(os.path.join(MAP_REDUCE, "workflow.json")) as f:
        import json
        client.register_workflow(json.load(f))
    folder = tmp_path / "map-reduce"
    shutil.copytree(MAP_REDUCE, folder)
    python = os.environ.get("SWEEP_CLIENT_PYTHON", sys.executable)
    script = os.path.join(os.path.dirname(python), "sweep-executor")
    command = [script] if os.path.exists(script) else [python, "-c", "import sys; from sweep_client.executor import main; sys.exit(main())"]
    log = open(tmp_path / "executor.log", "w")
    process = subprocess.Popen(command + ["--type", "python-executor", "--wait", "5", "handlers:map_nums", "handlers:gen_nums",
                                          "handlers:reduce"], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, SWEEP_URL=stack.url, SWEEP_API_KEY=account.key, PYTHONPATH=PACKAGE_ROOT))
    try:
        launched = client.launch("colonyos_map_reduce", wait=60)
        final = launched if launched["state"] != "running" else client.wait(launched["launch_id"])
        assert final["state"] == "succeeded", final
        assert final["output"] == {"reduce": {"sum": 15}}
        [executor] = list(client._pages("/api/v1/executors"))
        assert executor["type"] == "python-executor" and executor["online"]
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
        log.close()


def test_handlers_report_outputs_and_failures(stack, account):
    client = SweepClient(stack.url, account.key)
    client.register_workflow({"workflow_id": "handled", "tasks": [
        executor_task("ok", "double", ["bad"], args=[21], position="start"), executor_task("bad", "explode")]})
    executor = Executor(stack.url, account.key, type="python-executor", name="in-process", wait=2)
    seen = {}

    @executor.function("double")
    def double(ti, n):
        seen["ti"] = (ti.run_id, ti.attempt, isinstance(ti, TaskInstance))
        return n * 2

    @executor.function()
    def explode(ti):
        error = RuntimeError("no more " + str(ti.input["predecessor_outputs"]["ok"]["result"]))
        error.retryable = False
        raise error

    worker = threading.Thread(target=executor.run, kwargs={"max_runs": 2}, daemon=True)
    worker.start()
    final = client.launch("handled", wait=60)
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert seen["ti"] == ("ok", 1, True)
    runs = {run["run_id"]: run for run in final["tasks"]}
    assert final["state"] == "failed"
    assert runs["ok"]["output"] == {"result": 42}
    assert runs["bad"]["state"] == "failed" and "RuntimeError: no more 42" in runs["bad"]["error"]
    executor.unregister()
    assert list(client._pages("/api/v1/executors")) == []


class Forwarder:
    """A TCP forwarder to the stack that starts listening only when told: until then the executor's requests are
    refused, as when the API is down."""

    def __init__(self, target_port):
        self.port = free_port()
        self.target_port = target_port
        self.server = None

    def start(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                downstream, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        if self.server:
            self.server.close()


def test_run_retries_until_the_api_is_reachable(stack, account):
    client = SweepClient(stack.url, account.key)
    client.register_workflow({"workflow_id": "patient", "tasks": [executor_task("1", "hello", position="start")]})
    forwarder = Forwarder(stack.port)
    executor = Executor(f"http://127.0.0.1:{forwarder.port}", account.key, type="python-executor", wait=2, max_backoff=0.5)
    executor.register_function(lambda ti: {"hello": "again"}, "hello")
    failures = []
    import logging
    handler = logging.Handler()
    handler.emit = lambda record: failures.append(record.getMessage())
    logging.getLogger("sweep_client.executor").addHandler(handler)
    worker = threading.Thread(target=executor.run, kwargs={"max_runs": 1}, daemon=True)
    try:
        worker.start()
        wait_until(lambda: len([m for m in failures if "cannot reach Sweep" in m]) >= 2, what="refused attempts")
        forwarder.start()
        final = client.launch("patient", wait=60)
        worker.join(timeout=60)
        assert final["state"] == "succeeded" and final["output"] == {"1": {"hello": "again"}}
    finally:
        logging.getLogger("sweep_client.executor").removeHandler(handler)
        executor.stop()
        forwarder.stop()
