"""Issue 14, scale-out: two scheduler processes and four executor processes run a launch of 2,000 executor runs;
one executor is killed (SIGKILL) while it holds runs. The launch succeeds, the killed executor's runs are rescued
as retries and run elsewhere, and every run's result is recorded exactly once."""
import collections
import os
import signal

import pytest

from stack import Stack, wait_until
from test_executors import ExecutorProcess, handlers_dir, launch, status

RUNS = 2000
HANDLERS = """
import os
import time

def work(ti, *args):
    # The victim holds its runs until it is killed (heartbeating them), so the kill finds runs in its hands.
    while os.environ.get("VICTIM"):
        time.sleep(1)
    return {"n": ti.input["static_input"]}
"""


@pytest.fixture(scope="module")
def stack():
    s = Stack(env={"SWEEP_EXECUTOR_LEASE_SECONDS": "3", "SWEEP_RESCUE_INTERVAL_MS": "300"})
    try:
        s.start(schedulers=2)
        yield s
    finally:
        s.stop()


def test_two_schedulers_four_executors_and_a_kill(stack, tmp_path):
    user = stack.create_user(f"scale-{os.getpid()}")
    assert user.post("/api/v1/workflows", json={"workflow_id": "wide", "tasks": [
        {"id": "w", "execution_configurations": [{"executor_type": "python-executor", "function": "work", "priority": 1}],
         "successors": [], "properties": {"position": "start", "static_input": {"items": list(range(RUNS))},
                                          "scatter": "static_input['items']"}}]}).status_code == 201
    directory = handlers_dir(tmp_path, HANDLERS)
    executors = [ExecutorProcess(stack, user, directory, ["handlers:work"], name=f"ex-{i}", concurrency=8, wait=5,
                                 env={"VICTIM": "1"} if i == 0 else None) for i in range(4)]
    try:
        launch_id = launch(user, "wide", wait=0)["launch_id"]

        def holding(name):
            listed = {e["name"]: e for e in user.get("/api/v1/executors").json()["items"]}
            return listed.get(name, {}).get("running", 0)
        # Mid-run: the victim holds leased runs, and the launch is far from done.
        wait_until(lambda: holding("ex-0") > 0, timeout=60, interval=0.05, what="ex-0 to hold runs")
        held = stack.psql("SELECT count(*) FROM task_runs t JOIN executors e ON t.claimed_by = 'executor:' || e.id "
                          "WHERE e.name = 'ex-0' AND t.state = 'running'")[0][0]
        executors[0].kill()
        done_when_killed = stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1'::uuid AND state = 'succeeded'", launch_id)[0][0]
        assert int(done_when_killed) < RUNS

        wait_until(lambda: status(user, launch_id)["state"] != "running", timeout=240, interval=0.5, what="the launch to end")
        final = status(user, launch_id)
        assert final["state"] == "succeeded", {k: final[k] for k in ("state", "task_counts") if k in final}
        rows = stack.psql("SELECT state, count(*), max(attempt) FROM task_runs WHERE launch_id = :'p1'::uuid AND kind = 'task' GROUP BY state",
                          launch_id)
        assert [(r[0], int(r[1])) for r in rows] == [("succeeded", RUNS)]
        # Each run's result was recorded once: one task.succeeded event per run, whatever its attempts.
        succeeded = stack.psql("SELECT run_name, count(*) FROM events WHERE launch_id = :'p1'::uuid AND type = 'task.succeeded' GROUP BY run_name",
                               launch_id)
        assert len(succeeded) == RUNS and all(int(count) == 1 for _, count in succeeded)
        # What the killed executor held was retried by the others (attempt 2), never by a scheduler.
        retried = stack.psql("SELECT count(*) FROM events WHERE launch_id = :'p1'::uuid AND type = 'task.retrying'", launch_id)
        assert int(retried[0][0]) >= int(held) >= 1
        assert int(rows[0][2]) == 2
        claimants = stack.psql("SELECT count(*) FROM task_runs WHERE launch_id = :'p1'::uuid AND claimed_by IS NOT NULL", launch_id)
        assert int(claimants[0][0]) == 0
        by_name = collections.Counter(e["name"] for e in user.get("/api/v1/executors").json()["items"])
        assert by_name == {"ex-0": 1, "ex-1": 1, "ex-2": 1, "ex-3": 1}
    finally:
        for executor in executors:
            if executor.proc.poll() is None:
                executor.stop()
            else:
                executor.log.close()
