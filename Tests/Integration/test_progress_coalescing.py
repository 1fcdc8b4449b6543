"""Issue 10: progress events are rate limited per run, coalesced and not lost: the latest message wins."""
import datetime

import requests

from sweep_fixtures import all_items, launch, register_demo_container, register_http_functions
from stack import wait_until

REPORTS = 200
INTERVAL = 0.5  # SWEEP_PROGRESS_INTERVAL_MS default


def at(event):
    return datetime.datetime.fromisoformat(event["data"]["ts"].replace("Z", "+00:00")).timestamp()


def progress_events(client, launch_id):
    return [e for e in all_items(client, f"/api/v1/launches/{launch_id}/events") if e["event"] == "task.progress"]


def test_rapid_progress_posts_become_few_events_and_the_last_arrives(user, functions):
    register_http_functions(user, functions.url, ["progress_burst"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "chatty", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "progress_burst", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"n": REPORTS, "gate": "chatty"}}}]}).status_code == 201
    launch_id = user.post("/api/v1/workflows/chatty/launches", json={}).json()["launch_id"]
    # The run is still running (held at its gate) when its last message arrives: delivered by the coalescer.
    last = wait_until(lambda: [e for e in progress_events(user, launch_id) if e["data"]["message"] == f"step {REPORTS - 1}"],
                      timeout=30, what="the last progress message")
    events = progress_events(user, launch_id)
    assert 1 <= len(events) <= REPORTS // 4, f"{len(events)} progress events for {REPORTS} posts"
    # The rate limit itself: one event per run per interval (a little slack for the write after the decision).
    gaps = [at(b) - at(a) for a, b in zip(events, events[1:])]
    assert all(gap >= INTERVAL * 0.7 for gap in gaps), gaps
    assert events[-1] == last[0] and events[-1]["data"]["percent"] == (REPORTS - 1) * 100 // REPORTS
    assert events[0]["data"]["message"] == "step 0", "the first report goes out at once"
    messages = [int(e["data"]["message"].split()[1]) for e in events]
    assert messages == sorted(messages), "in the order they were posted"
    requests.post(functions.url + "_open/chatty", timeout=5).raise_for_status()
    status = wait_until(lambda: (lambda s: s if s["state"] != "running" else None)(user.get("/api/v1/launches/" + launch_id).json()),
                        timeout=30, what="the launch to end")
    assert status["state"] == "succeeded" and status["tasks"][0]["output"] == {"statuses": [202]}
    assert len(progress_events(user, launch_id)) == len(events), "nothing arrives after the run's end"


def test_rapid_progress_lines_of_a_local_process_are_coalesced(user):
    register_demo_container(user, container_id="c")
    script = f"i=0; while [ $i -lt {REPORTS} ]; do echo \"::progress::$((i / 2)) line $i\"; i=$((i + 1)); done"
    assert user.post("/api/v1/workflows", json={"workflow_id": "chatty_lines", "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": "c", "priority": 1}], "successors": [],
         "properties": {"position": "start", "command": ["sh", "-c", script]}}]}).status_code == 201
    status = launch(user, "chatty_lines")
    assert status["state"] == "succeeded", status
    all_events = all_items(user, f"/api/v1/launches/{status['launch_id']}/events")
    events = [e for e in all_events if e["event"] == "task.progress"]
    assert 1 <= len(events) <= REPORTS // 4, f"{len(events)} progress events for {REPORTS} lines"
    assert events[-1]["data"]["message"] == f"line {REPORTS - 1}" and events[-1]["data"]["percent"] == (REPORTS - 1) // 2
    kinds = [e["event"] for e in all_events]
    assert kinds.index("task.succeeded") > max(i for i, k in enumerate(kinds) if k == "task.progress"), "progress before the end"
