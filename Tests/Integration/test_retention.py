"""Issue 10: retention. Ended launches older than SWEEP_RETENTION_DAYS (default 30) are deleted with their runs,
events and logs by every scheduler, in small batches; running launches and younger ones stay. Time is moved by
dating the launches back, never waited for."""
import requests

from sweep_fixtures import launch, register_http_functions
from stack import wait_until


def counts(stack, launch_id):
    row = stack.psql("SELECT (SELECT count(*) FROM launches WHERE id = :'p1'), (SELECT count(*) FROM task_runs WHERE launch_id = :'p1'),"
                     " (SELECT count(*) FROM events WHERE launch_id = :'p1')", launch_id)[0]
    return tuple(int(v) for v in row)


def test_ended_launches_past_the_retention_age_are_deleted_with_their_rows(stack, user, functions):
    register_http_functions(user, functions.url, ["noop", "gate"])
    for workflow_id, function, static in (("kept_short", "noop", {}), ("held", "gate", {"gate": "retention"})):
        assert user.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": function, "priority": 1}], "successors": [],
             "properties": {"position": "start", "static_input": static}}]}).status_code == 201
    old, young, fresh = (launch(user, "kept_short")["launch_id"] for _ in range(3))
    running = user.post("/api/v1/workflows/held/launches", json={}).json()["launch_id"]
    assert all(counts(stack, i)[0] == 1 and counts(stack, i)[1] == 1 and counts(stack, i)[2] >= 4 for i in (old, young, fresh))
    stack.psql("UPDATE launches SET finished_at = now() - interval '31 days', created_at = now() - interval '31 days' WHERE id = :'p1'", old)
    stack.psql("UPDATE launches SET finished_at = now() - interval '29 days', created_at = now() - interval '29 days' WHERE id = :'p1'", young)
    stack.psql("UPDATE launches SET created_at = now() - interval '90 days' WHERE id = :'p1'", running)
    before = {i: counts(stack, i) for i in (young, fresh, running)}

    # A scheduler that looks every 100 ms (the default is every minute); any scheduler would do it.
    sweeper = stack.start_scheduler(SWEEP_RETENTION_INTERVAL_MS="100")
    try:
        wait_until(lambda: counts(stack, old) == (0, 0, 0), timeout=30, what="the old launch, its runs and events deleted")
        assert user.get("/api/v1/launches/" + old).status_code == 404
        assert {i: counts(stack, i) for i in (young, fresh)} == {i: before[i] for i in (young, fresh)}
        assert counts(stack, running)[0:2] == before[running][0:2], "a running launch is never deleted, however old"
    finally:
        requests.post(functions.url + "_open/retention", timeout=5)
        sweeper.terminate()
        sweeper.wait(timeout=15)
