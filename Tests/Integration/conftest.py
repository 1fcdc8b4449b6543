import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from stack import Stack  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    s = Stack()
    try:
        s.start(schedulers=int(os.environ.get("SWEEP_TEST_SCHEDULERS", "1")))
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def admin(stack):
    return stack.create_user("admin", admin=True)


_counter = [0]


@pytest.fixture
def user(stack):
    """A fresh non-admin user per test: each test owns its data."""
    _counter[0] += 1
    return stack.create_user(f"user{_counter[0]}-{os.getpid()}")


@pytest.fixture
def other_user(stack):
    _counter[0] += 1
    return stack.create_user(f"other{_counter[0]}-{os.getpid()}")


class FunctionServer:
    def __init__(self):
        import subprocess
        self.proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "function_server.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/"

    def calls(self):
        import requests
        return requests.get(self.url + "_calls").json()

    def stats(self):
        import requests
        return requests.get(self.url + "_stats").json()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def functions():
    server = FunctionServer()
    yield server
    server.stop()
