"""Issue 11: HTTP destinations may not reach special addresses unless SWEEP_EGRESS_ALLOW names them.

The stack allows 127.0.0.1/32 only. No traffic ever leaves loopback (PLATFORM-NOTES): registration checks are
pure (nothing is contacted), and the connect-time refusal is proven on 127.0.0.2, a loopback alias the allow-list
leaves out, with a listener there that must see no connection."""
import socket
import threading

import pytest

from sweep_fixtures import launch, runs_by_id


class Listener:
    """Accepts and counts connections on 127.0.0.2 (never answers: a refused run must not get that far)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        self.sock.close()


REFUSED_BASE_URLS = [
    "http://127.0.0.2:8080/", "http://2130706434/", "http://0x7f.0.0.2/", "http://0177.0.0.2/", "http://127.2/",
    "http://[::1]:8080/", "http://[::ffff:127.0.0.2]/", "http://169.254.169.254/latest/", "http://10.0.0.1/",
    "http://192.168.1.1/", "http://172.16.0.1/", "http://[fe80::1%25eth0]/", "http://[fc00::1]/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://[64:ff9b::7f00:1]/", "https://user@127.0.0.3:443/x",
]


@pytest.mark.parametrize("base_url", REFUSED_BASE_URLS)
def test_registration_refuses_a_literal_address_the_policy_refuses(user, base_url):
    r = user.post("/api/v1/destinations", json={"id": "d", "cloud_provider": "http", "base_url": base_url})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "egress_denied" and r.json()["error"]["field"] == "/base_url"
    assert user.get("/api/v1/destinations/d").status_code == 404


def test_registration_allows_the_allow_list_and_names_and_put_is_checked_too(user):
    r = user.post("/api/v1/destinations", json={"id": "ok", "cloud_provider": "http", "base_url": "http://127.0.0.1:9/"})
    assert r.status_code == 201, r.text
    # A name is checked when a scheduler resolves it, not at registration.
    r = user.post("/api/v1/destinations", json={"id": "named", "cloud_provider": "http", "base_url": "http://fn.example/"})
    assert r.status_code == 201, r.text
    r = user.put("/api/v1/destinations/ok", json={"id": "ok", "cloud_provider": "http", "base_url": "http://2130706434/"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/base_url"
    assert user.get("/api/v1/destinations/ok").json()["base_url"] == "http://127.0.0.1:9/"


def test_a_run_aimed_at_a_refused_address_fails_with_egress_denied_and_nothing_connects(stack, user):
    listener = Listener()
    try:
        r = user.post("/api/v1/destinations", json={"id": "alias", "cloud_provider": "http",
                                                    "base_url": f"http://127.0.0.1:{listener.port}/"})
        assert r.status_code == 201, r.text
        # What a destination registered under a looser policy (or by a name that later resolves to 127.0.0.2)
        # looks like: only the scheduler's connect-time check stands between the run and the address.
        stack.psql("""UPDATE destinations SET definition = jsonb_set(definition, '{base_url}', to_jsonb(:'p1'::text))
                      WHERE id = 'alias' AND user_id = (SELECT id FROM users WHERE username = :'p2')""",
                   f"http://127.0.0.2:{listener.port}/", user.username)
        assert user.post("/api/v1/functions", json={"id": "probe", "destination_id": "alias", "function_name": "probe"}).status_code == 201
        assert user.post("/api/v1/workflows", json={"workflow_id": "egress", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "probe", "priority": 1}], "successors": [],
             "properties": {"position": "start"}}]}).status_code == 201
        status = launch(user, "egress")
        run = runs_by_id(status)["1"]
        assert run["state"] == "failed"
        assert run["error"] == "egress_denied: 127.0.0.2"
        assert listener.accepted == 0
    finally:
        listener.close()
