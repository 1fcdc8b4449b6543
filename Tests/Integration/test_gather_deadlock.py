"""A wide scatter whose replicas feed a gathering task, run by two schedulers, never deadlocks in PostgreSQL.

The replicas are inserted in chunks. The chunk that inserted the gather used to append it to every replica's
successors while holding the launch's row lock; the other scheduler, having claimed some of those replicas in its
step's transaction, waited for that lock to record completions: a cycle PostgreSQL broke by aborting one side
(3 to 33 "deadlock detected" per 5,000-replica launch). Each replica is now inserted with its successors, so no
chunk updates another chunk's rows. The tests read the stack's PostgreSQL server log, where every deadlock is
reported, and assert the gather ran once, after all replicas, with all their outputs."""
import os

import pytest

from stack import Stack, free_port, wait_until

WIDTH = 3000
# Followers double the runs and their chunks are slow to insert (seconds each with two schedulers, before this
# change too): fewer, each follower still in a later chunk than the replica it follows.
FOLLOWED_WIDTH = 1000


def noop_nginx(port):
    """An HTTP function answering {} at once (nginx), so the schedulers, not the function, set the pace."""
    return f"""
    server {{
        listen 127.0.0.1:{port};
        access_log off;
        location / {{
            default_type application/json;
            return 200 '{{}}';
        }}
    }}
"""


@pytest.fixture(scope="module")
def cluster():
    port = free_port()
    # Chunks of 300 after the first 256: more of them, so more edges cross from a chunk into an earlier one.
    s = Stack(extra_nginx=noop_nginx(port), env={"SWEEP_EXPANSION_CHUNK": "300"})
    try:
        s.start(schedulers=2)
        admin = s.create_user("gather-admin", admin=True)
        client = s.create_user("gatherer")
        assert admin.put(f"/api/v1/users/{client.username}/limits", json={"max_replicas_per_launch": 2 * WIDTH + 10}).status_code == 200
        assert client.post("/api/v1/destinations", json={
            "id": "nginx", "cloud_provider": "http", "base_url": f"http://127.0.0.1:{port}/"}).status_code == 201
        assert client.post("/api/v1/functions", json={"id": "noop", "destination_id": "nginx", "function_name": "noop"}).status_code == 201
        yield s, client
    finally:
        s.stop()


def task(task_id, successors, **properties):
    return {"id": task_id, "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": successors,
            "properties": properties}


def server_log(stack):
    with open(os.path.join(stack.workdir, "pg", "server.log"), errors="replace") as f:
        return f.read()


def run_launch(stack, client, workflow_id, tasks, width=WIDTH):
    assert client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": tasks}).status_code == 201
    log_before = len(server_log(stack))
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={"input": {"items": list(range(width))}}, timeout=120)
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]

    def ended():
        status = client.get(f"/api/v1/launches/{launch_id}").json()
        return status if status["state"] in ("succeeded", "failed", "cancelled") else None
    status = wait_until(ended, timeout=180, interval=0.1, what="the launch to end")
    log = server_log(stack)
    assert "database system is ready to accept connections" in log, "the stack's PostgreSQL server log"
    deadlocks = log[log_before:].count("deadlock detected")
    return launch_id, status, deadlocks


def assert_gathered_once_after_all(stack, launch_id, gather, gathered, width=WIDTH):
    rows = stack.psql("""SELECT g.state, g.attempt, g.started_at >= (SELECT max(r.finished_at) FROM task_runs r
                                                                     WHERE r.launch_id = g.launch_id AND r.task_id = ANY(:'p3'::text[]) AND r.kind = 'task'),
                                jsonb_array_length(g.input->'predecessor_outputs'->(:'p3'::text[])[1]),
                                (SELECT count(*) FROM events e WHERE e.launch_id = g.launch_id AND e.run_name = g.name AND e.type = 'task.started')
                         FROM task_runs g WHERE g.launch_id = :'p1' AND g.name = :'p2'""", launch_id, gather, "{" + ",".join(gathered) + "}")
    assert rows == [["succeeded", "1", "t", str(width), "1"]], rows
    for task_id in gathered:
        counts = stack.psql("""SELECT count(*), count(*) FILTER (WHERE state = 'succeeded' AND attempt = 1),
                                      count(*) FILTER (WHERE successors @> ARRAY[:'p2'::text])
                               FROM task_runs WHERE launch_id = :'p1' AND task_id = :'p3' AND kind = 'task'""", launch_id, gather, task_id)
        assert counts == [[str(width)] * 3], (task_id, counts)


def test_a_wide_scatter_into_a_gather_with_two_schedulers_has_no_deadlock(cluster):
    stack, client = cluster
    launch_id, status, deadlocks = run_launch(stack, client, "scatter-gather", [
        task("1", ["2"], position="start", scatter="launch_input['items']"),
        task("2", [])])
    assert status["state"] == "succeeded", (status.get("error"), [r for r in status.get("runs", []) if r.get("error")][:3])
    assert_gathered_once_after_all(stack, launch_id, "2", ["1"])
    assert deadlocks == 0, f"{deadlocks} deadlocks in PostgreSQL's log"


def test_followers_of_a_wide_scatter_and_their_gather_have_no_deadlock(cluster):
    # Each follower replica is in a later chunk than the replica it follows: it used to be linked into that
    # replica's row, claimed by the other scheduler, the same cycle as the gather's.
    stack, client = cluster
    launch_id, status, deadlocks = run_launch(stack, client, "scatter-follow-gather", [
        task("1", ["3"], position="start", scatter="launch_input['items']"),
        task("3", ["2"], follow="1"),
        task("2", [])], width=FOLLOWED_WIDTH)
    assert status["state"] == "succeeded", (status.get("error"), [r for r in status.get("runs", []) if r.get("error")][:3])
    assert_gathered_once_after_all(stack, launch_id, "2", ["3"], width=FOLLOWED_WIDTH)
    follows = stack.psql("""SELECT count(*) FROM task_runs r JOIN task_runs f ON f.launch_id = r.launch_id AND f.predecessors = ARRAY[r.name]
                            WHERE r.launch_id = :'p1' AND r.task_id = '1' AND r.kind = 'task' AND r.successors = ARRAY[f.name]
                              AND f.task_id = '3' AND f.started_at >= r.finished_at""", launch_id)
    assert follows == [[str(FOLLOWED_WIDTH)]], follows
    assert deadlocks == 0, f"{deadlocks} deadlocks in PostgreSQL's log"
