"""Issue 2: user B can neither read, list, change nor delete anything of user A's, on every route with an id."""
import requests

from sweep_fixtures import launch, register_http_functions, zip_of

HOSTILE = "Robert'); DROP TABLE launches;-- \" \\ $1 ::jsonb"


def test_every_route_hides_another_users_objects(stack, user, other_user, functions):
    a, b = user, other_user
    register_http_functions(a, functions.url, ["firstFunc"], destination="dest")
    assert a.post("/api/v1/functions", json={"id": "coded", "destination_id": "dest", "function_name": "x",
                                              "description": HOSTILE}).status_code == 201
    assert a.put("/api/v1/functions/coded/code", data=zip_of({"main.py": "def handler(e, c): return {}"}),
                 headers={"Content-Type": "application/zip"}).status_code == 200
    assert a.post("/api/v1/containers", json={"id": "box", "destination_id": "dest", "image_name": HOSTILE, "image_tag": "t"}).status_code == 201
    assert a.post("/api/v1/workflows", json={"workflow_id": "private", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "firstFunc", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"note": HOSTILE}}}]}).status_code == 201
    status = launch(a, "private", input={"secret": HOSTILE})
    assert status["state"] == "succeeded" and status["input"] == {"secret": HOSTILE}
    assert status["tasks"][0]["input"]["static_input"] == {"note": HOSTILE}
    assert a.get("/api/v1/functions/coded").json()["description"] == HOSTILE
    assert a.get("/api/v1/containers/box").json()["image_name"] == HOSTILE
    key_id = a.post("/api/v1/api-keys", json={"name": "a-key"}).json()["id"]
    lid = status["launch_id"]

    attempts = [
        ("GET", "/api/v1/destinations/dest"), ("PUT", "/api/v1/destinations/dest"), ("DELETE", "/api/v1/destinations/dest"),
        ("GET", "/api/v1/functions/firstFunc"), ("DELETE", "/api/v1/functions/firstFunc"), ("PUT", "/api/v1/functions/coded/code"),
        ("GET", "/api/v1/containers/box"), ("DELETE", "/api/v1/containers/box"),
        ("GET", "/api/v1/workflows/private"), ("DELETE", "/api/v1/workflows/private"), ("POST", "/api/v1/workflows/private/launches"),
        ("GET", f"/api/v1/launches/{lid}"), ("POST", f"/api/v1/launches/{lid}/cancel"),
        ("GET", f"/api/v1/launches/{lid}/events"), ("GET", f"/api/v1/launches/{lid}/tasks/1/logs"),
        ("DELETE", f"/api/v1/api-keys/{key_id}"),
    ]
    bodies = {"PUT /api/v1/destinations/dest": {"json": {"id": "dest", "cloud_provider": "local"}},
              "PUT /api/v1/functions/coded/code": {"data": zip_of({"main.py": "x"}), "headers": {"Content-Type": "application/zip"}},
              "POST /api/v1/workflows/private/launches": {"json": {}}}
    for method, path in attempts:
        r = b.request(method, path, **bodies.get(f"{method} {path}", {}))
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "not_found"

    for path in ["/api/v1/destinations", "/api/v1/functions", "/api/v1/containers", "/api/v1/workflows", "/api/v1/launches", "/api/v1/events"]:
        items = b.get(path, params={"limit": 500}).json()["items"]
        assert items == [], (path, items)

    # Nothing of A's changed.
    assert a.get("/api/v1/destinations/dest").status_code == 200
    assert a.get("/api/v1/functions/coded").json()["code_sha256"]
    assert a.get("/api/v1/workflows/private").status_code == 200
    assert a.get(f"/api/v1/launches/{lid}").json()["state"] == "succeeded"
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + a.key}).status_code == 200
    assert key_id in [k["id"] for k in a.get("/api/v1/api-keys").json()["items"]]


def test_deleting_a_user_deletes_their_launches_runs_and_events(stack, admin, user, other_user, functions):
    """Runs and events carry no foreign keys (migration 0004: they cost a lookup per row on the hot path); the
    trigger on launches does the cascade instead, and touches nobody else's rows."""
    for client in (user, other_user):
        register_http_functions(client, functions.url, ["firstFunc"], destination="dest")
        assert client.post("/api/v1/workflows", json={"workflow_id": "doomed", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "firstFunc", "priority": 1}], "successors": [],
             "properties": {"position": "start"}}]}).status_code == 201
        assert launch(client, "doomed")["state"] == "succeeded"

    def counts(username):
        return stack.psql("""SELECT (SELECT count(*) FROM launches l JOIN users u ON u.id = l.user_id WHERE u.username = :'p1'),
                                    (SELECT count(*) FROM task_runs r JOIN launches l ON l.id = r.launch_id JOIN users u ON u.id = l.user_id
                                     WHERE u.username = :'p1'),
                                    (SELECT count(*) FROM events e JOIN launches l ON l.id = e.launch_id JOIN users u ON u.id = l.user_id
                                     WHERE u.username = :'p1')""", username)[0]

    user_id = stack.psql("SELECT id FROM users WHERE username = :'p1'", user.username)[0][0]
    assert counts(user.username) == ["1", "1", "5"]
    assert admin.delete("/api/v1/users/" + user.username).status_code == 204
    assert stack.psql("SELECT (SELECT count(*) FROM launches WHERE user_id = :'p1'), (SELECT count(*) FROM task_runs WHERE user_id = :'p1'),"
                      " (SELECT count(*) FROM events WHERE user_id = :'p1')", user_id) == [["0", "0", "0"]]
    assert counts(other_user.username) == ["1", "1", "5"]
