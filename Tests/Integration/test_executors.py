"""Issue 14: remote executors pull runs of their type through the API. Real stack (PostgreSQL, worker, schedulers,
nginx) and real executor processes (`sweep_client.executor` from clients/python): the ColonyOS two-step and
map-reduce examples, user isolation, lease loss and re-assignment (409 `lease_lost` for the late result),
progress on the launch's SSE stream, and schedulers never claiming an executor's run."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from sse import events as sse_events
from stack import Stack, wait_until

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENT_SRC = os.path.join(ROOT, "clients", "python", "src")
MAP_REDUCE = os.path.join(ROOT, "examples", "colonyos", "map-reduce")
LEASE = 2  # seconds: leases expire quickly, so lease loss is seen without long waits


@pytest.fixture(scope="module")
def stack():
    s = Stack(env={"SWEEP_EXECUTOR_LEASE_SECONDS": str(LEASE), "SWEEP_RESCUE_INTERVAL_MS": "200"})
    try:
        s.start(schedulers=1)
        yield s
    finally:
        s.stop()


_users = [0]


@pytest.fixture
def user(stack):
    _users[0] += 1
    return stack.create_user(f"ex{_users[0]}-{os.getpid()}")


class ExecutorProcess:
    """`sweep-executor` (the package's console entry point) serving handlers from `directory`."""

    def __init__(self, stack, client, directory, functions, type="python-executor", name=None, concurrency=1, wait=5, env=None):
        env = dict(os.environ, PYTHONPATH=CLIENT_SRC + os.pathsep + directory, SWEEP_URL=stack.url, SWEEP_API_KEY=client.key, **(env or {}))
        self.log_path = os.path.join(stack.workdir, f"executor-{name or type}-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from sweep_client.executor import main; sys.exit(main())", "--type", type,
             "--name", name or type, "--concurrency", str(concurrency), "--wait", str(wait), *functions],
            cwd=directory, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def executors():
    started = []
    yield started
    for executor in started:
        executor.stop()


def handlers_dir(tmp_path, source):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(source))
    return str(tmp_path)


def executor_task(task_id, function, successors=(), args=None, **properties):
    configuration = {"executor_type": "python-executor", "function": function, "priority": 1}
    if args is not None:
        configuration["args"] = args
    return {"id": task_id, "execution_configurations": [configuration], "successors": list(successors), "properties": properties}


def register(client, definition):
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


def launch(client, workflow_id, wait=60):
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json={"wait": wait}, timeout=wait + 30)
    assert r.status_code in (200, 202), r.text
    return r.json()


def status(client, launch_id):
    r = client.get(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 200, r.text
    return r.json()


def runs(client, launch_id):
    return {task["run_id"]: task for task in status(client, launch_id)["tasks"]}


def new_executor(client, name="raw", type="python-executor"):
    r = client.post("/api/v1/executors", json={"name": name, "type": type})
    assert r.status_code == 201, r.text
    return r.json()


def assign(client, executor_id, wait=0, max=1, timeout=90):
    r = client.post(f"/api/v1/executors/{executor_id}/assignments", json={"wait": wait, "max": max}, timeout=timeout)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def run_api(stack, token, path, body):
    import requests
    return requests.post(stack.url + path, json=body, headers={"Authorization": "Bearer " + token}, timeout=30)


TWO_STEP = """
def greet(ti, name):
    return {"greeting": "hello " + name}

def shout(ti):
    return {"shout": ti.input["predecessor_outputs"]["greet"]["greeting"].upper() + "!"}
"""


def test_two_step_through_the_python_executor(stack, user, executors, tmp_path):
    register(user, {"workflow_id": "two_step", "tasks": [
        executor_task("greet", "greet", ["shout"], args=["colony"], position="start"), executor_task("shout", "shout")]})
    executors.append(ExecutorProcess(stack, user, handlers_dir(tmp_path, TWO_STEP), ["handlers:greet", "handlers:shout"]))
    done = launch(user, "two_step")
    assert done["state"] == "succeeded", done
    assert done["output"] == {"shout": {"shout": "HELLO COLONY!"}}
    by_run = runs(user, done["launch_id"])
    assert by_run["greet"]["output"] == {"greeting": "hello colony"} and by_run["greet"]["attempt"] == 1
    listed = user.get("/api/v1/executors").json()["items"]
    assert [(e["name"], e["type"], e["online"], e["running"]) for e in listed] == [("python-executor", "python-executor", True, 0)]
    # The runs were claimed by that executor, never by the scheduler.
    claimed = stack.psql("SELECT DISTINCT claimed_by IS NULL, executor_type FROM task_runs WHERE launch_id = :'p1'::uuid", done["launch_id"])
    assert claimed == [["t", "python-executor"]]
    events = user.get(f"/api/v1/launches/{done['launch_id']}/events").json()["items"]
    started = [e for e in events if e["event"] == "task.started"]
    assert [e["data"]["run_id"] for e in started] == ["greet", "shout"]


def test_map_reduce_example_adds_children_before_reduce(stack, user, executors):
    with open(os.path.join(MAP_REDUCE, "workflow.json")) as f:
        register(user, json.load(f))
    executors.append(ExecutorProcess(stack, user, MAP_REDUCE, ["handlers:map_nums", "handlers:gen_nums", "handlers:reduce"]))
    done = launch(user, "colonyos_map_reduce")
    assert done["state"] == "succeeded", done
    assert done["output"] == {"reduce": {"sum": 15}}
    by_run = runs(user, done["launch_id"])
    assert sorted(by_run) == ["gen_nums_1", "gen_nums_2", "gen_nums_3", "gen_nums_4", "gen_nums_5", "map", "reduce"]
    assert {by_run[f"gen_nums_{n}"]["output"]["value"] for n in range(1, 6)} == {1, 2, 3, 4, 5}
    # Progress the children sent reached the launch's event stream (SSE replays it from the start).
    with user.session.get(f"{user.url}/api/v1/launches/{done['launch_id']}/events", headers={"Accept": "text/event-stream"},
                          stream=True, timeout=30) as r:
        assert r.status_code == 200
        progress = []
        for _, kind, data in sse_events(r):
            if kind == "task.progress":
                progress.append((data["run_id"], data["message"]))
            if kind in ("launch.succeeded", "launch.failed"):
                break
    assert sorted(progress) == [(f"gen_nums_{n}", f"generating {n}") for n in range(1, 6)]


def test_another_users_executor_of_the_same_type_gets_nothing(stack, user, other_user_factory):
    register(user, {"workflow_id": "mine", "tasks": [executor_task("1", "noop", position="start")]})
    launched = launch(user, "mine", wait=0)
    stranger = other_user_factory()
    theirs = new_executor(stranger, "theirs")
    assert assign(stranger, theirs["id"], wait=1, max=100) == []
    # Nor did the scheduler take it: it waits for an executor of its user.
    assert runs(user, launched["launch_id"])["1"]["state"] == "scheduled"
    # An executor of another type of the same user gets nothing either.
    other_type = new_executor(user, "gpu", type="gpu-executor")
    assert assign(user, other_type["id"], wait=0, max=100) == []
    mine = new_executor(user, "mine")
    items = assign(user, mine["id"], wait=0, max=100)
    assert [(i["run_id"], i["function"], i["args"], i["attempt"]) for i in items] == [("1", "noop", [], 1)]
    assert items[0]["token"].startswith("tt_") and items[0]["launch_id"] == launched["launch_id"]
    assert run_api(stack, items[0]["token"], "/api/v1/run/result", {"output": {"ok": True}}).status_code == 200
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "succeeded", what="launch to succeed")
    # The stranger cannot see or delete this user's executor.
    assert stranger.get(f"/api/v1/executors/{mine['id']}").status_code == 404
    assert stranger.delete(f"/api/v1/executors/{mine['id']}").status_code == 404


@pytest.fixture
def other_user_factory(stack):
    def make():
        _users[0] += 1
        return stack.create_user(f"exo{_users[0]}-{os.getpid()}")
    return make


def test_a_silent_executors_run_goes_to_another_at_attempt_two(stack, user):
    register(user, {"workflow_id": "lease", "tasks": [executor_task("1", "slow", position="start")]})
    launched = launch(user, "lease", wait=0)
    silent, second = new_executor(user, "silent"), new_executor(user, "second")
    [first] = assign(user, silent["id"], wait=5)
    assert first["attempt"] == 1
    # The silent executor never heartbeats: its lease expires and the rescuer requeues the run as a retry, which
    # the second executor's long-poll receives (woken by the run becoming claimable again).
    [again] = assign(user, second["id"], wait=30)
    assert (again["run_id"], again["attempt"]) == ("1", 2) and again["token"] != first["token"]
    late = run_api(stack, first["token"], "/api/v1/run/result", {"output": {"who": "silent"}})
    assert late.status_code == 409 and late.json()["error"]["code"] == "lease_lost", late.text
    beat = run_api(stack, first["token"], "/api/v1/run/heartbeat", {})
    assert beat.status_code == 409 and beat.json()["error"]["code"] == "lease_lost"
    # The holder heartbeats and reports; its result is the one recorded.
    renewed = run_api(stack, again["token"], "/api/v1/run/heartbeat", {})
    assert renewed.status_code == 200 and renewed.json()["lease_expires_at"] > again["lease_expires_at"]
    assert run_api(stack, again["token"], "/api/v1/run/result", {"output": {"who": "second"}}).status_code == 200
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "succeeded", what="launch to succeed")
    run = runs(user, launched["launch_id"])["1"]
    assert run["output"] == {"who": "second"} and run["attempt"] == 2
    events = user.get(f"/api/v1/launches/{launched['launch_id']}/events").json()["items"]
    assert [e["event"] for e in events if e["event"].startswith("task.")] == [
        "task.scheduled", "task.started", "task.retrying", "task.started", "task.succeeded"]
    # A token of an ended run: 409 for its own reports, and nothing changes.
    assert run_api(stack, again["token"], "/api/v1/run/result", {"output": {"who": "again"}}).status_code == 409
    assert runs(user, launched["launch_id"])["1"]["output"] == {"who": "second"}


def test_an_executor_error_fails_the_run_and_bad_reports_are_refused(stack, user):
    register(user, {"workflow_id": "fails", "tasks": [executor_task("1", "boom", ["2"], position="start"), executor_task("2", "never")]})
    launched = launch(user, "fails", wait=0)
    ex = new_executor(user)
    [item] = assign(user, ex["id"], wait=5)
    for body in ({}, {"output": [1]}, {"error": "x"}, {"error": {}}, {"output": {}, "error": {"message": "m"}}):
        r = run_api(stack, item["token"], "/api/v1/run/result", body)
        assert r.status_code in (400, 422) and "error" in r.json(), (body, r.text)
    assert run_api(stack, "tt_1_nope", "/api/v1/run/result", {"output": {}}).status_code in (401, 409)
    assert run_api(stack, "sk_not_a_token", "/api/v1/run/heartbeat", {}).status_code == 401
    r = run_api(stack, item["token"], "/api/v1/run/result", {"error": {"message": "it broke", "retryable": False}})
    assert r.status_code == 200, r.text
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "failed", what="launch to fail")
    by_run = runs(user, launched["launch_id"])
    assert by_run["1"]["state"] == "failed" and "it broke" in by_run["1"]["error"] and by_run["2"]["state"] == "upstream_failed"


def test_an_executor_error_is_retried_unless_it_says_not_retryable(stack, user):
    register(user, {"workflow_id": "retried", "tasks": [executor_task("1", "flaky", position="start", retries=1)]})
    launched = launch(user, "retried", wait=0)
    ex = new_executor(user)
    [first] = assign(user, ex["id"], wait=5)
    assert run_api(stack, first["token"], "/api/v1/run/result", {"error": {"message": "try again"}}).status_code == 200
    [second] = assign(user, ex["id"], wait=30)
    assert (second["run_id"], second["attempt"]) == ("1", 2)
    events = user.get(f"/api/v1/launches/{launched['launch_id']}/events").json()["items"]
    retrying = [e for e in events if e["event"] == "task.retrying"]
    assert len(retrying) == 1 and "try again" in retrying[0]["data"]["error"], retrying
    # Attempts remain (retries 1 was spent, but a non-retryable error would end it anyway): not retried again.
    assert run_api(stack, second["token"], "/api/v1/run/result", {"error": {"message": "fatal", "retryable": False}}).status_code == 200
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "failed", what="launch to fail")

    register(user, {"workflow_id": "fatal", "tasks": [executor_task("1", "fatal", position="start", retries=3)]})
    launched = launch(user, "fatal", wait=0)
    [item] = assign(user, ex["id"], wait=5)
    assert run_api(stack, item["token"], "/api/v1/run/result", {"error": {"message": "no", "retryable": False}}).status_code == 200
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "failed", what="launch to fail")
    run = runs(user, launched["launch_id"])["1"]
    assert run["state"] == "failed" and run["attempt"] == 1 and "no" in run["error"]
    events = user.get(f"/api/v1/launches/{launched['launch_id']}/events").json()["items"]
    assert not [e for e in events if e["event"] == "task.retrying"]


FILES = """
def produce(ti):
    data = ti.artifact("input.bin")
    ti.put_file("result.txt", b"size=" + str(len(data)).encode())
    ti.put_file("copy.bin", data)
    return {"size": len(data)}
"""


def test_an_executor_reads_an_artifact_and_uploads_output_files(stack, user, executors, tmp_path):
    data = os.urandom(3 * 1024 * 1024)
    assert user.put("/api/v1/artifacts/input.bin", data=data).status_code == 201
    register(user, {"workflow_id": "files", "tasks": [executor_task("1", "produce", position="start", artifacts=["input.bin"])]})
    executors.append(ExecutorProcess(stack, user, handlers_dir(tmp_path, FILES), ["handlers:produce"]))
    done = launch(user, "files")
    assert done["state"] == "succeeded", done
    assert runs(user, done["launch_id"])["1"]["output"] == {"size": len(data)}
    base = f"/api/v1/launches/{done['launch_id']}/tasks/1/files"
    listed = {f["name"]: f for f in user.get(base).json()["items"]}
    assert set(listed) == {"result.txt", "copy.bin"}
    assert listed["copy.bin"]["size"] == len(data) and listed["copy.bin"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert user.get(base + "/result.txt").content == f"size={len(data)}".encode()
    assert user.get(base + "/copy.bin").content == data


def test_assignment_requests_are_checked(stack, user):
    ex = new_executor(user)
    for body in ({"wait": 61}, {"wait": -1}, {"max": 0}, {"max": 101}, {"wait": "5"}):
        r = user.post(f"/api/v1/executors/{ex['id']}/assignments", json=body)
        assert r.status_code == 400 and "error" in r.json(), (body, r.text)
    assert user.post("/api/v1/executors/ex_unknown/assignments", json={}).status_code == 404
    for body in ({"name": "n"}, {"type": "t"}, {"name": "n", "type": "bad type"}, {"name": "", "type": "t"}):
        assert user.post("/api/v1/executors", json=body).status_code == 400, body
    started = time.monotonic()
    assert assign(user, ex["id"], wait=1) == []
    assert time.monotonic() - started >= 0.9
    assert user.delete(f"/api/v1/executors/{ex['id']}").status_code == 204
    assert user.get(f"/api/v1/executors/{ex['id']}").status_code == 404


def test_children_are_guarded(stack, user):
    register(user, {"workflow_id": "kids", "tasks": [
        executor_task("parent", "p", ["end"], position="start"), executor_task("end", "e")]})
    launched = launch(user, "kids", wait=0)
    ex = new_executor(user)
    [item] = assign(user, ex["id"], wait=5)
    child = {"name": "kid_1", "execution_configurations": [{"executor_type": "python-executor", "function": "k"}]}
    bad = [
        ({"children": []}, "/children"),
        ({"children": [{**child, "name": "end"}]}, "/children/0/name"),
        ({"children": [{**child, "name": "end_A"}]}, "/children/0/name"),
        ({"children": [{**child, "name": "bad name"}]}, "/children/0/name"),
        ({"children": [child, child]}, "/children/1/name"),
        ({"children": [{"name": "kid_2", "execution_configurations": [{"function_def_id": "nope", "priority": 1}]}]},
         "/children/0/execution_configurations"),
        ({"children": [child], "before": "parent"}, "/before"),
        ({"children": [child], "before": "nosuch"}, "/before"),
    ]
    for body, field in bad:
        r = run_api(stack, item["token"], "/api/v1/run/children", body)
        assert r.status_code in (400, 409, 422) and r.json()["error"].get("field") == field, (body, r.text)
    assert len(runs(user, launched["launch_id"])) == 2  # nothing was added
    r = run_api(stack, item["token"], "/api/v1/run/children", {"children": [child], "before": "end"})
    assert r.status_code == 201 and r.json() == {"run_ids": ["kid_1"]}, r.text
    again = run_api(stack, item["token"], "/api/v1/run/children", {"children": [child]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "name_taken"
    assert run_api(stack, item["token"], "/api/v1/run/result", {"output": {"p": 1}}).status_code == 200
    [kid] = assign(user, ex["id"], wait=5)
    assert kid["run_id"] == "kid_1" and kid["input"]["predecessor_outputs"] == {"parent": {"p": 1}}
    assert run_api(stack, kid["token"], "/api/v1/run/result", {"output": {"k": 2}}).status_code == 200
    [end] = assign(user, ex["id"], wait=5)
    assert end["run_id"] == "end" and end["input"]["predecessor_outputs"] == {"parent": {"p": 1}, "kid_1": {"k": 2}}
    assert run_api(stack, end["token"], "/api/v1/run/result", {"output": {}}).status_code == 200
    wait_until(lambda: status(user, launched["launch_id"])["state"] == "succeeded", what="launch to succeed")
    # After its run ended, the token adds nothing.
    assert run_api(stack, item["token"], "/api/v1/run/children", {"children": [{**child, "name": "late"}]}).status_code == 409


def test_priority_first_then_launches_take_turns(stack, user):
    def scatter_workflow(workflow_id, priority, n):
        return {"workflow_id": workflow_id, "tasks": [
            {"id": "w", "execution_configurations": [{"executor_type": "python-executor", "function": "f", "priority": priority}],
             "successors": [], "properties": {"position": "start", "static_input": {"items": list(range(n))},
                                              "scatter": "static_input['items']"}}]}
    register(user, scatter_workflow("low", 2, 3))
    register(user, scatter_workflow("big", 1, 6))
    register(user, scatter_workflow("small", 1, 2))
    low = launch(user, "low", wait=0)["launch_id"]
    big = launch(user, "big", wait=0)["launch_id"]
    small = launch(user, "small", wait=0)["launch_id"]
    ex = new_executor(user)
    wait_until(lambda: all(r["state"] == "scheduled" for l in (low, big, small) for r in runs(user, l).values()
                           if not r["run_id"] == "w"), what="runs scheduled")
    items = assign(user, ex["id"], wait=0, max=6)
    order = [i["launch_id"] for i in items]
    # Priority 1 before 2; within it, the two launches alternate instead of the big one going first.
    assert order[:4] == [big, small, big, small] and order[4:] == [big, big], order
    assert low not in order


def test_cli_lists_and_removes_executors(stack, user, tmp_path):
    from test_cli import CLI
    cli = CLI(stack, tmp_path, key=user.key)
    ex = new_executor(user, "laptop", type="gpu-executor")
    table = cli.ok("executors").stdout
    assert ex["id"] in table and "laptop" in table and "gpu-executor" in table
    listed = cli.json("executors", "list")
    assert [(e["id"], e["running"]) for e in listed["items"]] == [(ex["id"], 0)]
    assert "Removed executor" in cli.ok("executors", "rm", ex["id"]).stdout
    cli.fails(4, "executors", "rm", ex["id"])
    assert cli.json("executors")["items"] == []
