"""Browser tests (Chromium, fresh profile) of the status page following a launch live: a re-run
(POST /launches/{id}/rerun, made elsewhere) is followed without a reload when the page watched the launch end, when it
opened the launch after its end, and when it opens the launch while the re-run runs (its stream holds the old end
first). (The log Follow toggle's SSE stream is tested in test_browser_logs.py.)"""
import uuid

import pytest
import requests
from selenium.webdriver.common.by import By

from stack import wait_until
from sweep_fixtures import register_http_functions
from test_browser import browser, node_states, sign_in, signed_in_as, visible, wait  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.timeout(120)


def register_rerun_workflow(user, functions, workflow_id):
    """a -> b, where b waits at a gate per attempt (opened with `open_gate`): the page is checked while b runs,
    however slow the machine. Returns b's gate."""
    register_http_functions(user, functions.url, ["noop", "gate_attempt"])
    gate = f"{workflow_id}-{uuid.uuid4().hex}"
    definition = {"workflow_id": workflow_id, "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": ["b"],
         "properties": {"position": "start"}},
        {"id": "b", "execution_configurations": [{"function_def_id": "gate_attempt", "priority": 1}], "successors": [],
         "properties": {"static_input": {"gate": gate}}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    return gate


def open_gate(functions, gate, attempt):
    requests.post(f"{functions.url}_open/{gate}@{attempt}", timeout=10).raise_for_status()


def launch_state(driver):
    return driver.find_element(By.ID, "launch-state").get_attribute("data-state")


def run_attempt(user, launch_id, run_id):
    return next(t for t in user.get(f"/api/v1/launches/{launch_id}").json()["tasks"] if t["run_id"] == run_id)


def open_page(browser, stack, user, launch_id):
    sign_in(browser, stack, user.username, user.password)
    signed_in_as(browser, user.username)
    browser.get(f"{stack.url}/#launch={launch_id}")
    visible(browser, "launch-detail")
    # Set once: a reload would drop it, so finding it at the end proves the page followed without one.
    browser.execute_script("window.__sameDocument = true;")


def follow_rerun(browser, user, functions, gate, launch_id):
    """The page shows b running again (the launch too), then the re-run's new end, with no reload."""
    wait(browser, 30).until(lambda d: launch_state(d) == "running" and node_states(d).get("b") == "running")
    open_gate(functions, gate, run_attempt(user, launch_id, "b")["attempt"])
    # Only once the re-run has ended (so a replayed old end, shown for a moment, cannot pass for the new one).
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=60, what="the re-run's end")
    wait(browser, 30).until(lambda d: launch_state(d) == "succeeded" and node_states(d).get("b") == "succeeded")
    assert node_states(browser) == {"a": "succeeded", "b": "succeeded"}
    assert browser.execute_script("return window.__sameDocument === true;")


def test_the_page_follows_a_rerun_of_the_launch_it_watched_end(stack, user, functions, browser):
    gate = register_rerun_workflow(user, functions, "page_rerun_watched")
    launch_id = user.post("/api/v1/workflows/page_rerun_watched/launches", json={}).json()["launch_id"]
    open_page(browser, stack, user, launch_id)
    open_gate(functions, gate, 1)
    wait(browser, 60).until(lambda d: launch_state(d) == "succeeded" and node_states(d).get("b") == "succeeded")
    assert user.post(f"/api/v1/launches/{launch_id}/rerun", json={"tasks": ["b"]}).status_code == 202
    follow_rerun(browser, user, functions, gate, launch_id)
    assert run_attempt(user, launch_id, "a")["attempt"] == 1, "a was not run again"


def test_the_page_follows_a_rerun_of_a_launch_opened_after_its_end(stack, user, functions, browser):
    gate = register_rerun_workflow(user, functions, "page_rerun_ended")
    open_gate(functions, gate, 1)
    launch_id = user.post("/api/v1/workflows/page_rerun_ended/launches", json={"wait": 30}).json()["launch_id"]
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"
    open_page(browser, stack, user, launch_id)
    wait(browser).until(lambda d: launch_state(d) == "succeeded" and node_states(d).get("b") == "succeeded")
    # The page watches the user's stream from the launch's last event on, so a re-run made before that stream
    # connects is replayed to it, not missed.
    assert user.post(f"/api/v1/launches/{launch_id}/rerun", json={"tasks": ["b"]}).status_code == 202
    follow_rerun(browser, user, functions, gate, launch_id)


def test_a_page_opened_during_a_rerun_follows_it_past_the_old_end(stack, user, functions, browser):
    gate = register_rerun_workflow(user, functions, "page_rerun_opened")
    open_gate(functions, gate, 1)
    launch_id = user.post("/api/v1/workflows/page_rerun_opened/launches", json={"wait": 30}).json()["launch_id"]
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"
    assert user.post(f"/api/v1/launches/{launch_id}/rerun", json={"tasks": ["b"]}).status_code == 202
    # The launch's event history now holds its first end, then launch.rerun and the re-run's events.
    open_page(browser, stack, user, launch_id)
    follow_rerun(browser, user, functions, gate, launch_id)
