"""Browser test (Chromium) of exact numbers on the status page (README "Numbers are kept exactly"): a launch whose
input and output hold numbers a double cannot (2**64-sized integers, 30-digit decimals) shows them digit for digit,
where JSON.parse alone would show 12345678901234567000 and 3.141592653589793."""
import pytest
from selenium.webdriver.common.by import By

from stack import wait_until
from sweep_fixtures import register_http_functions
from test_browser import browser, sign_in, signed_in_as, visible, wait  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.timeout(180)

LAUNCH_INPUT = '{"big": 18446744073709551617, "pi": 3.14159265358979323846264338462643383279, "plain": 1.5}'


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).get_attribute("textContent")


def test_the_status_page_shows_exact_numbers(stack, user, functions, browser):
    driver = browser
    register_http_functions(user, functions.url, ["exact_numbers"])
    assert user.post("/api/v1/workflows", json={"workflow_id": "exact_page", "tasks": [
        {"id": "a", "execution_configurations": [{"function_def_id": "exact_numbers", "priority": 1}],
         "successors": [], "properties": {"position": "start"}}]}).status_code == 201
    r = user.post("/api/v1/workflows/exact_page/launches", data='{"input": ' + LAUNCH_INPUT + "}",
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 202, r.text
    launch_id = r.json()["launch_id"]
    wait_until(lambda: user.get(f"/api/v1/launches/{launch_id}").json()["state"] == "succeeded", timeout=60,
               what="the launch to succeed")

    sign_in(driver, stack, user.username, user.password)
    signed_in_as(driver, user.username)
    driver.get(f"{stack.url}/#launch={launch_id}")
    visible(driver, "launch-detail")
    # textContent: the input and output sit in a collapsed section, whose text Selenium's .text leaves out.
    wait(driver).until(lambda d: "12345678901234567890" in text_of(d, "detail-output"))
    output = text_of(driver, "detail-output")
    assert "-98765432109876543210987654321" in output and "3.14159265358979323846264338" in output
    assert "0.1" in output and "12345678901234567000" not in output
    shown_input = text_of(driver, "detail-input")
    assert "18446744073709551617" in shown_input and "3.14159265358979323846264338462643383279" in shown_input
    assert "1.5" in shown_input
