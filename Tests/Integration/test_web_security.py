"""Issue 11: secrets in transit and sessions: the cookie's Secure flag behind HTTPS, the idle timeout, logout-all,
and the security headers nginx adds to every answer (the status page still works under the CSP: test_browser)."""
import hashlib

import requests

CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"


def login(stack, user, **headers):
    s = requests.Session()
    r = s.post(stack.url + "/api/v1/auth/login", json={"username": user.username, "password": user.password}, headers=headers)
    assert r.status_code == 200, r.text
    return s, r


def token_hash(session):
    return hashlib.sha256(session.cookies["sweep_session"].encode()).hexdigest()


def test_the_session_cookie_is_secure_when_the_client_came_over_https(stack, user):
    _, plain = login(stack, user)
    assert "Secure" not in plain.headers["Set-Cookie"]
    _, behind_tls = login(stack, user, **{"X-Forwarded-Proto": "https"})
    cookie = behind_tls.headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # requests keeps a Secure cookie off plain HTTP, as a browser would: send it by hand (nginx is the TLS end here).
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    r = requests.post(stack.url + "/api/v1/auth/logout", headers={"X-Requested-With": "sweep", "X-Forwarded-Proto": "https",
                                                                  "Cookie": "sweep_session=" + token})
    assert r.status_code == 204 and "Max-Age=0" in r.headers["Set-Cookie"] and "; Secure" in r.headers["Set-Cookie"]


def test_an_idle_session_ends_and_use_moves_last_seen_at_most_once_a_minute(stack, user):
    s, _ = login(stack, user)
    h = token_hash(s)

    def last_seen():
        return stack.psql("SELECT last_seen_at FROM sessions WHERE token_hash = :'p1'", h)[0][0]

    # Seen two minutes ago: the next request records it; the one right after does not write again.
    stack.psql("UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE token_hash = :'p1'", h)
    before = last_seen()
    assert s.get(stack.url + "/api/v1/me").status_code == 200
    moved = last_seen()
    assert moved > before
    assert s.get(stack.url + "/api/v1/me").status_code == 200
    assert last_seen() == moved
    # Unused for longer than the idle timeout (12 h by default): ended, though far from expires_at.
    stack.psql("UPDATE sessions SET last_seen_at = now() - interval '12 hours 1 minute' WHERE token_hash = :'p1'", h)
    r = s.get(stack.url + "/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"


def test_logout_all_revokes_every_session_of_the_user_only(stack, user, other_user):
    first, _ = login(stack, user)
    second, _ = login(stack, user)
    bystander, _ = login(stack, other_user)
    tokens = [first.cookies["sweep_session"], second.cookies["sweep_session"]]
    # Cookie-authenticated, so it needs the CSRF header like every other unsafe request.
    assert first.post(stack.url + "/api/v1/auth/logout-all").status_code == 403
    r = first.post(stack.url + "/api/v1/auth/logout-all", headers={"X-Requested-With": "sweep"})
    assert r.status_code == 204 and "Max-Age=0" in r.headers["Set-Cookie"]
    for token in tokens:
        r = requests.get(stack.url + "/api/v1/me", cookies={"sweep_session": token})
        assert r.status_code == 401 and r.json()["error"]["code"] == "session_expired"
    assert stack.psql("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE u.username = :'p1' AND s.revoked_at IS NULL", user.username) == [["0"]]
    assert bystander.get(stack.url + "/api/v1/me").status_code == 200
    assert user.get("/api/v1/me").status_code == 200  # API keys are not sessions
    assert user.post("/api/v1/auth/logout-all").status_code == 204  # with a key too


def test_nginx_adds_the_security_headers_to_every_kind_of_answer(stack, user):
    answers = {
        "status page": requests.get(stack.url + "/"),
        "script": requests.get(stack.url + "/app.js"),
        "api": user.get("/api/v1/me"),
        "api error": requests.get(stack.url + "/api/v1/me"),
        "missing file": requests.get(stack.url + "/no-such-file"),
        "nginx 405": requests.request("TRACE", stack.url + "/"),
    }
    with requests.get(stack.url + "/api/v1/events", headers={"Authorization": "Bearer " + user.key,
                                                               "Accept": "text/event-stream"}, stream=True, timeout=10) as r:
        answers["event stream"] = r
    for what, r in answers.items():
        assert r.headers.get("Content-Security-Policy") == CSP, what
        assert r.headers.get("X-Content-Type-Options") == "nosniff", what
        assert r.headers.get("Referrer-Policy") == "no-referrer", what
        assert r.headers.get("X-Frame-Options") == "DENY", what
    assert answers["nginx 405"].status_code == 405 and "Allow" in answers["nginx 405"].headers
    assert answers["event stream"].headers.get("X-Accel-Buffering") == "no"


def test_the_status_page_has_no_inline_script_or_style_the_policy_would_block(stack):
    import re
    html = requests.get(stack.url + "/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html) and not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert requests.get(stack.url + "/app.css").status_code == 200
