"""Executors' long-polls without a wake herd, and an exact running cap for assignments. Real stack (PostgreSQL,
worker, scheduler, nginx); the executors are API clients long-polling `POST /api/v1/executors/{id}/assignments`.

- One run made ready wakes one of N parked executors: one claim query (`sweep_executor_claims_total` in /metrics),
  none that finds nothing; a burst of M runs is handed on from waiter to waiter until all are assigned.
- Concurrent assignment requests of a user with `max_running_runs` 3 never hold more than 3 runs.

The registry's periodic re-check is set to 10 minutes here (`SWEEP_PARKED_RECHECK_MS`), so what is seen is what
notifications alone do: nothing but a NOTIFY can wake a waiter during these tests."""
import os
import re
import threading

import pytest
import requests

from stack import Client, Stack, wait_until

TYPE = "herd-type"


@pytest.fixture(scope="module")
def stack():
    s = Stack(env={"SWEEP_PARKED_RECHECK_MS": "600000"})
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


_users = [0]


@pytest.fixture
def user(stack):
    _users[0] += 1
    return stack.create_user(f"wake{_users[0]}-{os.getpid()}")


def metric(stack, name, labels=""):
    text = requests.get(stack.url + "/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def claims(stack):
    return (metric(stack, "sweep_executor_claims_total", '{result="assigned"}'),
            metric(stack, "sweep_executor_claims_total", '{result="empty"}'))


def executor_workflow(client, workflow_id, runs, type=TYPE, **properties):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [{
        "id": "t", "execution_configurations": [{"executor_type": type, "function": "f", "priority": 1}],
        "successors": [], "properties": {"position": "start", "multiplicity": runs, **properties}}]})
    assert r.status_code == 201, r.text


def start(client, workflow_id):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def new_executor(client, name, type=TYPE):
    r = client.post("/api/v1/executors", json={"name": name, "type": type})
    assert r.status_code == 201, r.text
    return r.json()["id"]


class Poller(threading.Thread):
    """One executor's long-poll (its own HTTP connection); records what it was assigned, and reports each run's
    result at once, so no lease runs out into a rescue (which would notify again)."""

    def __init__(self, stack, key, executor_id, wait=60, max=1):
        super().__init__(daemon=True)
        self.client = Client(stack.url, key)
        self.url = stack.url
        self.executor_id, self.wait, self.max = executor_id, wait, max
        self.items = None

    def run(self):
        r = self.client.post(f"/api/v1/executors/{self.executor_id}/assignments", json={"wait": self.wait, "max": self.max},
                             timeout=self.wait + 30)
        assert r.status_code == 200, r.text
        for item in r.json()["items"]:
            done = requests.post(self.url + "/api/v1/run/result", json={"output": {}},
                                 headers={"Authorization": "Bearer " + item["token"]}, timeout=30)
            assert done.status_code == 200, done.text
        self.items = r.json()["items"]


def park(stack, user, count, type=TYPE):
    """`count` executors long-polling, each registered with the worker's registry (checked once, waiting)."""
    before = metric(stack, "sweep_parked_requests")
    pollers = [Poller(stack, user.key, new_executor(user, f"e{i}", type)) for i in range(count)]
    for poller in pollers:
        poller.start()
    wait_until(lambda: metric(stack, "sweep_parked_requests") >= before + count, what=f"{count} parked long-polls")
    return pollers


def answered(pollers):
    return [p for p in pollers if p.items is not None]


def sentinel(stack, user):
    """A long-poll of another type, parked before the counts are read (its own first claim finds nothing)."""
    [poller] = park(stack, user, 1, type="sentinel")
    return poller


def barrier(user, sentinel, tag):
    """Returns once the registry has handled every notification sent before: the sentinel is answered by a
    notification sent after them (one registry thread, notifications in order)."""
    executor_workflow(user, f"sentinel-{tag}", 1, type="sentinel")
    start(user, f"sentinel-{tag}")
    sentinel.join(timeout=30)
    assert sentinel.items and len(sentinel.items) == 1


def test_one_ready_run_wakes_one_of_many_parked_executors(stack, user):
    executor_workflow(user, "one", 1)
    pollers = park(stack, user, 12)
    last = sentinel(stack, user)
    assigned0, empty0 = claims(stack)
    start(user, "one")
    wait_until(lambda: answered(pollers), what="one executor assigned")
    barrier(user, last, "one")
    assigned, empty = claims(stack)
    # One claim for the run, one for the sentinel; with a herd it would be 12 claims, 11 of them empty.
    assert (assigned - assigned0, empty - empty0) == (2, 0)
    winners = answered(pollers)
    assert len(winners) == 1 and len(winners[0].items) == 1
    # The others still wait, and each gets the next runs as they come: a burst of 11 runs in one transaction (one
    # notification) is handed on from waiter to waiter, one claim each, none finding nothing.
    executor_workflow(user, "burst", 11)
    assigned0, empty0 = claims(stack)
    start(user, "burst")
    wait_until(lambda: len(answered(pollers)) == 12, what="every executor assigned", timeout=20)
    assigned, empty = claims(stack)
    assert (assigned - assigned0, empty - empty0) == (11, 0)
    assert sorted(len(p.items) for p in pollers) == [1] * 12


def test_a_burst_of_separate_launches_wakes_enough_executors(stack, user):
    executor_workflow(user, "single", 1)
    pollers = park(stack, user, 8)
    last = sentinel(stack, user)
    assigned0, empty0 = claims(stack)
    # Six launches, six transactions, six notifications: six runs assigned to six of the eight, without a sweep.
    for _ in range(6):
        start(user, "single")
    wait_until(lambda: len(answered(pollers)) == 6, what="six executors assigned", timeout=20)
    barrier(user, last, "separate")
    assigned, empty = claims(stack)
    assert assigned - assigned0 == 7  # six runs and the sentinel
    # A waiter that took the last run while notifications of runs it already took were still queued wakes one more
    # waiter per such notification at most, which finds nothing and ends that round.
    assert empty - empty0 <= 5
    assert len(answered(pollers)) == 6
    # The two left are answered by the next runs.
    start(user, "single")
    start(user, "single")
    wait_until(lambda: len(answered(pollers)) == 8, what="the last two executors assigned", timeout=20)


def runs_in(stack, launch_id, state):
    return int(stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1'::uuid AND state = :'p2'", launch_id, state)[0][0])


def test_concurrent_assignments_never_pass_the_running_cap(stack, user):
    admin = stack.create_user(f"wake-admin-{os.getpid()}", admin=True)
    r = admin.put(f"/api/v1/users/{user.username}/limits", json={"max_running_runs": 3})
    assert r.status_code == 200, r.text
    executor_workflow(user, "capped", 30, type="capped")
    launch_id = start(user, "capped")
    wait_until(lambda: runs_in(stack, launch_id, "scheduled") == 30,
               what="30 runs scheduled")
    executors = [new_executor(user, f"c{i}", "capped") for i in range(16)]
    go = threading.Barrier(len(executors))
    got = []

    def ask(executor_id):
        client = Client(stack.url, user.key)
        go.wait()
        for _ in range(3):
            r = client.post(f"/api/v1/executors/{executor_id}/assignments", json={"wait": 0, "max": 2})
            assert r.status_code == 200, r.text
            got.extend(r.json()["items"])

    threads = [threading.Thread(target=ask, args=(e,)) for e in executors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # 48 requests at once, 8 in flight at a time on the worker's threads: exactly the cap is handed out.
    assert len(got) == 3, got
    assert runs_in(stack, launch_id, "running") == 3
    # A result frees one place, and the next request gets exactly one run.
    done = requests.post(stack.url + "/api/v1/run/result", json={"output": {}},
                         headers={"Authorization": "Bearer " + got[0]["token"]}, timeout=30)
    assert done.status_code == 200, done.text
    r = user.post(f"/api/v1/executors/{executors[0]}/assignments", json={"wait": 0, "max": 5})
    assert r.status_code == 200 and len(r.json()["items"]) == 1, r.text
