"""Browser test of the status page's live logs (issue 16): a running task's stderr followed with the Follow toggle,
line by line over the SSE log stream (one request), until the run ends (the toggle then clears itself); and one
stream chosen with the selector."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser import browser, click_node, sign_in, signed_in_as, visible, wait  # noqa: F401 (browser: fixture)
from test_run_logs import start_slow

pytestmark = pytest.mark.timeout(120)


def logs_text(driver):
    return driver.find_element(By.ID, "run-logs").text


def test_follow_toggle_shows_a_running_tasks_lines_as_they_come(stack, user, browser):
    # Signed in first, so the task's pause between its lines (6 s) only has to cover opening the run and ticking
    # Follow, even on a loaded machine.
    sign_in(browser, stack, user.username, user.password)
    signed_in_as(browser, user.username)
    launch_id = start_slow(user, 6, "page_follow")
    browser.get(f"{stack.url}/#launch={launch_id}")
    click_node(browser, "1")
    visible(browser, "run-panel")
    Select(browser.find_element(By.ID, "run-logs-stream")).select_by_value("stderr")
    browser.find_element(By.ID, "run-logs-follow").click()
    wait(browser).until(lambda d: "first line" in logs_text(d))
    # Shown while the task still works on: the second line has not come yet.
    assert "second line" not in logs_text(browser)
    assert user.get(f"/api/v1/launches/{launch_id}").json()["tasks"][0]["state"] == "running"
    wait(browser, 60).until(lambda d: "second line" in logs_text(d))
    assert logs_text(browser) == "first line\nsecond line"
    wait(browser).until(lambda d: not d.find_element(By.ID, "run-logs-follow").is_selected())
    # One request carried both lines and the end: the SSE log stream, not a long poll per line.
    follows = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
        ".filter(function (n) { return n.indexOf('follow=true') >= 0; });")
    assert len(follows) == 1 and "wait=" not in follows[0] and "offset=" not in follows[0], follows
    # One stream on demand: the function's stdout is its JSON result.
    Select(browser.find_element(By.ID, "run-logs-stream")).select_by_value("stdout")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "run-logs"), '{"done": true}'))
