"""Issue 5: progress events over SSE: ordered, exactly once across reconnects, never another user's."""
import threading

import requests

from sse import events
from sweep_fixtures import SEED_FUNCTIONS, all_items, launch, register_demo_container, register_http_functions, seed_example
from stack import wait_until

SSE = {"Accept": "text/event-stream"}


def all_events_json(client, launch_id):
    return all_items(client, f"/api/v1/launches/{launch_id}/events")


def slow_chain(client, functions, workflow_id, length=6, seconds=0.2):
    register_http_functions(client, functions.url, ["slow"])
    tasks = [{"id": str(i), "execution_configurations": [{"function_def_id": "slow", "priority": 1}],
              "successors": [str(i + 1)] if i < length else [],
              "properties": {"static_input": {"seconds": seconds}, **({"position": "start"} if i == 1 else {})}} for i in range(1, length + 1)]
    assert client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": tasks}).status_code == 201


def test_stream_delivers_every_event_in_order_exactly_once_across_a_reconnect(user, functions):
    slow_chain(user, functions, "chain_sse")
    launch_id = user.post("/api/v1/workflows/chain_sse/launches", json={}).json()["launch_id"]
    url = f"{user.url}/api/v1/launches/{launch_id}/events"
    received = []
    with user.session.get(url, headers=SSE, stream=True, timeout=60) as r:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
        for event in events(r):
            received.append(event)
            if event[1] == "task.succeeded" and event[2]["run_id"] == "2":
                break  # drop the connection mid-launch
    last_id = received[-1][0]
    with user.session.get(url, headers={**SSE, "Last-Event-ID": str(last_id)}, stream=True, timeout=60) as r:
        for event in events(r):
            received.append(event)
        # The server ended the stream after the launch ended.
    ids = [e[0] for e in received]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert received[-1][1] == "launch.succeeded"
    stored = all_events_json(user, launch_id)
    assert [e["id"] for e in stored] == ids
    assert [e["event"] for e in stored] == [e[1] for e in received]
    for _, kind, data in received:
        assert data["launch_id"] == launch_id and "ts" in data
    started = [d["run_id"] for _, k, d in received if k == "task.started"]
    assert started == [str(i) for i in range(1, 7)]


def test_stream_of_a_finished_launch_replays_and_ends(user, functions):
    register_http_functions(user, functions.url, SEED_FUNCTIONS)
    assert user.post("/api/v1/workflows", json=seed_example("example2")).status_code == 201
    status = launch(user, "example2")
    with user.session.get(f"{user.url}/api/v1/launches/{status['launch_id']}/events", headers=SSE, stream=True, timeout=30) as r:
        kinds = [e[1] for e in events(r)]
    assert kinds[0] == "task.scheduled" and kinds[-1] == "launch.succeeded"
    assert kinds.count("task.succeeded") == 5  # 1, 2_A, 2_B, 2_C, 3
    assert "task.expanded" in kinds


def watch_user_stream(client):
    """A thread reading `client`'s user-wide event stream until a launch ends; answers it, started and connected,
    and the list it fills with (id, event, data)."""
    seen = []
    ready = threading.Event()

    def watch():
        with client.session.get(f"{client.url}/api/v1/events", headers=SSE, stream=True, timeout=60) as r:
            ready.set()
            for event in events(r):
                seen.append(event)
                if event[1] == "launch.succeeded":
                    return

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert ready.wait(10)
    return watcher, seen


def test_a_stream_never_carries_another_users_events(user, other_user, functions):
    slow_chain(user, functions, "mine", length=3, seconds=0.05)
    slow_chain(other_user, functions, "theirs", length=3, seconds=0.05)
    watcher, seen = watch_user_stream(other_user)
    mine = user.post("/api/v1/workflows/mine/launches", json={"wait": 30}).json()
    assert mine["state"] == "succeeded"
    theirs = other_user.post("/api/v1/workflows/theirs/launches", json={"wait": 30}).json()
    watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert seen and {e[2]["launch_id"] for e in seen} == {theirs["launch_id"]}
    # And another user's launch stream does not exist for them.
    r = other_user.get(f"/api/v1/launches/{mine['launch_id']}/events", headers=SSE, timeout=10)
    assert r.status_code == 404


def test_tasks_report_progress_with_their_own_token_only_while_running(user, functions, stack):
    register_http_functions(user, functions.url, ["progress"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "reporting", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "progress", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201
    status = launch(user, "reporting")
    assert status["state"] == "succeeded", status
    output = status["tasks"][0]["output"]
    assert output["reported"] == 202
    progress = [e for e in all_events_json(user, status["launch_id"]) if e["event"] == "task.progress"]
    assert [(e["data"]["percent"], e["data"]["message"], e["data"]["run_id"]) for e in progress] == [(30.0, "working", "1")]
    # The run ended: its token died with it. Made-up tokens and user keys are refused too.
    for token in (output["token"], "tt_" + "0" * 64, user.key):
        r = requests.post(stack.url + "/api/v1/progress", json={"message": "late"}, headers={"Authorization": "Bearer " + token})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_task_token"
    assert len([e for e in all_events_json(user, status["launch_id"]) if e["event"] == "task.progress"]) == 1


def test_local_processes_report_progress_lines(user):
    register_demo_container(user, "c")
    assert user.post("/api/v1/workflows", json={"workflow_id": "lines", "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": "c", "priority": 1}], "successors": [],
         "properties": {"position": "start", "command": ["sh", "-c",
                        "echo '::progress::25 quarter'; echo '::progress::75 most'; test -n \"$SWEEP_TASK_TOKEN\""]}}]}).status_code == 201
    status = launch(user, "lines")
    assert status["state"] == "succeeded", status
    progress = [(e["data"].get("percent"), e["data"]["message"]) for e in all_events_json(user, status["launch_id"]) if e["event"] == "task.progress"]
    assert progress == [(25.0, "quarter"), (75.0, "most")]


def test_a_long_history_reaches_a_slow_reader_on_one_connection(user, functions):
    """A stream asked for a long history (thousands of events) gets all of it on one connection even when the
    client reads slowly: the hub sends it in batches as the client can take them instead of dropping the client
    as too slow (which made it reconnect and start again)."""
    import socket
    from urllib.parse import urlparse

    register_http_functions(user, functions.url, ["noop"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "history", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "scatter": "launch_input['items']"}}]}).status_code == 201
    launch_id = launch(user, "history", input={"items": list(range(3000))})["launch_id"]
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=120)
    status = user.get(f"/api/v1/launches/{launch_id}").json()
    stored = [e["id"] for e in all_events_json(user, status["launch_id"])]
    assert len(stored) > 6000

    target = urlparse(user.url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive window and small reads: the server's writes outrun this reader many times over.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    sock.connect((target.hostname, target.port))
    request = (f"GET /api/v1/launches/{status['launch_id']}/events HTTP/1.0\r\nHost: {target.hostname}\r\n"
               f"Accept: text/event-stream\r\nAuthorization: {user.session.headers['Authorization']}\r\n"
               "Connection: close\r\n\r\n")
    sock.sendall(request.encode())
    data = bytearray()
    while True:
        chunk = sock.recv(512)
        if not chunk:
            break
        data += chunk
    sock.close()
    received = [int(line[4:]) for line in data.decode().split("\n") if line.startswith("id: ")]
    assert received == stored  # every event, in order, once, on this one connection
    assert "event: launch.succeeded" in data.decode()


REPLAY_READ = "%FROM events%WHERE user_id = $1 AND id > $2 AND id <= $3%"
LAST_EVENT_READ = "%SELECT id FROM events WHERE launch_id = ANY(ARRAY[$1::uuid])%"


def statement_reads(stack, pattern):
    """Executions of the statements whose text is like `pattern` and the buffers they touched (pg_stat_statements)."""
    calls, blocks = stack.psql("""
        SELECT coalesce(sum(calls), 0), coalesce(sum(shared_blks_hit + shared_blks_read), 0) FROM pg_stat_statements
        WHERE query LIKE :'p1'
        """, pattern)[0]
    return int(calls), int(blocks)


def replay_reads(stack):
    """Executions of the SSE replay's read and the buffers they touched."""
    return statement_reads(stack, REPLAY_READ)


def one_task_workflow(client, functions):
    register_http_functions(client, functions.url, ["noop"])
    assert client.post("/api/v1/workflows", json={"workflow_id": "one", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}).status_code == 201


def add_filler_events(stack, launch_id, count=30_000):
    """`count` events of launch `launch_id`, made directly (through launches they would take the test minutes)."""
    stack.psql("""
        INSERT INTO events (user_id, launch_id, run_name, type, data)
        SELECT l.user_id, l.id, NULL, 'task.progress', '{}'::jsonb FROM launches l, generate_series(1, :'p2'::int) WHERE l.id = :'p1'::uuid;
        ANALYZE events;
        """, launch_id, count)


def test_opening_a_stream_reads_its_own_users_events_not_everyones(user, other_user, functions, stack):
    """Tenant isolation in the event streams: a stream opened with no Last-Event-ID is replayed its user's history
    from the start, and that read must find the user's events by (user_id, id), whatever other users have. Its
    generic plan walked the primary key through every user's events and filtered by user (26-58 ms per stream
    with 120,000 events of another user; 2,000 streams opened after a large launch took 47 s): the hub's
    connection switches to a generic plan after five executions, so the streams here are opened more often."""
    one_task_workflow(user, functions)
    one_task_workflow(other_user, functions)
    busy = user.post("/api/v1/workflows/one/launches", json={"wait": 30}).json()
    assert busy["state"] == "succeeded"
    add_filler_events(stack, busy["launch_id"])  # a long history of another user

    def open_and_close():
        with other_user.session.get(f"{other_user.url}/api/v1/events", headers=SSE, stream=True, timeout=30) as r:
            assert r.status_code == 200
            for line in r.iter_lines(decode_unicode=True):
                if line and line.startswith(": connected"):
                    return

    # The hub's cursor passes the filler before the streams measured below open (their replay ends there): this
    # stream sees other_user's launch end, committed after the filler.
    watcher, seen = watch_user_stream(other_user)
    assert other_user.post("/api/v1/workflows/one/launches", json={"wait": 30}).json()["state"] == "succeeded"
    watcher.join(timeout=30)
    assert "launch.succeeded" in [e[1] for e in seen]

    calls_before, blocks_before = replay_reads(stack)
    for _ in range(8):
        open_and_close()
    calls, blocks = replay_reads(stack)
    assert calls - calls_before >= 8
    # By (user_id, id): a few index and heap pages per read. Through the primary key: the 30,000 filler rows' pages.
    assert (blocks - blocks_before) / (calls - calls_before) < 50, (calls - calls_before, blocks - blocks_before)


def test_an_old_launchs_status_reads_its_own_events_not_the_newer_ones(user, other_user, functions, stack):
    """Every status read answers the launch's newest event id (where the page resumes its stream). It must come
    from the launch's own events by (launch_id, id): `max(id)` walked the primary key backward from the newest
    event of any user until it met one of the launch's, 27-131 ms for a launch 80,000 events old."""
    one_task_workflow(user, functions)
    one_task_workflow(other_user, functions)
    old = user.post("/api/v1/workflows/one/launches", json={"wait": 30}).json()
    assert old["state"] == "succeeded"
    newer = other_user.post("/api/v1/workflows/one/launches", json={"wait": 30}).json()
    add_filler_events(stack, newer["launch_id"])  # after every event of the old launch
    newest = int(stack.psql("SELECT max(id) FROM events WHERE launch_id = :'p1'::uuid", old["launch_id"])[0][0])
    calls_before, blocks_before = statement_reads(stack, LAST_EVENT_READ)
    for _ in range(8):  # more than the five executions after which a pooled connection may plan generically
        assert user.get(f"/api/v1/launches/{old['launch_id']}").json()["last_event_id"] == newest
    calls, blocks = statement_reads(stack, LAST_EVENT_READ)
    assert calls - calls_before >= 8
    assert (blocks - blocks_before) / (calls - calls_before) < 20, (calls - calls_before, blocks - blocks_before)
