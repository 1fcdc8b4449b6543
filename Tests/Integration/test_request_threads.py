"""The worker runs only as many request threads at once as it has places (`SWEEP_WORKER_ACTIVE_THREADS`); a thread
waiting on PostgreSQL gives its place up, so requests that wait on the database never hold up the others.

One place, four threads: two requests block on a table lock held by a psql session, and `/me` is still answered by
a third thread. Had the waits not freed their places, that answer would have needed an overrun (a sleeper running
beside threads making no progress, after 50 ms), which `/metrics` counts: the test asserts none happened."""
import re
import threading

import pytest
import requests

from psql_session import Session
from stack import Stack, wait_until


@pytest.fixture(scope="module")
def gated():
    s = Stack(worker_threads=4, env={"SWEEP_WORKER_ACTIVE_THREADS": "1"})
    try:
        yield s.start(schedulers=0)
    finally:
        s.stop()


def metric(stack, name, labels=""):
    text = requests.get(stack.url + "/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert match, f"{name}{labels} missing from /metrics"
    return float(match.group(1))


def threads(stack):
    """(running, sleeping) request threads as the scrape arrived; the scraping thread is one of those running."""
    return (metric(stack, "sweep_worker_request_threads", '{state="running"}'),
            metric(stack, "sweep_worker_request_threads", '{state="sleeping"}'))


def settle(stack, expected, what):
    """The counts right after a request can still include its thread on its way back to sleep: wait for them."""
    wait_until(lambda: threads(stack) == expected, what=what)


def test_requests_waiting_on_postgresql_leave_their_place_to_others(gated):
    user = gated.create_user("gated")
    assert user.get("/api/v1/me").status_code == 200  # the key is cached: /me needs no database from here on
    settle(gated, (1, 3), "one running thread, three sleeping")
    lock = Session(gated.owner_url)
    answers = []
    try:
        lock.run("BEGIN; LOCK TABLE workflows IN ACCESS EXCLUSIVE MODE;")
        waiting = [threading.Thread(target=lambda: answers.append(user.get("/api/v1/workflows", timeout=60).status_code))
                   for _ in range(2)]
        for thread in waiting:
            thread.start()
        wait_until(lambda: gated.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                      "AND query LIKE '%workflows%'")[0][0] == "2", what="two requests waiting on the lock")
        # Both waiting threads gave their places up: one thread runs (serving the scrape), one sleeps.
        settle(gated, (1, 1), "two threads waiting on PostgreSQL, one running, one sleeping")
        for _ in range(20):
            assert user.get("/api/v1/me").status_code == 200
        assert answers == []
    finally:
        lock.run("ROLLBACK;")
        lock.close()
    for thread in waiting:
        thread.join(timeout=60)
    assert answers == [200, 200]
    assert metric(gated, "sweep_worker_request_thread_overruns_total") == 0
    # Back to one running thread once the waits are over: the threads that came back over the limit sleep again.
    settle(gated, (1, 3), "one running thread, three sleeping")
