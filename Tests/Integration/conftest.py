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
