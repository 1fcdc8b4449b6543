"""Browser test of the status page (public/): headless Chromium driven by Selenium against the real stack.

Signs in through the form (a wrong password first), launches a scatter workflow from the page, watches the DAG
follow the launch live over SSE until every run succeeded (no reload), opens a run's details, saves a screenshot,
and checks that another user sees nothing of the first user's (list, select, or a deep link to the launch).

Synchronisation is by WebDriverWait on page conditions only (no sleeps). Needs chromium and chromium-driver
(scripts/install-deps.sh --test) and selenium (Tests/requirements.txt); without them the test fails, never skips.
"""
import json
import os
import shutil
import tempfile
import uuid

import pytest
import requests

from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException, StaleElementReferenceException,  # noqa: E402
                                        WebDriverException)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from sweep_fixtures import SEED_FUNCTIONS, register_http_functions, seed_example  # noqa: E402

pytestmark = pytest.mark.timeout(120)

WAIT = 20  # seconds for any single page condition
EXPECTED_RUNS = ["1", "2_A", "2_B", "2_C", "3"]


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def output_dir():
    base = os.environ.get("SWEEP_TEST_OUTPUT") or os.path.join(os.path.dirname(__file__), ".test-output")
    path = os.path.join(base, "browser")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def browser(monkeypatch):
    driver_path = shutil.which("chromedriver")
    binary = chromium_binary()
    if not driver_path or not binary:
        pytest.fail("chromium and chromium-driver are not installed (scripts/install-deps.sh --test installs them)")
    out = output_dir()
    # Keep Chromium's profile, caches and temporary files inside the test output, out of the home folder: the
    # driver (and the browser it starts) get their own environment; Selenium Manager never goes online.
    monkeypatch.setenv("SE_OFFLINE", "true")
    # A fresh profile per test: cookies ignore the port, so one test's session cookie would reach the next stack.
    profile = tempfile.mkdtemp(prefix="profile-", dir=out)
    env = dict(os.environ, SE_OFFLINE="true")
    for var, sub in (("TMPDIR", "tmp"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        env[var] = os.path.join(out, sub)
        os.makedirs(env[var], exist_ok=True)
    options = Options()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-extensions", "--disable-sync"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver_path, log_output=os.path.join(out, "chromedriver.log"), env=env)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        try:
            with open(os.path.join(out, "console.log"), "a") as f:
                for entry in driver.get_log("browser"):
                    f.write(json.dumps(entry) + "\n")
        except WebDriverException:
            pass
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# --- page helpers -----------------------------------------------------------------------------------------------

def wait(driver, timeout=WAIT):
    return WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,))


def visible(driver, element_id):
    return wait(driver).until(EC.visibility_of_element_located((By.ID, element_id)))


def sign_in(driver, stack, username, password):
    driver.get(stack.url + "/")
    visible(driver, "signin-form")
    u = driver.find_element(By.ID, "signin-username")
    p = driver.find_element(By.ID, "signin-password")
    u.clear()
    u.send_keys(username)
    p.clear()
    p.send_keys(password)
    driver.find_element(By.ID, "signin-submit").click()


def signed_in_as(driver, username):
    visible(driver, "app-section")
    wait(driver).until(EC.text_to_be_present_in_element((By.ID, "current-user"), username))


def act(driver, action):
    """Runs action(driver) until it goes through: live updates re-render lists and the DAG, which can replace or
    move an element between finding it and acting on it."""
    def attempt(d):
        action(d)
        return True
    WebDriverWait(driver, WAIT, poll_frequency=0.05,
                  ignored_exceptions=(StaleElementReferenceException, ElementClickInterceptedException)).until(attempt)


def node_css(run_id):
    return f'#dag g[data-testid="dag-node"][data-run-id="{run_id}"]'


def click_node(driver, run_id):
    act(driver, lambda d: d.find_element(By.CSS_SELECTOR, node_css(run_id)).click())


def press_enter_on_node(driver, run_id):
    def press(d):
        node = d.find_element(By.CSS_SELECTOR, node_css(run_id))
        assert node.get_attribute("role") == "button" and node.get_attribute("tabindex") == "0"
        d.execute_script("arguments[0].focus()", node)
        node.send_keys(Keys.ENTER)
    act(driver, press)


def node_states(driver):
    """{run_id: data-state} of the DAG's run nodes, read in one script call (no stale elements)."""
    return driver.execute_script(
        "var m = {}; document.querySelectorAll('#dag g[data-testid=\"dag-node\"]').forEach(function (g) {"
        " m[g.getAttribute('data-run-id')] = g.getAttribute('data-state'); }); return m;")


def register_scatter_workflow(client, functions, workflow_id, seconds, last_gate):
    """Seed example2's shape (1 -> scatter 2 over 1's tiles -> 3) with the slow function in 2; 3 runs until the
    test opens its gate (the page is checked while the launch still runs, however slow the machine)."""
    register_http_functions(client, functions.url, ["firstFunc", "slow", "gate"])
    slow = {"static_input": {"seconds": seconds}}
    definition = {
        "workflow_id": workflow_id,
        "config": {},
        "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "firstFunc", "priority": 1}],
             "successors": ["2"], "properties": {"position": "start"}},
            {"id": "2", "execution_configurations": [{"function_def_id": "slow", "priority": 1}],
             "successors": ["3"], "properties": {"scatter": "predecessor_outputs['1']['tile']", **slow}},
            {"id": "3", "execution_configurations": [{"function_def_id": "gate", "priority": 1}],
             "successors": [], "properties": {"static_input": {"gate": last_gate}}},
        ],
    }
    r = client.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text


# --- the test ---------------------------------------------------------------------------------------------------

def test_status_page_end_to_end(stack, user, other_user, functions, browser):
    driver = browser
    workflow_id = "browser-scatter"
    # The seed's scatter example as is, and the same shape with slow functions (so the page sees it run).
    register_http_functions(user, functions.url, SEED_FUNCTIONS)
    assert user.post("/api/v1/workflows", json=seed_example("example2")).status_code == 201
    last_gate = f"browser-scatter-3-{uuid.uuid4().hex}"
    register_scatter_workflow(user, functions, workflow_id, seconds=1, last_gate=last_gate)

    # 1. A wrong password shows the error box (role=alert) and no app.
    sign_in(driver, stack, user.username, user.password + "-wrong")
    error = visible(driver, "signin-error")
    assert error.get_attribute("role") == "alert"
    wait(driver).until(lambda d: d.find_element(By.ID, "signin-error").text.strip() != "")
    assert error.get_attribute("data-code") == "invalid_credentials", error.text
    assert not driver.find_element(By.ID, "app-section").is_displayed()
    assert not driver.find_element(By.ID, "session-box").is_displayed()

    # ... then the right one signs in and hides the error.
    sign_in(driver, stack, user.username, user.password)
    signed_in_as(driver, user.username)
    assert not driver.find_element(By.ID, "signin-error").is_displayed()
    assert not driver.find_element(By.ID, "signin-section").is_displayed()

    # 2. Launch the scatter workflow from the page. Both of the user's workflows are listed and selectable.
    wait(driver).until(lambda d: {"example2", workflow_id} <= {
        o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#launch-workflow option")})
    assert driver.find_elements(By.CSS_SELECTOR, 'li[data-testid="workflow-item"][data-workflow-id="example2"]')
    item_css = f'li[data-testid="workflow-item"][data-workflow-id="{workflow_id}"]'
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, item_css)))
    act(driver, lambda d: d.find_element(By.CSS_SELECTOR, item_css + ' button[data-testid="workflow-launch"]').click())
    assert Select(driver.find_element(By.ID, "launch-workflow")).first_selected_option.get_attribute("value") == workflow_id
    Select(driver.find_element(By.ID, "launch-workflow")).select_by_value(workflow_id)
    ta = driver.find_element(By.ID, "launch-input")
    ta.clear()
    ta.send_keys("{}")
    driver.find_element(By.ID, "launch-submit").click()

    # The launch opens by itself (and the URL carries its id); its row appears in the table.
    detail = visible(driver, "launch-detail")
    launch_id = wait(driver).until(lambda d: (d.execute_script("return location.hash") or "").startswith("#launch=")
                                   and d.execute_script("return location.hash").split("=", 1)[1])
    assert detail.find_element(By.ID, "detail-id").text == launch_id
    row_css = f'#launch-list tr[data-testid="launch-row"][data-launch-id="{launch_id}"]'
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, row_css)))
    # Open it from the table as a user would (the same launch: reopening starts a fresh stream).
    act(driver, lambda d: d.find_element(By.CSS_SELECTOR, row_css + ' button[data-testid="launch-open"]').click())
    wait(driver).until(EC.text_to_be_present_in_element((By.ID, "detail-id"), launch_id))
    api_launch = user.get(f"/api/v1/launches/{launch_id}").json()
    assert api_launch["workflow_id"] == workflow_id and api_launch["input"] == {}

    # Live: the stream connects while the launch still runs, and the page sees intermediate states.
    seen = {}  # run id -> set of states observed in the page

    def observe(d):
        states = node_states(d)
        for run_id, s in states.items():
            seen.setdefault(run_id, set()).add(s)
        return states

    wait(driver).until(lambda d: observe(d) is not None
                       and d.find_element(By.ID, "sse-status").get_attribute("data-state") == "live")
    driver.execute_script("window.__sweepNoReload = true")  # gone if the page reloads

    # 3a. While task 3 runs (held at its gate), select the finished replica 2_A with the keyboard (Enter): its output
    # shows at once, before the launch ends (task events carry no outputs: the page must fetch them).
    wait(driver).until(lambda d: observe(d).get("2_A") == "succeeded")
    press_enter_on_node(driver, "2_A")
    visible(driver, "run-panel")
    wait(driver).until(lambda d: d.find_element(By.ID, "run-id").text == "2_A")
    shown_while = {}

    def replica_output(d):
        observe(d)
        text = d.find_element(By.ID, "run-output").text.strip()
        if not text.startswith("{"):
            return False
        shown_while["launch"] = d.find_element(By.ID, "launch-state").get_attribute("data-state")
        return text

    assert json.loads(wait(driver).until(replica_output)) == {"slept": 1}
    assert driver.find_element(By.ID, "run-state").get_attribute("data-state") == "succeeded"
    assert '"tile_id": 1' in driver.find_element(By.ID, "run-input").text
    assert shown_while["launch"] == "running", "2_A's output only showed once the launch had ended"
    requests.post(functions.url + "_open/" + last_gate, timeout=10).raise_for_status()

    def all_succeeded(d):
        states = observe(d)
        return sorted(states) == sorted(EXPECTED_RUNS) and all(s == "succeeded" for s in states.values())

    wait(driver, 40).until(all_succeeded)
    wait(driver).until(lambda d: d.find_element(By.ID, "launch-state").get_attribute("data-state") == "succeeded")
    # Not a reload: the same document all along.
    assert driver.execute_script("return window.__sweepNoReload === true")
    intermediate = {r for r, states in seen.items() if states - {"succeeded"}}
    assert intermediate, f"the page never showed a run before it succeeded: {seen}"
    assert any({"running", "scheduled", "pending"} & seen.get(r, set()) for r in ("2_A", "2_B", "2_C", "3")), seen
    # The table row and the progress follow too.
    wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, row_css).get_attribute("data-state") == "succeeded")
    assert "5 of 5 runs finished" in driver.find_element(By.ID, "detail-progress-text").text
    assert user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded"

    # 3b. Click runs of the finished launch: run 1's output (the tiles), then replica 2_B's output and input.
    click_node(driver, "1")
    wait(driver).until(lambda d: d.find_element(By.ID, "run-id").text == "1")
    out = json.loads(wait(driver).until(lambda d: d.find_element(By.ID, "run-output").text.strip().startswith("{")
                                        and d.find_element(By.ID, "run-output").text))
    assert out["tile"] == [{"tile_id": 1}, {"tile_id": 2}, {"tile_id": 3}]
    click_node(driver, "2_B")
    wait(driver).until(lambda d: d.find_element(By.ID, "run-id").text == "2_B")
    out = json.loads(wait(driver).until(lambda d: d.find_element(By.ID, "run-output").text.strip().startswith("{")
                                        and d.find_element(By.ID, "run-output").text))
    assert out == {"slept": 1}
    run_input = driver.find_element(By.ID, "run-input").text
    assert '"tile_id": 2' in run_input, run_input
    assert driver.find_element(By.CSS_SELECTOR, '#dag g[data-run-id="2_B"]').get_attribute("aria-pressed") == "true"

    # 4. Screenshot of the finished launch (DAG, arrows, colours, legend, run panel).
    driver.execute_script("document.getElementById('launch-detail').scrollIntoView({block: 'start'})")
    ActionChains(driver).move_to_element(driver.find_element(By.ID, "dag-heading")).perform()  # no hover on a node
    # Arrows reach the replicas inside their group's frame (the frame is drawn beneath the edges).
    assert driver.execute_script(
        "var f = document.querySelector('#dag [data-group-frame]'), e = document.querySelector('#dag .dag-edge');"
        "return !!f && !!e && !!(f.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);")
    shot = os.path.join(output_dir(), "launch.png")
    assert driver.save_screenshot(shot) and os.path.getsize(shot) > 10_000

    # 5. Another user sees nothing of the first user's.
    driver.find_element(By.ID, "signout-button").click()
    visible(driver, "signin-form")
    sign_in(driver, stack, other_user.username, other_user.password)
    signed_in_as(driver, other_user.username)
    wait(driver).until(lambda d: d.find_element(By.ID, "workflows-empty").is_displayed())
    wait(driver).until(lambda d: d.find_element(By.ID, "launches-empty").is_displayed())
    assert not driver.find_elements(By.CSS_SELECTOR, item_css)
    assert not driver.find_elements(By.CSS_SELECTOR, row_css)
    options = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#launch-workflow option")]
    assert workflow_id not in options and "example2" not in options
    assert not driver.find_elements(By.CSS_SELECTOR, 'li[data-testid="workflow-item"]')
    assert workflow_id not in driver.find_element(By.ID, "app-section").text

    # A deep link to the first user's launch: a not-found message, no data.
    driver.get(f"{stack.url}/#launch={launch_id}")
    signed_in_as(driver, other_user.username)
    err = visible(driver, "detail-error")
    wait(driver).until(lambda d: "not found" in d.find_element(By.ID, "detail-error").text.lower())
    assert err.get_attribute("data-code"), err.text
    assert not driver.find_elements(By.CSS_SELECTOR, '#dag g[data-testid="dag-node"]')
    detail_text = driver.find_element(By.ID, "launch-detail").text
    assert workflow_id not in detail_text and "tile_id" not in detail_text
    assert driver.find_element(By.ID, "launch-state").get_attribute("data-state") in (None, "")
