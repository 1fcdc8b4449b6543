"""Issue 10: bad input from outside is a 4xx at the edge, never a 500; login has one spelling and takes JSON only."""
import http.client
import json
import os
import subprocess

import pytest
import requests

from stack import Stack


def test_a_cursor_decoding_to_nul_is_a_400(user):
    r = user.get("/api/v1/destinations?cursor=ZLoAFgt1E0g")
    assert r.status_code == 400 and r.json()["error"]["field"] == "cursor", r.text
    # Decoding to invalid UTF-8 (0xFF 0xFE) is refused the same way.
    assert user.get("/api/v1/workflows?cursor=__4").status_code == 400


def test_nul_or_invalid_utf8_in_a_query_parameter_is_a_400(user):
    for query in ["state=%00", "workflow_id=a%00b", "workflow_id=%FF", "limit=%C3", "%00=1"]:
        r = user.get("/api/v1/launches?" + query)
        assert r.status_code == 400, (query, r.text)
        assert r.json()["error"]["code"] == "invalid_parameter"


def test_nul_or_invalid_utf8_in_a_path_segment_is_a_400(user):
    for path in ["/api/v1/launches/%FF", "/api/v1/destinations/%E2%82"]:
        r = user.get(path)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"]["code"] == "invalid_path"
    # nginx itself refuses a NUL in the path before the worker sees it, answering JSON as the API does.
    for path in ["/api/v1/workflows/%00", "/api/v1/workflows/a%00b"]:
        r = user.get(path)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", (path, r.text)


def test_invalid_utf8_in_a_header_is_a_400(user):
    r = user.get("/api/v1/me", headers={"X-Anything": b"caf\xe9"})
    assert r.status_code == 400 and r.json()["error"] == {
        "code": "invalid_header", "message": "header x-anything is not valid UTF-8 text without NUL", "field": "x-anything"}


def test_nul_in_a_json_string_is_a_400_naming_the_field(user):
    r = user.post("/api/v1/destinations", data=b'{"id":"d","cloud_provider":"http","base_url":"http://127.0.0.1:9/\\u0000"}',
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "/base_url", r.text
    r = user.post("/api/v1/destinations", data=b'{"id":"d","cloud_provider":"http","base_url":"\xff"}',
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"


def test_login_takes_json_only(stack, user):
    body = '{"username": "%s", "password": "%s"}' % (user.username, user.password)
    for content_type in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", None]:
        headers = {"Content-Type": content_type} if content_type else {}
        r = requests.post(stack.url + "/api/v1/auth/login", data=body, headers=headers)
        assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type", (content_type, r.text)
    r = requests.post(stack.url + "/api/v1/auth/login", data=body, headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def strict_stack(tmp_path_factory):
    """A stack of its own whose login limit admits one attempt a minute, so "shares the limit" is deterministic (its
    worker also has limit defaults from the environment, for the test below)."""
    old = {k: os.environ.get(k) for k in ("SWEEP_LOGIN_RATE", "SWEEP_LOGIN_BURST")}
    os.environ.update(SWEEP_LOGIN_RATE="1r/m", SWEEP_LOGIN_BURST="1")
    s = Stack(env={"SWEEP_LIMIT_LAUNCHES_IN_FLIGHT": "7", "SWEEP_LIMIT_STREAMS": "3"})
    try:
        s.start(schedulers=0)
        yield s
    finally:
        s.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def raw_post(stack, path, body):
    """POST with the path exactly as written (requests would normalise dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def test_every_spelling_of_login_meets_the_same_limit_or_a_404(strict_stack):
    user = strict_stack.create_user("speller")
    wrong = {"username": user.username, "password": "not the password"}
    # Use up this minute's attempts (one, plus a burst of one).
    first = [raw_post(strict_stack, "/api/v1/auth/login", wrong) for _ in range(3)]
    assert first[0] == 401 and first[-1] == 429, first
    spellings = ["/api/v1/auth/login", "/api/v1/auth/login/", "/api/v1/auth/login//", "//api/v1/auth/login", "/api//v1/auth/login",
                 "/api/v1/auth/./login", "/api/v1/auth/x/../login", "/api/v1/auth%2Flogin", "/api/v1/auth/%6Cogin",
                 "/api/v1/AUTH/login", "/API/v1/auth/login", "/api/v1/auth/LOGIN", "/api/v1/auth/login?x=1", "/api/v1/auth/login/."]
    answers = {path: raw_post(strict_stack, path, wrong) for path in spellings}
    assert all(status in (404, 429) for status in answers.values()), answers
    assert answers["/api/v1/auth/login"] == 429 and answers["/api/v1/auth/login/"] in (404, 429)


def test_limit_defaults_come_from_the_workers_environment(strict_stack):
    admin = strict_stack.create_user("chief", admin=True)
    strict_stack.create_user("plain")
    effective = admin.get("/api/v1/users/plain/limits").json()["effective"]
    assert effective["max_launches_in_flight"] == 7 and effective["max_streams"] == 3
    assert effective["max_replicas_per_launch"] == 100000 and effective["max_running_runs"] == 5000


def test_a_bad_limit_default_stops_the_worker_at_start(stack):
    env = stack.env(SWEEP_LIMIT_STREAMS="-3", SWEEP_DATABASE_URL="postgresql://127.0.0.1:1/nothing")
    result = subprocess.run([stack.binary("sweep-api"), "serve", "--socket", os.path.join(stack.workdir, "never.sock")],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "SWEEP_LIMIT_STREAMS" in result.stderr + result.stdout
