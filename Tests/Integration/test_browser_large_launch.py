"""Browser test of the status page at scale: a 100,000-replica launch shows per-task counts (not 100,000 nodes)
and a given replica is found by name in under 2 s. Headless Chromium driven by Selenium against the real stack."""
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sweep_fixtures import register_http_functions
from test_browser import browser, sign_in, signed_in_as, visible, wait  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.timeout(180)

WIDTH = 20_000              # the widest scatter allowed
FOLLOWERS = 4               # replicas of task 2 per replica of task 1: 20,000 + 80,000 = 100,000 runs
COUNTS = {"1": WIDTH, "2": WIDTH * FOLLOWERS}


def replica_name(task_id, index):
    """API.md naming: A..Z, AA, AB, … (bijective base 26) for the replica at 0-based `index`."""
    n, letters = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{task_id}_{letters}"


def test_a_100000_replica_launch_stays_usable_and_finds_a_replica_by_name(stack, user, functions, browser):
    driver = browser
    register_http_functions(user, functions.url, ["slow", "noop"])
    # Task 1 scatters over the launch input and task 2 follows each replica four times: both are planned when the
    # launch is created, so the API builds 100,000 runs. max_task_concurrency 1 and a slow function keep all but
    # one of them waiting (scheduled or pending), so the test executes almost nothing; it cancels the launch at the end.
    tasks = [{"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": ["2"],
              "properties": {"position": "start", "scatter": "launch_input['items']", "static_input": {"seconds": 60}}},
             {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
              "properties": {"follow": "1", "multiplicity": FOLLOWERS}}]
    assert user.post("/api/v1/workflows", json={"workflow_id": "huge", "config": {"max_task_concurrency": 1}, "tasks": tasks}).status_code == 201
    r = user.post("/api/v1/workflows/huge/launches", json={"input": {"items": list(range(WIDTH))}}, timeout=120)
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    try:
        status = user.get("/api/v1/launches/" + launch_id, timeout=30).json()
        assert status["progress"]["total"] == 100_000, status["progress"]
        assert status["tasks_truncated"] is True and len(status["tasks"]) == 1_000
        assert {t: sum(c.values()) for t, c in status["task_counts"].items()} == COUNTS

        sign_in(driver, stack, user.username, user.password)
        signed_in_as(driver, user.username)
        driver.get(f"{stack.url}/#launch={launch_id}")
        visible(driver, "large-launch")
        wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#task-counts tbody tr")) == len(COUNTS))
        row = driver.find_element(By.CSS_SELECTOR, '#task-counts tbody tr[data-task-id="2"]')
        assert str(WIDTH * FOLLOWERS) in row.text
        # The page holds per-task aggregates and the first runs, not a node per run.
        assert driver.execute_script("return document.getElementsByTagName('*').length") < 20_000
        progress = driver.find_element(By.ID, "detail-progress")
        assert int(progress.get_attribute("max")) == 100_000

        name = replica_name("2", 17_345) + "_C"  # far beyond the first 1,000 runs
        field = driver.find_element(By.ID, "find-run-name")
        field.clear()
        field.send_keys(name)
        started = time.monotonic()
        driver.find_element(By.CSS_SELECTOR, '#find-run button[type="submit"]').click()
        wait(driver).until(EC.text_to_be_present_in_element((By.ID, "run-id"), name))
        elapsed = time.monotonic() - started
        assert driver.find_element(By.ID, "run-panel").is_displayed()
        assert driver.find_element(By.ID, "run-state").get_attribute("data-state") in ("pending", "scheduled")
        assert elapsed < 2.0, f"finding {name} took {elapsed:.2f} s"

        driver.find_element(By.ID, "find-run-name").clear()
        driver.find_element(By.ID, "find-run-name").send_keys("2_NOPE")
        driver.find_element(By.CSS_SELECTOR, '#find-run button[type="submit"]').click()
        wait(driver).until(EC.text_to_be_present_in_element((By.ID, "find-run-result"), "No run named 2_NOPE"))
    finally:
        user.post(f"/api/v1/launches/{launch_id}/cancel", timeout=120)
