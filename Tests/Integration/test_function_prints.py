"""A local function's own prints are its run's stdout (seed 002: a task's stdout and stderr), its stderr stays stderr,
and its returned value, carried apart from both (fd 3, FunctionRunner), is the run's output: for Python and Node."""
import hashlib
import shutil

from stack import wait_until
from sweep_fixtures import launch, runs_by_id, zip_of

PYTHON = """import sys
def handler(event, context):
    print('hello')
    sys.stdout.write('::progress::50 half way\\n')
    print('to stderr', file=sys.stderr)
    print('last line')
    return {'answer': 42, 'exact': __import__('decimal').Decimal('3.14159265358979323846264338'), 'got': event['static_input']}
"""

NODE = """exports.handler = async (event, context) => {
  console.log('hello');
  process.stdout.write('::progress::50 half way\\n');
  console.error('to stderr');
  console.log('last line');
  return { answer: 42, got: event.static_input };
};
"""

# A result larger than the output limit fails the run as a too large stdout did, and its prints are still kept.
HUGE = """def handler(event, context):
    print('before the big one')
    return {'blob': 'x' * (2 << 20)}
"""

SILENT_EXIT = """import os
def handler(event, context):
    print('leaving early', flush=True)
    os._exit(0)
"""


def upload(user, function_id, runtime, files):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    assert user.post("/api/v1/functions", json={"id": function_id, "destination_id": "here", "function_name": function_id,
                                                 "runtime": runtime}).status_code == 201
    assert user.put(f"/api/v1/functions/{function_id}/code", data=zip_of(files),
                    headers={"Content-Type": "application/zip"}).status_code == 200


def run_function(user, function_id, runtime, files):
    upload(user, function_id, runtime, files)
    definition = {"workflow_id": "wf_" + function_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": function_id, "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"x": 1}}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "wf_" + function_id)
    return status, runs_by_id(status)["1"]


def stream(user, status, name):
    r = user.get(f"/api/v1/launches/{status['launch_id']}/tasks/1/logs", params={"stream": name})
    assert r.status_code == 200, r.text
    return r.text


def test_python_prints_are_stdout_and_the_returned_value_is_the_output(user):
    status, run = run_function(user, "printer", "python3.8", {"main.py": PYTHON})
    assert status["state"] == "succeeded", run["error"]
    assert stream(user, status, "stdout") == "hello\n::progress::50 half way\nlast line\n"
    assert stream(user, status, "stderr") == "to stderr\n"
    assert run["output"]["answer"] == 42 and run["output"]["got"] == {"x": 1}
    # Exact numbers still travel digit for digit (the runner's exact_dumps), now over the result channel.
    r = user.get(f"/api/v1/launches/{status['launch_id']}")
    assert "3.14159265358979323846264338" in r.text
    # A ::progress:: line printed by the handler is a progress event, as a container's is.
    events = user.get(f"/api/v1/launches/{status['launch_id']}/events").json()
    events = events["items"] if isinstance(events, dict) else events
    assert any(e["event"] == "task.progress" and e["data"].get("message") == "half way" for e in events), events


def test_node_prints_are_stdout_and_the_returned_value_is_the_output(user):
    assert shutil.which("node"), "node is installed on this machine (the runner's nodejs runtime needs it)"
    status, run = run_function(user, "noder", "nodejs12.x", {"main.js": NODE})
    assert status["state"] == "succeeded", run["error"]
    assert stream(user, status, "stdout") == "hello\n::progress::50 half way\nlast line\n"
    assert stream(user, status, "stderr") == "to stderr\n"
    assert run["output"] == {"answer": 42, "got": {"x": 1}}


def test_a_too_large_result_fails_the_run_and_keeps_its_prints(user):
    status, run = run_function(user, "huge", "python3.8", {"main.py": HUGE})
    assert status["state"] == "failed" and run["state"] == "failed"
    assert "too large" in run["error"] or "limit" in run["error"], run["error"]
    assert stream(user, status, "stdout") == "before the big one\n"


def test_a_function_that_exits_without_a_result_fails_clearly(user):
    status, run = run_function(user, "quitter", "python3.8", {"main.py": SILENT_EXIT})
    assert status["state"] == "failed" and run["state"] == "failed"
    assert "no result" in run["error"], run["error"]
    assert stream(user, status, "stdout") == "leaving early\n"


# Scribbles on the result's fd, and starts a child that tries to (the runner keeps fd 3 from subprocesses).
SCRIBBLER = """import os, subprocess
def handler(event, context):
    child = subprocess.run(['sh', '-c', 'echo forged >&3 && echo child wrote'], capture_output=True, text=True)
    print('child:', child.stdout.strip() or 'refused')
    os.write(3, b'not json ')
    return {'fine': True}
"""


def test_a_scribbled_result_fails_only_its_own_run(user):
    upload(user, "scribbler", "python3.8", {"main.py": SCRIBBLER})
    definition = {"workflow_id": "wf_scribble", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "scribbler", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    r = user.post("/api/v1/workflows/wf_scribble/launches", json={})
    assert r.status_code == 202, r.text
    scribbled = r.json()["launch_id"]
    # Another function run meanwhile, on the same scheduler, is untouched.
    status, run = run_function(user, "good", "python3.8", {"main.py": "def handler(event, context):\n    print('ok')\n    return {'good': 1}\n"})
    assert status["state"] == "succeeded" and run["output"] == {"good": 1}, run
    assert stream(user, status, "stdout") == "ok\n"
    wait_until(lambda: user.get(f"/api/v1/launches/{scribbled}").json()["state"] == "failed", timeout=60, what="the scribbler to fail")
    failed = user.get(f"/api/v1/launches/{scribbled}").json()
    assert runs_by_id(failed)["1"]["error"] == "the function's result is not JSON", failed
    assert stream(user, failed, "stdout") == "child: refused\n"


# Prints (no flush of its own) then waits for the test's gate: the line must reach a follower of stdout meanwhile.
LIVE = """import os, time, urllib.error, urllib.request
def handler(event, context):
    print('before the gate')
    gate = urllib.request.Request(os.environ['SWEEP_API_URL'] + '/api/v1/artifacts/live-gate',
                                  headers={'Authorization': 'Bearer ' + event['static_input']['key']})
    while True:
        try:
            urllib.request.urlopen(gate).read()
            break
        except urllib.error.HTTPError:
            time.sleep(0.05)
    print('after the gate')
    return {}
"""


def test_a_running_functions_prints_are_followed_on_stdout(user):
    upload(user, "live", "python3.8", {"main.py": LIVE})
    assert user.post("/api/v1/workflows", json={"workflow_id": "wf_live", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "live", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"key": user.key}}}]}).status_code == 201
    r = user.post("/api/v1/workflows/wf_live/launches", json={})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    r = user.get(f"/api/v1/launches/{launch_id}/tasks/1/logs", params={"stream": "stdout", "follow": "true", "offset": 0, "wait": 30},
                 timeout=60)
    assert r.status_code == 200 and r.text == "before the gate\n", r.text
    # Still held at its gate: the line came while it ran, not at its end.
    assert user.get(f"/api/v1/launches/{launch_id}").json()["tasks"][0]["state"] == "running"
    gate = user.put("/api/v1/artifacts/live-gate", data=b"go", headers={"X-Sweep-Sha256": hashlib.sha256(b"go").hexdigest()})
    assert gate.status_code == 201, gate.text
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=60, what="the run to end")
    assert stream(user, user.get(f"/api/v1/launches/{launch_id}").json(), "stdout") == "before the gate\nafter the gate\n"
