"""Issue 13, launch operations (API.md "Launch operations"): re-running an ended launch from what failed or from
named tasks (succeeded runs are not executed again: counted at the function), re-planning a scatter downstream of
a re-run task, deleting one ended launch (with its runs and events) or every ended launch matching a filter, the
CLI's `sweep rerun` / `sweep rm`, and the ColonyOS examples of seed 004. Real stack: nginx, worker, scheduler, and
an HTTP function server of this file whose failures the test switches on and off."""
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stack import ROOT, wait_until
from sweep_fixtures import launch, register_http_functions, runs_by_id
from test_cli import CLI

ENDED = ("succeeded", "failed", "cancelled")


class CountingFunctions:
    """HTTP functions on loopback that count their calls per (launch, run) and fail when the test says so:
    `step` answers 500 while its task id (static_input.key) is in `failing`; `list` answers `width` items; `hold`
    blocks until `release` is set."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}
        self.failing = set()
        self.width = 2
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
                status, body = outer.answer(self.path.strip("/"), self.headers.get("X-Sweep-Launch-Id"),
                                            self.headers.get("X-Sweep-Run-Id"), payload)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, name, launch_id, run, payload):
        static = (payload or {}).get("static_input") or {}
        with self.lock:
            key = (launch_id, run)
            self.calls[key] = self.calls.get(key, 0) + 1
            failing = static.get("key") in self.failing
            width = self.width
        if name == "hold":
            self.release.wait(60)
        if failing:
            return 500, {"error": f"{static.get('key')} fails while the test says so"}
        if name == "list":
            return 200, {"items": [{"i": i} for i in range(width)]}
        return 200, {"run": run, "seen": sorted((payload or {}).get("predecessor_outputs", {}))}

    def count(self, launch_id, run):
        with self.lock:
            return self.calls.get((launch_id, run), 0)

    def stop(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture(scope="module")
def fns():
    server = CountingFunctions()
    yield server
    server.stop()


def task(task_id, successors=(), function="step", **properties):
    return {"id": task_id, "execution_configurations": [{"function_def_id": function, "priority": 1}],
            "successors": list(successors), "properties": {"static_input": {"key": task_id}, **properties}}


def register(client, fns, workflow_id, tasks):
    register_http_functions(client, fns.url, ["step", "list", "hold"], destination="opsfns")
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "config": {}, "tasks": tasks})
    assert r.status_code == 201, r.text


def chain(client, fns, workflow_id="chain"):
    """a -> b -> c, and a -> d."""
    register(client, fns, workflow_id, [task("a", ["b", "d"], position="start"), task("b", ["c"]), task("c"), task("d")])


def ended(client, launch_id, timeout=60):
    return wait_until(lambda: (lambda s: s if s["state"] in ENDED else None)(client.get(f"/api/v1/launches/{launch_id}").json()),
                      timeout=timeout, what=f"launch {launch_id} to end")


def events(client, launch_id):
    items, after = [], None
    while True:
        page = client.get(f"/api/v1/launches/{launch_id}/events", params={"limit": 500, **({"after": after} if after else {})}).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        after = page["next_cursor"]


def rerun(client, launch_id, body):
    return client.post(f"/api/v1/launches/{launch_id}/rerun", json=body)


# --- re-run ---------------------------------------------------------------------------------------------------------

def test_rerun_from_failed_does_not_execute_succeeded_tasks_again_and_ends_succeeded(user, fns):
    chain(user, fns)
    fns.failing.add("b")
    try:
        first = launch(user, "chain")
    finally:
        fns.failing.discard("b")
    launch_id = first["launch_id"]
    assert first["state"] == "failed", first
    runs = runs_by_id(first)
    assert {r: runs[r]["state"] for r in runs} == {"a": "succeeded", "b": "failed", "c": "upstream_failed", "d": "succeeded"}
    a_output = runs["a"]["output"]

    r = rerun(user, launch_id, {"from": "failed"})
    assert r.status_code == 202, r.text
    answer = r.json()
    assert answer["launch_id"] == launch_id and answer["state"] in ("running", "succeeded") and answer["rerun"] == {"runs": 2, "replanned": 0}
    assert r.headers["Location"] == f"/api/v1/launches/{launch_id}"

    status = ended(user, launch_id)
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert all(run["state"] == "succeeded" for run in runs.values()), runs
    # Counted at the function: the succeeded tasks ran once, the failed one and its downstream once more.
    assert [fns.count(launch_id, r) for r in "abcd"] == [1, 2, 1, 1]
    assert runs["a"]["output"] == a_output and runs["a"]["attempt"] == 1 and runs["d"]["attempt"] == 1
    assert runs["b"]["attempt"] == 2 and runs["c"]["attempt"] == 1
    assert status["progress"] == {"finished": 4, "total": 4, "failed": 0}
    assert status["task_counts"] == {t: {"succeeded": 1} for t in "abcd"}
    assert status["finished_at"] is not None

    kinds = [e["event"] for e in events(user, launch_id)]
    assert kinds.count("launch.failed") == 1 and kinds[-1] == "launch.succeeded"
    i = kinds.index("launch.rerun")
    assert kinds.index("launch.failed") < i
    assert kinds[i + 1:].count("task.succeeded") == 2 and "task.scheduled" in kinds[i + 1:]
    rerun_event = next(e for e in events(user, launch_id) if e["event"] == "launch.rerun")
    assert rerun_event["data"]["rerun"] == {"from": "failed"} and sorted(rerun_event["data"]["runs"]) == ["b", "c"]
    assert rerun_event["data"]["run_count"] == 2 and rerun_event["data"]["replanned_count"] == 0

    # Nothing failed any more: a second re-run from failed has nothing to do.
    r = rerun(user, launch_id, {"from": "failed"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_rerun", r.text


def test_rerun_of_named_task_reruns_it_and_its_downstream_only(user, fns):
    chain(user, fns, "chain2")
    first = launch(user, "chain2")
    launch_id = first["launch_id"]
    assert first["state"] == "succeeded", first

    r = rerun(user, launch_id, {"tasks": ["b"]})
    assert r.status_code == 202 and r.json()["rerun"]["runs"] == 2, r.text
    status = ended(user, launch_id)
    assert status["state"] == "succeeded", status
    assert [fns.count(launch_id, r) for r in "abcd"] == [1, 2, 2, 1]
    assert status["output"] == {"c": {"run": "c", "seen": ["b"]}, "d": {"run": "d", "seen": ["a"]}}
    assert status["progress"] == {"finished": 4, "total": 4, "failed": 0}


def test_rerun_input_errors_are_clear_and_change_nothing(user, fns, other_user):
    chain(user, fns, "chain3")
    launch_id = launch(user, "chain3")["launch_id"]
    before = len(events(user, launch_id))
    url = f"/api/v1/launches/{launch_id}/rerun"
    cases = [
        (user.post(url, data=b""), 400, "missing_body", None),
        (rerun(user, launch_id, {}), 422, "missing_field", ""),
        (rerun(user, launch_id, {"from": "everything"}), 422, "invalid_value", "/from"),
        (rerun(user, launch_id, {"tasks": []}), 422, "invalid_value", "/tasks"),
        (rerun(user, launch_id, {"tasks": ["a", None]}), 422, "invalid_value", "/tasks/1"),
        (rerun(user, launch_id, {"tasks": ["a", "nope"]}), 422, "unknown_task", "/tasks/1"),
        (rerun(user, launch_id, {"from": "failed", "tasks": ["a"]}), 422, "invalid_value", "/tasks"),
        (user.post(url, data=b"[1]", headers={"Content-Type": "application/json"}), 400, "invalid_type", ""),
        (rerun(user, "00000000-0000-0000-0000-000000000000", {"from": "failed"}), 404, "not_found", None),
        (rerun(user, "not-a-uuid", {"from": "failed"}), 404, "not_found", None),
        # Another user's launch does not exist for them.
        (rerun(other_user, launch_id, {"tasks": ["a"]}), 404, "not_found", None),
    ]
    for r, status, code, field in cases:
        assert r.status_code == status and r.json()["error"]["code"] == code, r.text
        assert r.json()["error"].get("field") == field, r.text
    assert len(events(user, launch_id)) == before
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"


def test_running_launch_can_be_neither_rerun_nor_deleted(user, fns):
    register(user, fns, "held", [task("h", function="hold", position="start")])
    fns.release.clear()
    r = user.post("/api/v1/workflows/held/launches", json={})
    launch_id = r.json()["launch_id"]
    try:
        wait_until(lambda: fns.count(launch_id, "h") == 1, what="the held task to start")
        r = rerun(user, launch_id, {"from": "failed"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "launch_not_ended", r.text
        r = user.delete(f"/api/v1/launches/{launch_id}")
        assert r.status_code == 409 and r.json()["error"]["code"] == "launch_not_ended", r.text
        r = user.delete("/api/v1/launches", params={"workflow_id": "held"})
        assert r.status_code == 200 and r.json()["deleted"] == 0, r.text
        r = user.delete("/api/v1/launches", params={"state": "running"})
        assert r.status_code == 200 and r.json()["deleted"] == 0, r.text
    finally:
        fns.release.set()
    assert ended(user, launch_id)["state"] == "succeeded"


def test_rerun_replans_a_scatter_downstream_of_the_rerun_task(user, fns):
    # list -> s (scatter over list's items) -> g (gathers every replica)
    register(user, fns, "fan", [task("list", ["s"], function="list", position="start"),
                                task("s", ["g"], scatter="predecessor_outputs['list']['items']"), task("g")])
    fns.width = 2
    fns.failing.add("g")
    try:
        first = launch(user, "fan")
    finally:
        fns.failing.discard("g")
    launch_id = first["launch_id"]
    assert first["state"] == "failed" and set(runs_by_id(first)) == {"list", "s_A", "s_B", "g"}, first

    # list answers three items now: re-running it re-plans the scatter from its new output.
    fns.width = 3
    r = rerun(user, launch_id, {"tasks": ["list"]})
    assert r.status_code == 202, r.text
    assert r.json()["rerun"]["replanned"] == 3  # s_A, s_B and g were deleted and planned again
    status = ended(user, launch_id)
    assert status["state"] == "succeeded", status
    runs = runs_by_id(status)
    assert set(runs) == {"list", "s_A", "s_B", "s_C", "g"}
    assert sorted(runs["g"]["predecessors"]) == ["s_A", "s_B", "s_C"]
    assert len(runs["g"]["input"]["predecessor_outputs"]["s"]) == 3
    assert runs["s_C"]["input"]["static_input"] == {"key": "s"}
    assert [fns.count(launch_id, r) for r in ("list", "s_A", "s_B", "s_C", "g")] == [2, 2, 2, 1, 2]
    assert status["progress"] == {"finished": 5, "total": 5, "failed": 0}
    assert status["task_counts"]["s"] == {"succeeded": 3}
    # Each run once in its predecessors' successor lists: the re-expansion linked them again, once.
    assert sorted(runs["list"]["successors"]) == ["s_A", "s_B", "s_C"]
    assert runs["s_A"]["successors"] == ["g"]


def test_rerun_from_failed_expands_a_scatter_that_never_expanded(user, fns):
    register(user, fns, "fan2", [task("list", ["s"], function="list", position="start"),
                                 task("s", ["g"], scatter="predecessor_outputs['list']['items']"), task("g")])
    fns.width = 2
    fns.failing.add("list")
    try:
        first = launch(user, "fan2")
    finally:
        fns.failing.discard("list")
    launch_id = first["launch_id"]
    assert first["state"] == "failed", first
    assert runs_by_id(first)["list"]["state"] == "failed"

    assert rerun(user, launch_id, {"from": "failed"}).status_code == 202
    status = ended(user, launch_id)
    assert status["state"] == "succeeded", status
    assert set(runs_by_id(status)) == {"list", "s_A", "s_B", "g"}
    assert status["progress"] == {"finished": 4, "total": 4, "failed": 0}
    assert [fns.count(launch_id, r) for r in ("list", "s_A", "s_B", "g")] == [2, 1, 1, 1]


def test_rerun_of_a_cancelled_launch_runs_what_was_cancelled(user, fns):
    register(user, fns, "held2", [task("h", ["after"], function="hold", position="start"), task("after")])
    fns.release.clear()
    launch_id = user.post("/api/v1/workflows/held2/launches", json={}).json()["launch_id"]
    wait_until(lambda: fns.count(launch_id, "h") == 1, what="the held task to start")
    assert user.post(f"/api/v1/launches/{launch_id}/cancel").status_code == 202
    fns.release.set()
    assert ended(user, launch_id)["state"] == "cancelled"

    assert rerun(user, launch_id, {"from": "failed"}).status_code == 202
    status = ended(user, launch_id)
    assert status["state"] == "succeeded", status
    assert fns.count(launch_id, "after") == 1
    assert status["progress"] == {"finished": 2, "total": 2, "failed": 0}


# --- delete ---------------------------------------------------------------------------------------------------------

def test_delete_removes_an_ended_launch_with_its_runs_and_events(stack, user, other_user, fns):
    chain(user, fns, "gone")
    launch_id = launch(user, "gone")["launch_id"]
    assert events_rows(stack, launch_id)[:2] == (1, 4)

    # Another user cannot see it, so cannot delete it either.
    r = other_user.delete(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 404, r.text
    assert other_user.delete("/api/v1/launches").json()["deleted"] == 0

    r = user.delete(f"/api/v1/launches/{launch_id}")
    assert r.status_code == 204 and r.content == b"", r.text
    assert user.get(f"/api/v1/launches/{launch_id}").status_code == 404
    assert user.get(f"/api/v1/launches/{launch_id}/events").status_code in (200, 404)
    assert events_rows(stack, launch_id) == (0, 0, 0)
    assert user.delete(f"/api/v1/launches/{launch_id}").status_code == 404
    assert user.delete("/api/v1/launches/not-a-uuid").status_code == 404


def events_rows(stack, launch_id):
    return tuple(int(stack.psql(f"SELECT count(*) FROM {table} WHERE {column} = :'p1'::uuid", launch_id)[0][0])
                 for table, column in (("launches", "id"), ("task_runs", "launch_id"), ("events", "launch_id")))


def test_bulk_delete_by_state_and_workflow(stack, user, other_user, fns):
    chain(user, fns, "bulk1")
    chain(user, fns, "bulk2")
    fns.failing.add("b")
    try:
        failed1 = [launch(user, "bulk1")["launch_id"] for _ in range(3)]
        failed2 = launch(user, "bulk2")["launch_id"]
    finally:
        fns.failing.discard("b")
    succeeded1 = launch(user, "bulk1")["launch_id"]
    chain(other_user, fns, "bulk1")
    fns.failing.add("b")
    try:
        theirs = launch(other_user, "bulk1")["launch_id"]
    finally:
        fns.failing.discard("b")

    r = user.delete("/api/v1/launches", params={"state": "failed", "workflow_id": "bulk1"})
    assert r.status_code == 200 and r.json() == {"deleted": 3, "more": False}, r.text
    assert all(events_rows(stack, i) == (0, 0, 0) for i in failed1)
    left = {item["launch_id"] for item in user.get("/api/v1/launches").json()["items"]}
    assert left == {failed2, succeeded1}

    assert user.delete("/api/v1/launches", params={"state": "failed"}).json()["deleted"] == 1
    for params in ({"state": "bogus"}, {"state": ""}, {"workflow_id": ""}):
        r = user.delete("/api/v1/launches", params=params)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_parameter", r.text
    assert user.delete("/api/v1/launches").json()["deleted"] == 1
    assert user.get("/api/v1/launches").json()["items"] == []
    # The other user's launch of a workflow with the same id is untouched.
    assert other_user.get(f"/api/v1/launches/{theirs}").json()["state"] == "failed"


def test_python_client_reruns_and_deletes(user, fns):
    import sys
    sys.path.insert(0, os.path.join(ROOT, "clients", "python", "src"))
    from sweep_client import SweepClient
    chain(user, fns, "pyops")
    client = SweepClient(user.url, user.key)
    launch_id = launch(user, "pyops")["launch_id"]
    assert client.rerun_launch(launch_id, tasks=["c"])["launch_id"] == launch_id
    assert client.wait(launch_id)["state"] == "succeeded"
    assert fns.count(launch_id, "c") == 2 and fns.count(launch_id, "b") == 1
    client.delete_launch(launch_id)
    assert user.get(f"/api/v1/launches/{launch_id}").status_code == 404
    launch(user, "pyops")
    assert client.delete_launches(state="succeeded", workflow_id="pyops") == 1


# --- CLI and examples -----------------------------------------------------------------------------------------------

def test_cli_rerun_and_rm(stack, user, fns, tmp_path):
    cli = CLI(stack, tmp_path, key=user.key)
    chain(user, fns, "clichain")
    fns.failing.add("b")
    try:
        launch_id = launch(user, "clichain")["launch_id"]
    finally:
        fns.failing.discard("b")
    out = cli.ok("rerun", launch_id, "--watch").stdout
    assert "launch.rerun" in out and "launch.succeeded" in out, out
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"
    assert fns.count(launch_id, "a") == 1 and fns.count(launch_id, "b") == 2

    answer = cli.json("rerun", launch_id, "--task", "c", "--task", "d")
    assert answer["rerun"]["runs"] == 2
    assert ended(user, launch_id)["state"] == "succeeded"
    assert fns.count(launch_id, "c") == 2 and fns.count(launch_id, "d") == 2

    cli.fails(6, "rerun", launch_id, "--task", "nope")
    cli.fails(2, "rerun", launch_id, "--from-failed", "--task", "a")
    cli.ok("rm", launch_id)
    cli.fails(4, "rm", launch_id)

    fns.failing.add("b")
    try:
        for _ in range(2):
            launch(user, "clichain")
    finally:
        fns.failing.discard("b")
    kept = launch(user, "clichain")["launch_id"]
    assert cli.json("rm", "--all", "--state", "failed", "--workflow", "clichain") == {"deleted": 2}
    assert [i["launch_id"] for i in user.get("/api/v1/launches").json()["items"]] == [kept]
    cli.fails(2, "rm", "--all", "--state", "running")
    cli.fails(2, "rm")


def example(*parts):
    return os.path.join(ROOT, "examples", *parts)


def test_colonyos_examples_run_with_the_cli(stack, user, tmp_path):
    cli = CLI(stack, tmp_path, key=user.key)
    cli.ok("destination", "register", example("destinations", "local.json"))
    for folder, functions, workflow_id, output in (
            ("two-step", ["gen_nums", "sum_nums"], "colonyos-two-step", {"sum_nums": {"sum": 3}}),
            ("fan-in", ["begin", "fetch_a", "fetch_b", "merge"], "colonyos-fan-in", {"merge": {"result": 30}})):
        for name in functions:
            cli.ok("function", "upload", example("colonyos", folder, "functions", name + ".json"),
                   example("colonyos", folder, "functions", name))
        cli.ok("workflow", "register", example("colonyos", folder, "workflow.json"))
        status = cli.json("launch", workflow_id, "--wait")
        assert status["state"] == "succeeded" and status["output"] == output, status
