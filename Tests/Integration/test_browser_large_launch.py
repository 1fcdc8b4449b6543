"""Browser test of the status page at scale: a 100,000-replica launch shows per-task counts (not 100,000 nodes)
and a given replica is found by name in under 2 s. Headless Chromium driven by Selenium against the real stack.

Building 100,000 runs through the API (chunked expansion, README "Huge launches") takes minutes of a loaded 2-core
test machine with debug binaries, so the test launches a small real launch of the same shape, cancels it, and
copies its real rows to 100,000 runs with SQL (every column copied, only names and edges changed). Everything the
page shows then comes through the real API from real rows. The real 100,000-replica launch is `make bench --only
huge`."""
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from sweep_fixtures import register_http_functions
from test_browser import browser, sign_in, signed_in_as, visible, wait  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.timeout(120)

WIDTH = 20_000              # replicas of task 1
FOLLOWERS = 4               # replicas of task 2 per replica of task 1: 20,000 + 80,000 = 100,000 runs
COUNTS = {"1": WIDTH, "2": WIDTH * FOLLOWERS}
REAL = 3                    # replicas of task 1 the real launch makes


def letters(index):
    """API.md naming: A..Z, AA, AB, … (bijective base 26) for the replica at 0-based `index`."""
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def sql_text_array(values):
    return "ARRAY[" + ",".join("'" + v + "'" for v in values) + "]::text[]"


def grow_to_100000_runs(stack, launch_id):
    """Copies the launch's real rows 1_A (to 1_<X>) and 2_A_A (to 2_<X>_<m>) with SQL, edges included."""
    ones = [letters(i) for i in range(REAL, WIDTH)]
    twos = [f"{x}_{letters(m)}" for x in ones for m in range(FOLLOWERS)]
    # Generated columns (migration 0017's executor_type, executor_priority) take no value of their own.
    [[columns]] = stack.psql("""
        SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'task_runs' AND is_generated = 'NEVER'""")
    picked = ", ".join("r." + c for c in columns.split(", "))
    stack.psql(f"""
        -- LATERAL: `(f(t)).*` would call f once per column.
        INSERT INTO task_runs ({columns})
        SELECT {picked} FROM task_runs t, unnest({sql_text_array(ones)}) AS x,
             LATERAL jsonb_populate_record(t, jsonb_build_object(
                 'id', nextval('task_runs_id_seq'), 'name', '1_' || x,
                 'successors', (SELECT jsonb_agg('2_' || x || '_' || m) FROM unnest(ARRAY['A','B','C','D']) m))) AS r
        WHERE t.launch_id = '{launch_id}' AND t.name = '1_A';
        INSERT INTO task_runs ({columns})
        SELECT {picked} FROM task_runs t, unnest({sql_text_array(twos)}) AS x,
             LATERAL jsonb_populate_record(t, jsonb_build_object(
                 'id', nextval('task_runs_id_seq'), 'name', '2_' || x,
                 'predecessors', jsonb_build_array('1_' || split_part(x, '_', 1)))) AS r
        WHERE t.launch_id = '{launch_id}' AND t.name = '2_A_A';
        UPDATE launches SET total_runs = {WIDTH * (1 + FOLLOWERS)}, finished_runs = {WIDTH * (1 + FOLLOWERS)}
        WHERE id = '{launch_id}';
        ANALYZE task_runs;
    """)


def test_a_100000_replica_launch_stays_usable_and_finds_a_replica_by_name(stack, user, functions, browser):
    driver = browser
    register_http_functions(user, functions.url, ["slow", "noop"])
    tasks = [{"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": ["2"],
              "properties": {"position": "start", "scatter": "launch_input['items']", "static_input": {"seconds": 30}}},
             {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
              "properties": {"follow": "1", "multiplicity": FOLLOWERS}}]
    r = user.post("/api/v1/workflows", json={"workflow_id": "huge", "config": {"max_task_concurrency": 1}, "tasks": tasks})
    assert r.status_code == 201, r.text
    r = user.post("/api/v1/workflows/huge/launches", json={"input": {"items": list(range(REAL))}})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    assert user.post(f"/api/v1/launches/{launch_id}/cancel").status_code == 202
    try:
        grow_to_100000_runs(stack, launch_id)
        status = user.get("/api/v1/launches/" + launch_id, timeout=30).json()
        assert status["progress"]["total"] == 100_000, status["progress"]
        assert status["tasks_truncated"] is True and len(status["tasks"]) == 1_000
        assert {t: sum(c.values()) for t, c in status["task_counts"].items()} == COUNTS

        # The browser profile folder is shared with the other browser test: start signed out.
        driver.get(stack.url + "/")
        driver.delete_all_cookies()
        driver.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
        sign_in(driver, stack, user.username, user.password)
        signed_in_as(driver, user.username)
        driver.get(f"{stack.url}/#launch={launch_id}")
        visible(driver, "large-launch")
        wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#task-counts tbody tr")) == len(COUNTS))
        row = driver.find_element(By.CSS_SELECTOR, '#task-counts tbody tr[data-task-id="2"]')
        assert str(WIDTH * FOLLOWERS) in row.text
        # The page holds per-task aggregates and the first runs, not a node per run.
        assert driver.execute_script("return document.getElementsByTagName('*').length") < 20_000
        assert int(driver.find_element(By.ID, "detail-progress").get_attribute("max")) == 100_000

        name = f"2_{letters(17_345)}_C"  # far beyond the first 1,000 runs
        field = driver.find_element(By.ID, "find-run-name")
        field.clear()
        field.send_keys(name)
        started = time.monotonic()
        driver.find_element(By.CSS_SELECTOR, '#find-run button[type="submit"]').click()
        wait(driver).until(EC.text_to_be_present_in_element((By.ID, "run-id"), name))
        elapsed = time.monotonic() - started
        assert driver.find_element(By.ID, "run-panel").is_displayed()
        assert driver.find_element(By.ID, "run-state").get_attribute("data-state") == "cancelled"
        assert f"1_{letters(17_345)}" in driver.find_element(By.ID, "run-preds").text
        assert elapsed < 2.0, f"finding {name} took {elapsed:.2f} s"

        field = driver.find_element(By.ID, "find-run-name")
        field.clear()
        field.send_keys("2_NOPE")
        driver.find_element(By.CSS_SELECTOR, '#find-run button[type="submit"]').click()
        wait(driver).until(EC.text_to_be_present_in_element((By.ID, "find-run-result"), "No run named 2_NOPE"))
    finally:
        stack.psql(f"DELETE FROM launches WHERE id = '{launch_id}'")
