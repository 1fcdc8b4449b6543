"""API.md walked as an outside suite would walk it (branch audit): deviations found against a live stack, each pinned
by a test. Real stack: nginx, worker, scheduler, PostgreSQL."""
from stack import wait_until


def register(client, definition):
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def ended(client, launch_id, timeout=30):
    return wait_until(lambda: (lambda s: s if s["state"] in ("succeeded", "failed", "cancelled") else None)(
        status(client, launch_id)), timeout=timeout, what=f"launch {launch_id} to end")


def event_types(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}/events")
    assert r.status_code == 200, r.text
    return [e["event"] for e in r.json()["items"]]


def test_a_launch_started_by_a_waiting_task_is_running_with_started_at_and_its_launch_started_event(user):
    # API.md: a launch has `started_at`, and its events include `launch.started`. A launch whose start task is a
    # timer (or a signal) never has a run claimed: it stayed `waiting` while that run waited (a Temporal workflow
    # waiting for a signal is running) and ended with started_at null and no launch.started.
    register(user, {"workflow_id": "timer_first", "tasks": [
        {"id": "t", "type": "timer", "successors": [], "properties": {"position": "start", "duration": 0}}]})
    r = user.post("/api/v1/workflows/timer_first/launches", json={"wait": 30})
    assert r.status_code in (200, 202), r.text
    done = ended(user, r.json()["launch_id"])
    assert done["state"] == "succeeded", done
    assert done["started_at"] is not None and done["started_at"] <= done["finished_at"], done
    # Started when its first run did (the timer began waiting), as a claimed run starts its launch.
    assert done["started_at"] == done["tasks"][0]["started_at"], done
    types = event_types(user, done["launch_id"])
    assert types.count("launch.started") == 1, types
    assert types.index("launch.started") < types.index("launch.succeeded"), types

    register(user, {"workflow_id": "signal_first", "tasks": [
        {"id": "s", "type": "signal", "successors": [], "properties": {"position": "start"}}]})
    r = user.post("/api/v1/workflows/signal_first/launches", json={})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    waiting = wait_until(lambda: (lambda s: s if s["tasks"][0]["state"] == "waiting" else None)(status(user, launch_id)),
                         what="the signal task to wait")
    assert waiting["state"] == "running" and waiting["started_at"] == waiting["tasks"][0]["started_at"], waiting
    assert launch_id in [l["launch_id"] for l in user.get("/api/v1/launches", params={"state": "running"}).json()["items"]]
    types = event_types(user, launch_id)
    assert types[:2] == ["launch.started", "task.waiting"], types
    r = user.post(f"/api/v1/launches/{launch_id}/signals/s", json={"payload": {"ok": True}})
    assert r.status_code == 202, r.text
    done = ended(user, launch_id)
    assert done["state"] == "succeeded" and done["started_at"] is not None, done
    types = event_types(user, launch_id)
    assert types.count("launch.started") == 1 and types.index("launch.started") < types.index("launch.succeeded"), types


def test_an_http_destination_without_a_trailing_slash_calls_base_url_slash_function_name(user, functions):
    # API.md: "a function task is an HTTP POST of the task input to base_url + function_name". A base URL with no
    # path (`http://127.0.0.1:PORT`) made `http://127.0.0.1:PORTnoop`, and the run failed "bad/illegal format".
    base = functions.url.rstrip("/")
    assert user.post("/api/v1/destinations", json={"id": "bare", "cloud_provider": "http", "base_url": base}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "noop_bare", "destination_id": "bare", "function_name": "noop"}).status_code == 201
    register(user, {"workflow_id": "bare_url", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop_bare", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]})
    r = user.post("/api/v1/workflows/bare_url/launches", json={"wait": 30})
    assert r.status_code in (200, 202), r.text
    done = ended(user, r.json()["launch_id"])
    assert done["state"] == "succeeded", done["tasks"]
    assert any(c["function"] == "noop" and c["launch"] == done["launch_id"] for c in functions.calls())


def test_a_rate_limited_login_says_when_to_retry(stack):
    # API.md: 429 rate limited. The API's own 429s carry Retry-After; nginx's login limiter answered without it.
    import requests
    limited = None
    for _ in range(200):
        r = requests.post(stack.url + "/api/v1/auth/login", json={"username": "nobody-audit", "password": "wrong-password"})
        assert r.status_code in (401, 429), r.text
        if r.status_code == 429:
            limited = r
            break
    assert limited is not None, "200 login failures in a row were never rate limited"
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers.get("Retry-After", "").isdigit(), dict(limited.headers)
    assert limited.headers.get("X-Content-Type-Options") == "nosniff", dict(limited.headers)


def test_list_filters_given_empty_read_as_not_given(user):
    # API.md writes `GET /api/v1/launches?state=&workflow_id=`: a client that fills in only what it filters on sends
    # the others empty. That was 400 (state), or an empty list (workflow_id= matched no workflow); `limit=` 400 too.
    # Reads take an empty filter as absent (/runs and the log stream already did). Deletes still refuse it
    # (test_launch_operations.py): an empty filter must never widen a delete.
    register(user, {"workflow_id": "empty_filters", "tasks": [
        {"id": "t", "type": "timer", "successors": [], "properties": {"position": "start", "duration": 0}}]})
    register(user, {"workflow_id": "empty_filters", "tasks": [
        {"id": "t", "type": "timer", "successors": [], "properties": {"position": "start", "duration": 0}}]})
    r = user.post("/api/v1/workflows/empty_filters/launches", json={"wait": 30})
    launch_id = ended(user, r.json()["launch_id"])["launch_id"]
    for query in ("?state=&workflow_id=", "?state=succeeded&workflow_id=", "?state=&workflow_id=empty_filters",
                  "?limit=&cursor=", "?parent_launch_id=&state="):
        r = user.get("/api/v1/launches" + query)
        assert r.status_code == 200, (query, r.text)
        assert [l["launch_id"] for l in r.json()["items"]] == [launch_id], (query, r.json())
    r = user.get("/api/v1/workflows/empty_filters?version=")
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    r = user.get("/api/v1/workflows?limit=")
    assert r.status_code == 200 and [w["workflow_id"] for w in r.json()["items"]] == ["empty_filters"], r.text
    # A non-empty bad value is still a clear 400 naming the parameter.
    r = user.get("/api/v1/launches?state=sleeping")
    assert r.status_code == 400 and r.json()["error"]["field"] == "state", r.text


def test_a_run_waiting_to_retry_shows_its_ready_at(user, functions):
    # API.md: "the run returns to `scheduled` with `ready_at` after the delay". The run's JSON had no ready_at, so a
    # client could not tell when the retry is due (only the task.retrying event said so).
    from datetime import datetime
    assert user.post("/api/v1/destinations", json={"id": "fns_retry", "cloud_provider": "http", "base_url": functions.url}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "always_fails", "destination_id": "fns_retry", "function_name": "fail"}).status_code == 201
    register(user, {"workflow_id": "retry_later", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "always_fails", "priority": 1}], "successors": [],
         "properties": {"position": "start", "retries": 1, "retry_delay": 30}}]})
    r = user.post("/api/v1/workflows/retry_later/launches", json={})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    retrying = wait_until(lambda: next((e for e in user.get(f"/api/v1/launches/{launch_id}/events").json()["items"]
                                        if e["event"] == "task.retrying"), None), what="the task.retrying event")
    run = status(user, launch_id)["tasks"][0]
    assert run["state"] == "scheduled", run
    assert run["ready_at"] == retrying["data"]["retry_at"], (run, retrying)
    paged = user.get(f"/api/v1/launches/{launch_id}/runs").json()["items"][0]
    assert paged["ready_at"] == run["ready_at"], paged
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    assert 25 <= (parse(run["ready_at"]) - parse(retrying["data"]["ts"])).total_seconds() <= 31, (run, retrying)
    assert user.post(f"/api/v1/launches/{launch_id}/cancel").status_code == 202


def test_a_runs_output_files_list_pages_like_every_list(user):
    # API.md: "Lists take limit (default 50, max 500) and cursor". The output files list ignored both (all files,
    # next_cursor null; limit=0 accepted), and a run may keep 256 files.
    import requests
    register(user, {"workflow_id": "many_files", "tasks": [
        {"id": "1", "execution_configurations": [{"executor_type": "audit-files", "function": "f", "priority": 1}],
         "successors": [], "properties": {"position": "start"}}]})
    executor = user.post("/api/v1/executors", json={"name": "files", "type": "audit-files"}).json()["id"]
    launch_id = user.post("/api/v1/workflows/many_files/launches", json={}).json()["launch_id"]
    items = user.post(f"/api/v1/executors/{executor}/assignments", json={"wait": 20, "max": 1}).json()["items"]
    assert [a["launch_id"] for a in items] == [launch_id], items
    token = {"Authorization": "Bearer " + items[0]["token"]}
    for name in ("a.txt", "b.txt", "c.txt"):
        r = requests.put(f"{user.url}/api/v1/run/files/{name}", data=name.encode(), headers=token)
        assert r.status_code == 201, r.text
    base = f"/api/v1/launches/{launch_id}/tasks/1/files"
    first = user.get(base, params={"limit": 2}).json()
    assert [f["name"] for f in first["items"]] == ["a.txt", "b.txt"] and first["next_cursor"], first
    rest = user.get(base, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [f["name"] for f in rest["items"]] == ["c.txt"] and rest["next_cursor"] is None, rest
    assert [f["name"] for f in user.get(base).json()["items"]] == ["a.txt", "b.txt", "c.txt"]
    r = user.get(base, params={"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit", r.text
    assert requests.post(f"{user.url}/api/v1/run/result", json={"output": {}}, headers=token).status_code == 200
