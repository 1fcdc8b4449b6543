"""A claim whose cached plan was made on an empty task_runs heals itself.

The claim routine runs on a generic plan made once per session. After a VACUUM of an empty task_runs (reltuples 0),
PostgreSQL plans against the table's current size, 0 pages: the plan it then makes walks the whole table for each
claim (a 20,000-run launch at ~490 runs/s instead of ~8,000, docs/PLATFORM-NOTES.md "Session 11"). This test makes
that plan on purpose (VACUUM ANALYZE of the empty table, then a wake-up with nothing to claim), launches 10,000 runs,
and asserts that the scheduler discarded its cached plans after a slow claim (`Claimer.replanAfter`)."""
import pytest

from conftest import FunctionServer
from stack import Stack, wait_until
from sweep_fixtures import register_http_functions

WIDTH = 10_000


@pytest.fixture(scope="module")
def lone():
    s = Stack()
    try:
        yield s.start(schedulers=1)
    finally:
        s.stop()


def statement_calls(stack, text):
    rows = stack.psql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE $$" + text + "%$$")
    return int(rows[0][0])


def test_a_claim_planned_on_an_empty_table_is_replanned(lone):
    server = FunctionServer()
    try:
        user = lone.create_user("replan")
        register_http_functions(user, server.url, ["noop"])
        assert user.post("/api/v1/workflows", json={"workflow_id": "wide", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
             "properties": {"position": "start", "scatter": "launch_input['items']"}}]}).status_code == 201
        assert lone.psql("SELECT count(*) FROM task_runs")[0][0] == "0"
        lone.psql("VACUUM ANALYZE task_runs")
        # A wake-up with nothing to claim: the scheduler's next claim plans on the empty table.
        claims = statement_calls(lone, "SELECT * FROM sweep_claim(")
        lone.psql("NOTIFY sweep_ready")
        wait_until(lambda: statement_calls(lone, "SELECT * FROM sweep_claim(") > claims, what="a claim on the empty table")
        assert statement_calls(lone, "DISCARD PLANS") == 0

        r = user.post("/api/v1/workflows/wide/launches", json={"input": {"items": list(range(WIDTH))}}, timeout=120)
        assert r.status_code == 202, r.text
        launch_id = r.json()["launch_id"]
        wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=300,
                   what=f"the {WIDTH}-run launch to succeed")
        # The plan walked the whole table: a claim took longer than Claimer.replanAfter, and the scheduler
        # re-planned.
        assert statement_calls(lone, "DISCARD PLANS") >= 1
    finally:
        server.stop()
