"""Browser test of the status page's live logs (issue 16): a running task's stderr followed with the Follow toggle,
line by line over the SSE log stream (one request), until the run ends (the toggle then clears itself); and one
stream chosen with the selector."""
import hashlib

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser import browser, click_node, sign_in, signed_in_as, visible, wait  # noqa: F401 (browser: fixture)
from test_run_logs import GATED
from sweep_fixtures import zip_of

pytestmark = pytest.mark.timeout(120)


def logs_text(driver):
    return driver.find_element(By.ID, "run-logs").text


def start_gated(user, gate, workflow_id):
    """A task that prints its first line, then waits until the test uploads the artifact `gate`, then prints its
    second line and ends (the page is checked between the two, however slow the machine)."""
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    assert user.post("/api/v1/functions", json={"id": "gated", "destination_id": "here", "function_name": "gated",
                                                 "runtime": "python3.8"}).status_code in (201, 409)
    assert user.put("/api/v1/functions/gated/code", data=zip_of({"main.py": GATED}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    assert user.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "gated", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"gate": gate, "key": user.key}}}]}).status_code == 201
    r = user.post(f"/api/v1/workflows/{workflow_id}/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def test_follow_toggle_shows_a_running_tasks_lines_as_they_come(stack, user, browser):
    sign_in(browser, stack, user.username, user.password)
    signed_in_as(browser, user.username)
    launch_id = start_gated(user, "page-follow-gate", "page_follow")
    browser.get(f"{stack.url}/#launch={launch_id}")
    click_node(browser, "1")
    visible(browser, "run-panel")
    Select(browser.find_element(By.ID, "run-logs-stream")).select_by_value("stderr")
    browser.find_element(By.ID, "run-logs-follow").click()
    wait(browser).until(lambda d: "first line" in logs_text(d))
    # Shown while the task still works on (held at its gate): the second line has not come yet.
    assert "second line" not in logs_text(browser)
    assert user.get(f"/api/v1/launches/{launch_id}").json()["tasks"][0]["state"] == "running"
    upload = user.put("/api/v1/artifacts/page-follow-gate", data=b"go", headers={"X-Sweep-Sha256": hashlib.sha256(b"go").hexdigest()})
    assert upload.status_code == 201, upload.text
    wait(browser, 60).until(lambda d: "second line" in logs_text(d))
    assert logs_text(browser) == "first line\nsecond line"
    wait(browser).until(lambda d: not d.find_element(By.ID, "run-logs-follow").is_selected())
    # One request carried both lines and the end: the SSE log stream, not a long poll per line.
    follows = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        ".filter(function (n) { return n.indexOf('follow=true') >= 0; });")
    assert len(follows) == 1 and "wait=" not in follows[0] and "offset=" not in follows[0], follows
    # One stream on demand: the function's stdout is its own print (its result is its output, not a log).
    Select(browser.find_element(By.ID, "run-logs-stream")).select_by_value("stdout")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "run-logs"), "all done"))
