"""Issue 16, logs: a run's stdout and stderr kept apart (`?stream=`), readable while the run runs (`follow=true`
long-polls, parked in the worker), and `sweep logs LAUNCH RUN --stderr --follow` printing a running task's lines
as they come, until it ends."""
import hashlib
import os
import subprocess
import time

import requests

import sse

from stack import wait_until
from sweep_fixtures import zip_of

# Prints a line, then works a while (the task's own behaviour, not a test's wait), then prints the rest.
SLOW = """import sys, time
def handler(event, context):
    print('first line', file=sys.stderr, flush=True)
    time.sleep(float(event['static_input']['seconds']))
    print('second line', file=sys.stderr, flush=True)
    return {'done': True}
"""


def start_slow(user, seconds, workflow_id="slow"):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    r = user.post("/api/v1/functions", json={"id": "slow", "destination_id": "here", "function_name": "slow", "runtime": "python3.8"})
    assert r.status_code in (201, 409), r.text
    assert user.put("/api/v1/functions/slow/code", data=zip_of({"main.py": SLOW}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    definition = {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"seconds": seconds}}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    r = user.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def follow(user, launch_id, offset, wait=30):
    r = user.get(f"/api/v1/launches/{launch_id}/tasks/1/logs",
                 params={"stream": "stderr", "follow": "true", "offset": offset, "wait": wait}, timeout=wait + 30)
    assert r.status_code == 200, r.text
    return r


def test_follow_reads_a_running_task_line_by_line_until_it_ends(user):
    launch_id = start_slow(user, 4)
    first = follow(user, launch_id, 0)
    # Answered while the task still works: its first line only.
    assert first.text == "first line\n"
    assert first.headers["X-Sweep-Run-State"] == "running"
    assert first.headers["X-Sweep-Log-Complete"] == "false"
    offset = int(first.headers["X-Sweep-Log-Offset"])
    assert offset == len("first line\n")
    text, complete = "", False
    deadline = time.monotonic() + 60
    while not complete and time.monotonic() < deadline:
        r = follow(user, launch_id, offset)
        text += r.text
        offset = int(r.headers["X-Sweep-Log-Offset"])
        complete = r.headers["X-Sweep-Log-Complete"] == "true"
    assert complete and text == "second line\n"
    assert r.headers["X-Sweep-Run-State"] == "succeeded"
    # Whole streams afterwards: what it wrote to stderr; its stdout is empty (its result is not printed, it is its output).
    assert user.get(f"/api/v1/launches/{launch_id}/tasks/1/logs", params={"stream": "stderr"}).text == "first line\nsecond line\n"
    assert user.get(f"/api/v1/launches/{launch_id}/tasks/1/logs", params={"stream": "stdout"}).text == ''


def test_a_follower_with_nothing_new_gets_an_empty_answer_at_its_wait(user):
    launch_id = start_slow(user, 6, "quiet")
    first = follow(user, launch_id, 0)
    offset = int(first.headers["X-Sweep-Log-Offset"])
    started = time.monotonic()
    r = follow(user, launch_id, offset, wait=1)
    assert r.text == "" and r.headers["X-Sweep-Log-Complete"] == "false"
    assert 0.9 <= time.monotonic() - started < 5
    assert int(r.headers["X-Sweep-Log-Offset"]) == offset


def test_bad_log_parameters_are_400(user):
    for params in ({"stream": "both"}, {"follow": "maybe"}, {"stream": "stderr", "follow": "true", "offset": "-1"},
                   {"stream": "stderr", "follow": "true", "wait": "61"}):
        r = user.get("/api/v1/launches/00000000-0000-0000-0000-000000000000/tasks/1/logs", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["code"] == "invalid_parameter"


def test_cli_follows_stderr_until_the_run_ends(stack, user, tmp_path):
    launch_id = start_slow(user, 2, "cli_follow")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "SWEEP_URL": stack.url, "SWEEP_API_KEY": user.key}
    done = subprocess.run([stack.binary("sweep"), "logs", launch_id, "1", "--stderr", "--follow"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "first line\nsecond line\n"
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"
    out = subprocess.run([stack.binary("sweep"), "logs", launch_id, "1", "--stdout"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout == ''


def test_each_stream_is_capped_and_says_it_was_truncated(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    assert user.post("/api/v1/functions", json={"id": "loud", "destination_id": "here", "function_name": "loud",
                                                 "runtime": "python3.8"}).status_code == 201
    code = "import sys\ndef handler(event, context):\n    sys.stderr.write('y' * ((1 << 20) + 5000))\n    return {}\n"
    assert user.put("/api/v1/functions/loud/code", data=zip_of({"main.py": code}), headers={"Content-Type": "application/zip"}).status_code == 200
    definition = {"workflow_id": "loud", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "loud", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    r = user.post("/api/v1/workflows/loud/launches", json={"wait": 60}, timeout=90)
    assert r.status_code == 200 and r.json()["state"] == "succeeded", r.text
    logs = user.get(f"/api/v1/launches/{r.json()['launch_id']}/tasks/1/logs", params={"stream": "stderr"})
    assert len(logs.text) == 1 << 20 and set(logs.text) == {"y"}
    assert logs.headers["X-Sweep-Log-Truncated"] == "true"
    out = user.get(f"/api/v1/launches/{r.json()['launch_id']}/tasks/1/logs", params={"stream": "stdout"})
    assert out.text == "" and out.headers["X-Sweep-Log-Truncated"] == "false"


# Prints a line, then waits for the test's gate (an artifact of the user's, polled through the API with the key the
# test hands it), then prints a second line and ends.
GATED = """import os, sys, time, urllib.error, urllib.request
def handler(event, context):
    print('first line', file=sys.stderr, flush=True)
    gate = urllib.request.Request(os.environ['SWEEP_API_URL'] + '/api/v1/artifacts/' + event['static_input']['gate'],
                                  headers={'Authorization': 'Bearer ' + event['static_input']['key']})
    while True:
        try:
            urllib.request.urlopen(gate).read()
            break
        except urllib.error.HTTPError:
            time.sleep(0.05)
    print('second line', file=sys.stderr, flush=True)
    print('all done')
    return {'done': True}
"""


def test_follow_as_sse_streams_lines_as_they_come_then_ends(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    assert user.post("/api/v1/functions", json={"id": "gated", "destination_id": "here", "function_name": "gated",
                                                 "runtime": "python3.8"}).status_code in (201, 409)
    assert user.put("/api/v1/functions/gated/code", data=zip_of({"main.py": GATED}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    assert user.post("/api/v1/workflows", json={"workflow_id": "gated", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "gated", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"gate": "sse-gate", "key": user.key}}}]}).status_code == 201
    r = user.post("/api/v1/workflows/gated/launches", json={})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    stream = requests.get(f"{user.url}/api/v1/launches/{launch_id}/tasks/1/logs", params={"stream": "stderr", "follow": "true"},
                          headers={"Authorization": "Bearer " + user.key, "Accept": "text/event-stream"}, stream=True, timeout=60)
    assert stream.status_code == 200, stream.text
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    received = sse.events(stream)
    text = ""
    while text != "first line\n":
        _, event, data = next(received)
        assert event == "log" and data["stream"] == "stderr" and data["offset"] == len(text), (event, data)
        text += data["text"]
    # The task is still held at its gate: open it, and the stream brings the second line, then the end.
    upload = user.put("/api/v1/artifacts/sse-gate", data=b"go", headers={"X-Sweep-Sha256": hashlib.sha256(b"go").hexdigest()})
    assert upload.status_code == 201, upload.text
    while True:
        _, event, data = next(received)
        if event != "log":
            break
        assert data["offset"] == len(text)
        text += data["text"]
    assert text == "first line\nsecond line\n"
    assert event == "end" and data["state"] == "succeeded", (event, data)
    # The worker closed the stream after `end`.
    assert next(received, None) is None
