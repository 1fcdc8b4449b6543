"""Issue 17: wide expansions are inserted in chunks (a cursor per launch, `launch_expansions`); a scheduler killed
with -9 in the middle leaves a resumable state, and the launch still ends with exactly N replicas, each run once.
Chunks are made tiny here (SWEEP_EXPANSION_FIRST_CHUNK / SWEEP_EXPANSION_CHUNK) so a modest width has many."""
import collections
import signal

import pytest

from conftest import FunctionServer
from stack import Stack, wait_until
from sweep_fixtures import register_http_functions

WIDTH = 3000


@pytest.fixture(scope="module")
def cluster():
    s = Stack(env={"SWEEP_LEASE_SECONDS": "2", "SWEEP_RESCUE_INTERVAL_MS": "300",
                   "SWEEP_EXPANSION_FIRST_CHUNK": "20", "SWEEP_EXPANSION_CHUNK": "40"})
    server = FunctionServer()
    try:
        s.start(schedulers=1)
        yield s, server
    finally:
        s.stop()
        server.stop()


def finished(client, launch_id):
    status = client.get("/api/v1/launches/" + launch_id).json()
    return status if status["state"] in ("succeeded", "failed", "cancelled") else None


def cursor(stack, launch_id):
    rows = stack.psql("SELECT next_offset, total FROM launch_expansions WHERE launch_id = :'p1'", launch_id)
    return tuple(int(v) for v in rows[0]) if rows else None


def test_a_scheduler_killed_mid_expansion_leaves_exactly_n_replicas(cluster):
    stack, server = cluster
    client = stack.create_user("expander")
    register_http_functions(client, server.url, ["numbers", "noop"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "wide", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "static_input": {"n": WIDTH}}},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["3"],
         "properties": {"scatter": "predecessor_outputs['1']['numbers']"}},
        {"id": "3", "execution_configurations": [{"function_def_id": "numbers", "priority": 1}], "successors": [],
         "properties": {"static_input": {"n": 1}}}]}).status_code == 201
    launch_id = client.post("/api/v1/workflows/wide/launches", json={}).json()["launch_id"]

    # Mid-expansion: the cursor exists and has moved past its first chunks; the counters already hold every run.
    # The scheduler is frozen (SIGSTOP) the moment the cursor is seen there, so it cannot finish the expansion while
    # the test looks (each psql round trip takes a few hundred ms at load, time for many chunks), then killed.
    victim = stack.schedulers[0]

    def mid_expansion():
        c = cursor(stack, launch_id)
        if c and 100 <= c[0] < WIDTH // 2:
            victim.send_signal(signal.SIGSTOP)
            return cursor(stack, launch_id)  # read again: the frozen state (a chunk may have committed meanwhile)
        return None
    at = wait_until(mid_expansion, timeout=60, interval=0.005, what="the expansion under way")
    assert at[1] == WIDTH + 1, "the replicas and the gatherer"
    total, open_runs = (int(v) for v in stack.psql("SELECT total_runs, open_runs FROM launches WHERE id = :'p1'", launch_id)[0])
    assert total == WIDTH + 2 and open_runs >= WIDTH - at[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    left = cursor(stack, launch_id)
    assert left is not None and left[0] < WIDTH, "the killed scheduler left the rest of the expansion to do"
    inserted = int(stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1' AND task_id = '2' AND kind = 'task'", launch_id)[0][0])
    assert inserted == left[0], "the cursor and the inserted replicas committed together"

    stack.start_scheduler()
    status = wait_until(lambda: finished(client, launch_id), timeout=120, interval=0.1, what="the launch to end")
    assert status["state"] == "succeeded", status
    assert status["progress"] == {"total": WIDTH + 2, "finished": WIDTH + 2, "failed": 0}
    assert cursor(stack, launch_id) is None
    names = stack.psql("SELECT name FROM task_runs WHERE launch_id = :'p1' AND task_id = '2' AND kind = 'task'", launch_id)
    assert len(names) == WIDTH == len({n for (n,) in names})
    calls = collections.Counter(c["run"] for c in server.calls() if c["launch"] == launch_id and c["function"] == "noop")
    assert len(calls) == WIDTH, "every replica ran"
    # The gatherer counted every replica down (it ran once, after all of them).
    assert stack.psql("SELECT state, waiting_on FROM task_runs WHERE launch_id = :'p1' AND name = '3'", launch_id) == [["succeeded", "0"]]
    assert stack.psql("SELECT open_runs, active_runs FROM launches WHERE id = :'p1'", launch_id) == [["0", "0"]]


def test_a_wide_multiplicity_at_launch_is_inserted_in_chunks(cluster):
    stack, server = cluster
    # No scheduler while the API creates the launch: what the API inserted and left to do stays visible.
    for proc in stack.schedulers:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
    client = stack.create_user("multiplier")
    register_http_functions(client, server.url, ["noop"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "many", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "multiplicity": 500}}]}).status_code == 201
    r = client.post("/api/v1/workflows/many/launches", json={})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    assert int(stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1'", launch_id)[0][0]) == 20, "the first chunk"
    assert cursor(stack, launch_id) == (20, 500)
    assert stack.psql("SELECT total_runs, open_runs FROM launches WHERE id = :'p1'", launch_id) == [["500", "500"]]
    stack.start_scheduler()
    status = wait_until(lambda: finished(client, launch_id), timeout=60, interval=0.1, what="the launch to end")
    assert status["state"] == "succeeded" and status["progress"] == {"total": 500, "finished": 500, "failed": 0}
    assert int(stack.psql("SELECT count(DISTINCT name) FROM task_runs WHERE launch_id = :'p1'", launch_id)[0][0]) == 500
    assert cursor(stack, launch_id) is None


def test_a_gate_ready_during_an_expansion_waits_for_it_then_expands(cluster):
    """Two wide scatters over the launch input are both ready at launch: one expands (its cursor), the other stays
    pending until that expansion is done (one per launch keeps each spec list fixed), then expands; every replica
    of both exists once and the gatherer of both counts them all down."""
    stack, server = cluster
    if all(p.poll() is not None for p in stack.schedulers):
        stack.start_scheduler()
    client = stack.create_user("twins")
    register_http_functions(client, server.url, ["noop"])
    width = 300
    assert client.post("/api/v1/workflows", json={"workflow_id": "twins", "tasks": [
        {"id": "0", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["a", "b"],
         "properties": {"position": "start"}},
        {"id": "a", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["z"],
         "properties": {"scatter": "launch_input['items']"}},
        {"id": "b", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["z"],
         "properties": {"scatter": "launch_input['items']"}},
        {"id": "z", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": []}]}).status_code == 201
    r = client.post("/api/v1/workflows/twins/launches", json={"input": {"items": list(range(width))}})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    status = wait_until(lambda: finished(client, launch_id), timeout=90, interval=0.1, what="the launch to end")
    assert status["state"] == "succeeded", status
    assert status["progress"] == {"total": 2 * width + 2, "finished": 2 * width + 2, "failed": 0}
    counts = dict(stack.psql("SELECT task_id, count(DISTINCT name) FROM task_runs WHERE launch_id = :'p1' AND kind = 'task' GROUP BY 1", launch_id))
    assert counts == {"0": "1", "a": str(width), "b": str(width), "z": "1"}
    assert stack.psql("SELECT state, waiting_on FROM task_runs WHERE launch_id = :'p1' AND name = 'z'", launch_id) == [["succeeded", "0"]]
    # Both gates became ready together (when 0 succeeded); the second closed only after the first's last chunk was
    # inserted (in that chunk's transaction), not beside its first chunk.
    first, second = stack.psql("SELECT name FROM task_runs WHERE launch_id = :'p1' AND kind = 'scatter' ORDER BY finished_at", launch_id)
    later_replicas_of_first = stack.psql("""
        SELECT count(*) FROM task_runs WHERE launch_id = :'p1' AND task_id = :'p2' AND kind = 'task'
          AND created_at > (SELECT finished_at FROM task_runs WHERE launch_id = :'p1' AND name = :'p3')""",
        launch_id, first[0], second[0])
    assert later_replicas_of_first == [["0"]], "no replica of the first gate was created after the second gate expanded"


def test_cancelling_mid_expansion_drops_the_rest(cluster):
    stack, server = cluster
    for proc in stack.schedulers:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
    client = stack.create_user("canceller")
    register_http_functions(client, server.url, ["noop"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "dropped", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "multiplicity": 500}}]}).status_code == 201
    launch_id = client.post("/api/v1/workflows/dropped/launches", json={}).json()["launch_id"]
    assert cursor(stack, launch_id) == (20, 500)
    assert client.post(f"/api/v1/launches/{launch_id}/cancel").status_code == 202
    stack.start_scheduler()
    wait_until(lambda: cursor(stack, launch_id) is None, timeout=30, what="the cursor to be dropped")
    assert stack.psql("SELECT state, count(*) FROM task_runs WHERE launch_id = :'p1' GROUP BY 1", launch_id) == [["cancelled", "20"]]
    assert client.get("/api/v1/launches/" + launch_id).json()["state"] == "cancelled"
