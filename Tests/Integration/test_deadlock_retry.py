"""A tenant transaction chosen as a deadlock victim is retried, not answered with a 500.

A scheduler's step claims runs (row locks) before it takes their launch's lock to record completions; a cancel
takes the launch's lock, then the runs'. When the two meet, PostgreSQL aborts one. This test plays the scheduler's
part by hand with a psql session, so the cancel is the victim every time (it waited first, so its deadlock check
runs first), and asserts that the API retries it."""
import threading
import uuid

import requests

from psql_session import Session
from stack import wait_until
from sweep_fixtures import register_http_functions


def test_a_cancel_that_meets_a_claim_in_a_deadlock_is_retried(stack, user, functions):
    # The run waits at a gate (opened at the end) rather than sleeping: it must still be running when the cancel
    # comes, after several psql round trips that take seconds at load.
    register_http_functions(user, functions.url, ["gate"])
    gate = f"deadlock-{uuid.uuid4().hex}"
    assert user.post("/api/v1/workflows", json={"workflow_id": "locked", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "gate", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"gate": gate}}}]}).status_code == 201
    launch_id = user.post("/api/v1/workflows/locked/launches", json={}).json()["launch_id"]
    wait_until(lambda: stack.psql("SELECT 1 FROM task_runs WHERE launch_id = :'p1' AND state = 'running'", launch_id),
               what="the run to start")

    claimer = Session(stack.owner_url)
    try:
        claimer.run("BEGIN;")
        claimer.run(f"SELECT id FROM task_runs WHERE launch_id = '{launch_id}' FOR UPDATE;")  # the claim's row locks
        answer = {}
        cancel = threading.Thread(target=lambda: answer.update(r=user.post(f"/api/v1/launches/{launch_id}/cancel", timeout=30)))
        cancel.start()
        # The cancel holds the launch and waits for the run; the claimer then takes the completer's launch lock: a
        # cycle. Both in one server-side statement, so the claimer starts waiting milliseconds after the cancel did:
        # the cancel's deadlock check (deadlock_timeout, 1 s, after its wait began) must come first, and psql round
        # trips between the two took more than that at load (the claimer was then the victim).
        claimer.run(f"""DO $$ BEGIN
            LOOP
                PERFORM pg_stat_clear_snapshot();
                EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%task_runs%cancelled%');
                PERFORM pg_sleep(0.005);
            END LOOP;
            PERFORM 1 FROM launches WHERE id = '{launch_id}' FOR UPDATE;
        END $$;""")
        claimer.run("COMMIT;")
        cancel.join(timeout=30)
    finally:
        claimer.close()
        requests.post(functions.url + "_open/" + gate, timeout=10)  # frees the function server's thread
    assert answer["r"].status_code == 202, answer["r"].text
    assert answer["r"].json()["state"] == "cancelled"
    status = user.get("/api/v1/launches/" + launch_id).json()
    assert status["state"] == "cancelled" and status["tasks"][0]["state"] == "cancelled"
