"""Issue 2: login, sessions, API keys, admin-only user management, error shapes, through nginx."""
import requests


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def test_health_needs_no_auth(stack):
    r = requests.get(stack.url + "/api/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_me_with_api_key(user):
    r = user.get("/api/v1/me")
    assert r.status_code == 200
    assert r.json() == {"username": user.username, "is_admin": False}


def test_no_credentials_is_401_json(stack):
    r = requests.get(stack.url + "/api/v1/me")
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"


def test_login_sets_strict_httponly_cookie_and_logout_revokes_it(stack, user):
    s = requests.Session()
    r = s.post(stack.url + "/api/v1/auth/login", json={"username": user.username, "password": user.password})
    assert r.status_code == 200
    assert r.json() == {"user": {"username": user.username, "is_admin": False}}
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("sweep_session=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert attribute in cookie
    token = s.cookies["sweep_session"]
    assert s.get(stack.url + "/api/v1/me").status_code == 200

    r = s.post(stack.url + "/api/v1/auth/logout", headers={"X-Requested-With": "sweep"})
    assert r.status_code == 204
    # The server revoked it: replaying the old cookie value no longer works.
    r = requests.get(stack.url + "/api/v1/me", cookies={"sweep_session": token})
    assert r.status_code == 401


def test_cookie_mutations_need_csrf_header(stack, user):
    s = requests.Session()
    s.post(stack.url + "/api/v1/auth/login", json={"username": user.username, "password": user.password}).raise_for_status()
    r = s.post(stack.url + "/api/v1/api-keys", json={"name": "x"})
    assert r.status_code == 403
    assert error_of(r)["code"] == "csrf_check_failed"
    r = s.post(stack.url + "/api/v1/api-keys", json={"name": "x"}, headers={"X-Requested-With": "sweep"})
    assert r.status_code == 201


def test_wrong_password_and_unknown_user_answer_identically(stack, user):
    a = requests.post(stack.url + "/api/v1/auth/login", json={"username": user.username, "password": "wrong-password"})
    b = requests.post(stack.url + "/api/v1/auth/login", json={"username": "nobody-at-all", "password": "wrong-password"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()
    assert error_of(a)["code"] == "invalid_credentials"
    assert "Set-Cookie" not in a.headers and "Set-Cookie" not in b.headers


def test_login_failures_are_rate_limited(stack, user):
    # 200 attempts arrive at once; the test stack allows a burst of 30 at 10/s per address, so many must be refused.
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_):
        return requests.post(stack.url + "/api/v1/auth/login", json={"username": user.username, "password": "nope-nope"})

    with ThreadPoolExecutor(max_workers=200) as pool:
        responses = list(pool.map(attempt, range(200)))
    limited = [r for r in responses if r.status_code == 429]
    assert len(limited) >= 50
    assert all(error_of(r)["code"] == "rate_limited" for r in limited)
    assert {r.status_code for r in responses} <= {401, 429}


def test_api_key_lifecycle(stack, user):
    r = user.post("/api/v1/api-keys", json={"name": "ci"})
    assert r.status_code == 201
    created = r.json()
    assert set(created) == {"id", "name", "key", "created_at", "last_used_at"}
    assert created["name"] == "ci" and len(created["key"]) >= 43

    listed = user.get("/api/v1/api-keys").json()
    assert listed["next_cursor"] is None or isinstance(listed["next_cursor"], str)
    entry = next(k for k in listed["items"] if k["id"] == created["id"])
    assert "key" not in entry and set(entry) == {"id", "name", "created_at", "last_used_at"}

    fresh = requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + created["key"]})
    assert fresh.status_code == 200

    assert user.delete("/api/v1/api-keys/" + created["id"]).status_code == 204
    revoked = requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + created["key"]})
    assert revoked.status_code == 401
    assert user.delete("/api/v1/api-keys/" + created["id"]).status_code == 404


def test_key_list_pages_with_cursor(user):
    for i in range(5):
        assert user.post("/api/v1/api-keys", json={"name": f"k{i}"}).status_code == 201
    seen, cursor = [], None
    while True:
        r = user.get("/api/v1/api-keys", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [k["id"] for k in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6  # five new keys and the one create-user made
    assert error_of(user.get("/api/v1/api-keys", params={"limit": 0}))["field"] == "limit"


def test_user_management_is_admin_only(stack, admin, user):
    for method, path, body in [("GET", "/api/v1/users", None),
                               ("POST", "/api/v1/users", {"username": "zed", "password": "long-enough-pw"}),
                               ("DELETE", "/api/v1/users/" + admin.username, None)]:
        r = user.request(method, path, json=body)
        assert r.status_code == 403, (method, path)
        assert error_of(r)["code"] == "admin_required"


def test_admin_creates_lists_and_deletes_users(stack, admin):
    r = admin.post("/api/v1/users", json={"username": "carol", "password": "correct horse battery"})
    assert r.status_code == 201 and r.json()["username"] == "carol" and r.json()["is_admin"] is False
    dup = admin.post("/api/v1/users", json={"username": "carol", "password": "correct horse battery"})
    assert dup.status_code == 409 and error_of(dup)["code"] == "user_exists"
    names = [u["username"] for u in admin.get("/api/v1/users", params={"limit": 500}).json()["items"]]
    assert "carol" in names
    login = requests.post(stack.url + "/api/v1/auth/login", json={"username": "carol", "password": "correct horse battery"})
    assert login.status_code == 200
    assert admin.delete("/api/v1/users/carol").status_code == 204
    assert admin.delete("/api/v1/users/carol").status_code == 404
    gone = requests.post(stack.url + "/api/v1/auth/login", json={"username": "carol", "password": "correct horse battery"})
    assert gone.status_code == 401


def test_malformed_json_wrong_types_and_oversized_bodies(stack, user):
    r = user.post("/api/v1/api-keys", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_of(r)["code"] == "malformed_json"
    r = user.post("/api/v1/api-keys", json={"name": 42})
    assert r.status_code == 400 and error_of(r) == {"code": "invalid_type", "message": error_of(r)["message"], "field": "/name"}
    r = user.post("/api/v1/api-keys", json=[1, 2])
    assert r.status_code == 400
    r = requests.post(stack.url + "/api/v1/auth/login", json={"username": ["x"], "password": "y"})
    assert r.status_code == 400 and error_of(r)["field"] == "/username"
    big = b"{" + b" " * (17 << 20) + b"}"
    r = user.post("/api/v1/api-keys", data=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and error_of(r)["code"] == "payload_too_large"


def test_unknown_route_and_method(user):
    r = user.get("/api/v1/nothing-here")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = user.request("PATCH", "/api/v1/api-keys")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]


def test_sql_injection_strings_round_trip_as_data(user):
    for hostile in ["Robert'); DROP TABLE users;--", "' OR '1'='1", "\\x00\\'; SELECT pg_sleep(5);--", "$1 $2 ::jsonb"]:
        r = user.post("/api/v1/api-keys", json={"name": hostile})
        assert r.status_code == 201
        assert r.json()["name"] == hostile
        listed = user.get("/api/v1/api-keys", params={"limit": 500}).json()["items"]
        assert hostile in [k["name"] for k in listed]
    assert user.get("/api/v1/me").status_code == 200
