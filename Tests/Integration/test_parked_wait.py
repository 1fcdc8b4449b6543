"""Issue 10: `wait` on a launch parks the request (DESIGN §3) instead of sleeping on a worker thread: more waiters
than the worker has threads wait at once while other requests are answered, a waiter answers by itself at its
deadline (202 with Location), and the number of waiters is bounded (429)."""
import concurrent.futures
import time

import pytest
import requests

from conftest import FunctionServer
from stack import Stack, wait_until
from sweep_fixtures import register_http_functions

THREADS = 2
CAPACITY = 6


@pytest.fixture(scope="module")
def small_worker():
    s = Stack(worker_threads=THREADS, env={"SWEEP_MAX_PARKED_REQUESTS": str(CAPACITY)})
    server = FunctionServer()
    try:
        s.start(schedulers=1)
        yield s, server
    finally:
        s.stop()
        server.stop()


def gated_workflow(client, server, workflow_id, gate):
    register_http_functions(client, server.url, ["gate"])
    assert client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "gate", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"gate": gate}}}]}).status_code == 201


def test_waiters_do_not_hold_request_threads(small_worker):
    stack, server = small_worker
    client = stack.create_user("waiter")
    gated_workflow(client, server, "held", "parked-1")
    launches = [client.post("/api/v1/workflows/held/launches", json={}) for _ in range(CAPACITY)]
    assert all(r.status_code == 202 for r in launches)

    def wait_for(index):
        # Each waiter launches with wait: three times more waiters than request threads.
        return requests.post(f"{stack.url}/api/v1/workflows/held/launches", json={"wait": 30, "idempotency_key": f"k{index}"},
                             headers={"Authorization": "Bearer " + client.key}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(CAPACITY + 1) as pool:
        waiters = [pool.submit(wait_for, i) for i in range(CAPACITY)]
        wait_until(lambda: len([c for c in server.calls() if c["input"].get("static_input", {}).get("gate") == "parked-1"]) >= CAPACITY * 2,
                   what="every launch running")
        # The worker's two threads are free: other requests are answered at once while six requests wait.
        started = time.monotonic()
        for _ in range(10):
            assert client.get("/api/v1/me").status_code == 200
        assert time.monotonic() - started < 5
        assert not any(w.done() for w in waiters)
        # One more waiter than the bound: refused at once, never queued, and no launch made.
        launches_before = len(stack.psql("SELECT id FROM launches WHERE workflow_id = 'held'"))
        over = client.post("/api/v1/workflows/held/launches", json={"wait": 30})
        assert over.status_code == 429, over.text
        assert over.json()["error"]["code"] == "too_many_waiting" and over.headers.get("Retry-After")
        assert len(stack.psql("SELECT id FROM launches WHERE workflow_id = 'held'")) == launches_before
        requests.post(server.url + "_open/parked-1", timeout=5).raise_for_status()
        answers = [w.result(timeout=30) for w in waiters]
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert all(a.json()["state"] == "succeeded" and a.json()["tasks"][0]["output"]["gate"] == "parked-1" for a in answers)


def test_a_waiter_answers_by_itself_at_its_deadline(small_worker):
    stack, server = small_worker
    client = stack.create_user("patient")
    gated_workflow(client, server, "never", "parked-2")
    started = time.monotonic()
    r = client.post("/api/v1/workflows/never/launches", json={"wait": 1})
    elapsed = time.monotonic() - started
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["state"] in ("waiting", "running")
    assert r.headers["Location"] == "/api/v1/launches/" + body["launch_id"]
    assert 0.9 <= elapsed < 5
    requests.post(server.url + "_open/parked-2", timeout=5).raise_for_status()


def test_a_launch_that_ends_at_once_answers_200(small_worker):
    stack, server = small_worker
    client = stack.create_user("quick")
    register_http_functions(client, server.url, ["noop"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "quick", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201
    r = client.post("/api/v1/workflows/quick/launches", json={"wait": 20})
    assert r.status_code == 200 and r.json()["state"] == "succeeded"
    assert r.headers.get("X-Request-Id")
