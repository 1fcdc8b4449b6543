"""Browser test (Chromium, fresh profile) of the status page's deep link opened as a same-document hash change
(`#launch=<id>`, no reload) right after signing in through the form, and again after signing out and in: the page
opens each launch it is pointed at, without a reload."""
import pytest
from selenium.webdriver.common.by import By

from test_browser import browser, sign_in, signed_in_as, visible, wait  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.timeout(180)


def waiting_launch(user, workflow_id):
    r = user.post("/api/v1/workflows/" + workflow_id + "/launches", json={})
    assert r.status_code == 202, r.text
    return r.json()["launch_id"]


def shows(driver, launch_id):
    """The detail pane shows this launch, loaded (its state comes from the launch's status)."""
    return (driver.find_element(By.ID, "detail-id").text == launch_id
            and driver.find_element(By.ID, "launch-state").get_attribute("data-state") == "running")


def test_a_hash_change_right_after_sign_in_opens_the_launch(stack, user, browser):
    driver = browser
    # A signal task waits for its signal: the launches stay live (their streams open) and cost nothing to run.
    assert user.post("/api/v1/workflows", json={"workflow_id": "deep_link", "tasks": [
        {"id": "1", "type": "signal", "successors": [], "properties": {"position": "start"}}]}).status_code == 201
    launches = [waiting_launch(user, "deep_link") for _ in range(3)]

    for round_, launch_id in enumerate(launches):
        if round_:
            driver.find_element(By.ID, "signout-button").click()
            visible(driver, "signin-form")
        sign_in(driver, stack, user.username, user.password)
        signed_in_as(driver, user.username)
        # Set once per document: a reload would drop it, so finding it below proves the hash change was followed
        # in place.
        driver.execute_script("window.__sameDocument = true;")
        driver.get(f"{stack.url}/#launch={launch_id}")
        visible(driver, "launch-detail")
        wait(driver).until(lambda d: shows(d, launch_id))
        # A second hash change in the same document moves to another launch.
        other = launches[(round_ + 1) % len(launches)]
        driver.get(f"{stack.url}/#launch={other}")
        wait(driver).until(lambda d: shows(d, other))
        assert driver.execute_script("return window.__sameDocument === true;"), "the page reloaded"
