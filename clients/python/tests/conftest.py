"""The package's suite runs against a real Sweep stack: PostgreSQL, the API worker, a scheduler and nginx, started
from the built binaries by the integration tests' harness (Tests/Integration/stack.py, imported by path)."""
import io
import itertools
import os
import sys
import zipfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.environ.get("SWEEP_STACK_DIR", os.path.join(REPO, "Tests", "Integration")))
from stack import Stack, free_port  # noqa: E402,F401

_names = itertools.count(1)


@pytest.fixture(scope="session")
def stack():
    s = Stack()
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def admin(stack):
    return stack.create_user("pyadmin", admin=True)


@pytest.fixture
def account(stack):
    """A fresh user per test (each test owns its data): `.url`, `.username`, `.password`, `.key`."""
    return stack.create_user(f"py{next(_names)}-{os.getpid()}")


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def local_function(client, function_id, code, destination="here"):
    """Registers a local destination (once) and a Python function whose main.py is `code`."""
    from sweep_client import SweepError
    try:
        client.register_destination({"id": destination, "cloud_provider": "local"})
    except SweepError as error:
        assert error.status == 409, error
    client.register_function({"id": function_id, "destination_id": destination, "function_name": function_id,
                              "runtime": "python3.8"})
    return client.upload_function_code(function_id, zip_of({"main.py": code}))


def one_task_workflow(workflow_id, function_id, static_input=None):
    return {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": function_id, "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": static_input or {}}}]}
