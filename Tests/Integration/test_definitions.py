"""Issue 3: the definitions API, validation errors as 422 with the field at fault, through nginx."""
import base64
import json
import copy
import hashlib

import pytest

from sweep_fixtures import register_catalog, seed_example, zip_of

SEED_EXAMPLES = ["example1", "example2", "example3", "example4", "wf_overrides", "wf_overrides_dynamic", "wf_static_output"]


@pytest.fixture
def cataloged(user):
    register_catalog(user)
    return user


@pytest.mark.parametrize("name", SEED_EXAMPLES)
def test_seed_examples_register_as_written(cataloged, name):
    definition = seed_example(name)
    r = cataloged.post("/api/v1/workflows", json=definition)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "OK" and body["workflow_id"] == definition["workflow_id"] and body["version"] == 1
    shown = cataloged.get("/api/v1/workflows/" + definition["workflow_id"]).json()
    assert shown["definition"] == definition and shown["version"] == 1 and shown["created_at"].endswith("Z")


def test_reposting_a_workflow_stores_the_next_version(cataloged):
    definition = seed_example("example1")
    assert cataloged.post("/api/v1/workflows", json=definition).json()["version"] == 1
    changed = copy.deepcopy(definition)
    changed["tasks"][1]["properties"]["static_input"] = {"msg": "second"}
    assert cataloged.post("/api/v1/workflows", json=changed).json()["version"] == 2
    assert cataloged.get("/api/v1/workflows/example1").json()["definition"] == changed
    assert cataloged.get("/api/v1/workflows/example1", params={"version": 1}).json()["definition"] == definition
    listed = cataloged.get("/api/v1/workflows").json()["items"]
    assert [(w["workflow_id"], w["version"]) for w in listed] == [("example1", 2)]
    assert cataloged.delete("/api/v1/workflows/example1").status_code == 204
    assert cataloged.get("/api/v1/workflows/example1").status_code == 404


def task(tid, successors=(), fn="firstFunc", **properties):
    return {"id": tid, "execution_configurations": [{"function_def_id": fn, "priority": 1}],
            "successors": list(successors), "properties": properties}


def container_task(tid, successors=(), **properties):
    return {"id": tid, "execution_configurations": [{"container_def_id": "cdef_hello_world", "priority": 1}],
            "successors": list(successors), "properties": properties}


START = {"position": "start"}

INVALID_WORKFLOWS = [
    ("no start task", [task("1", ["2"]), task("2")], "/tasks", "missing_start_task"),
    ("two start tasks", [task("1", ["2"], **START), task("2", **START)], "/tasks/1/properties/position", "multiple_start_tasks"),
    ("unknown successor", [task("1", ["2", "9"], **START), task("2")], "/tasks/0/successors/1", "unknown_successor"),
    ("cycle", [task("1", ["2"], **START), task("2", ["3"]), task("3", ["2"])], "/tasks/2/successors/0", "cycle"),
    ("unreachable", [task("1", **START), task("2")], "/tasks/1", "unreachable_task"),
    ("duplicate id", [task("1", ["2"], **START), task("2"), task("2")], "/tasks/2/id", "duplicate_task_id"),
    ("unknown function", [task("1", fn="nope", **START)], "/tasks/0/execution_configurations/0/function_def_id", "unknown_function"),
    ("follow unknown", [task("1", ["2"], **START), task("2", follow="7")], "/tasks/1/properties/follow", "unknown_follow_target"),
    ("follow not replicated", [task("1", ["2"], **START), task("2", follow="1")], "/tasks/1/properties/follow", "follow_not_replicated"),
    ("follow not ancestor", [task("1", ["2", "3"], **START), task("2", scatter="predecessor_outputs['1']['x']"), task("3", follow="2")],
     "/tasks/2/properties/follow", "follow_not_ancestor"),
    ("scatter syntax", [task("1", ["2"], **START), task("2", scatter="predecessor_outputs['1'][")], "/tasks/1/properties/scatter", "invalid_expression"),
    ("scatter attribute access", [task("1", ["2"], **START), task("2", scatter="predecessor_outputs.__class__")],
     "/tasks/1/properties/scatter", "invalid_expression"),
    ("deploy condition import", [task("1", ["2"], **START), task("2", deploy_conditions=["__import__('os')"])],
     "/tasks/1/properties/deploy_conditions/0", "invalid_expression"),
    ("environment on function task", [task("1", environment=[{"name": "A", "value": "1"}], **START)],
     "/tasks/0/properties/environment", "container_only_property"),
    ("command on function task", [task("1", command=["sh"], **START)], "/tasks/0/properties/command", "container_only_property"),
    ("environment entry shape", [container_task("1", environment=[{"name": "A"}], **START)], "/tasks/0/properties/environment/0", "invalid_environment"),
    ("command not strings", [container_task("1", command=["sh", 3], **START)], "/tasks/0/properties/command/1", "invalid_command"),
    ("negative delay", [task("1", delay=-1, **START)], "/tasks/0/properties/delay", "out_of_range"),
    ("fractional delay", [task("1", delay=1.5, **START)], "/tasks/0/properties/delay", "invalid_type"),
    ("huge multiplicity", [task("1", multiplicity=100_001, **START)], "/tasks/0/properties/multiplicity", "out_of_range"),
]


@pytest.mark.parametrize("label,tasks,field,code", INVALID_WORKFLOWS, ids=[c[0] for c in INVALID_WORKFLOWS])
def test_invalid_workflows_are_422_with_the_field(cataloged, label, tasks, field, code):
    r = cataloged.post("/api/v1/workflows", json={"workflow_id": "bad", "tasks": tasks})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["field"], error["code"]) == (field, code), error
    assert cataloged.get("/api/v1/workflows/bad").status_code == 404  # nothing changed


def test_syntax_error_names_its_position(cataloged):
    r = cataloged.post("/api/v1/workflows", json={"workflow_id": "bad", "tasks": [
        task("1", ["2"], **START), task("2", scatter="predecessor_outputs['1'] +")]})
    assert r.status_code == 422
    assert "position" in r.json()["error"]["message"]


def test_both_function_and_container_in_one_configuration(cataloged):
    t = task("1", **START)
    t["execution_configurations"][0]["container_def_id"] = "cdef_hello_world"
    r = cataloged.post("/api/v1/workflows", json={"workflow_id": "bad", "tasks": [t]})
    assert r.status_code == 422
    assert r.json()["error"]["field"].startswith("/tasks/0/execution_configurations/0")


def test_too_many_tasks_and_too_large_bodies(cataloged):
    tasks = [task(str(i), [str(i + 1)], **(START if i == 0 else {})) for i in range(1001)] + [task("1001")]
    r = cataloged.post("/api/v1/workflows", json={"workflow_id": "big", "tasks": tasks})
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_tasks"
    r = cataloged.post("/api/v1/workflows", json={"workflow_id": "huge", "tasks": [task("1", static_input={"x": "y" * (2 << 20)}, **START)]})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_workflow_must_reference_own_definitions(cataloged, other_user):
    # other_user registered nothing: the seed example's functions are unknown to them.
    r = other_user.post("/api/v1/workflows", json=seed_example("example2"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_function"


def test_destination_credentials_are_stored_but_never_returned(user, stack):
    dest = {"id": "aws1", "cloud_provider": "AWS", "credentials": {"profile_name": "p", "aws_account_id": "123"},
            "aws_region": "eu-north-1"}
    r = user.post("/api/v1/destinations", json=dest)
    assert r.status_code == 201 and r.json()["status"] == "OK" and r.json()["id"] == "aws1"
    assert user.post("/api/v1/destinations", json=dest).status_code == 409
    shown = user.get("/api/v1/destinations/aws1").json()
    assert "credentials" not in shown and shown["aws_region"] == "eu-north-1"
    assert all("credentials" not in d for d in user.get("/api/v1/destinations").json()["items"])
    # At rest: AES-256-GCM ciphertext ("v1:" + base64url of nonce, ciphertext, tag), never the JSON itself.
    stored = stack.psql("SELECT credentials FROM destinations WHERE id = 'aws1'")[0][0]
    assert stored.startswith("v1:") and "aws_account_id" not in stored and "123" not in stored.split(":", 1)[0]
    raw = base64.urlsafe_b64decode(stored[3:] + "=" * (-len(stored[3:]) % 4))
    assert len(raw) == 12 + len(json.dumps(dest["credentials"], separators=(",", ":"))) + 16
    dest["aws_region"] = "us-east-1"
    assert user.put("/api/v1/destinations/aws1", json=dest).status_code == 200
    assert user.get("/api/v1/destinations/aws1").json()["aws_region"] == "us-east-1"
    assert user.delete("/api/v1/destinations/aws1").status_code == 204
    assert user.get("/api/v1/destinations/aws1").status_code == 404


def test_invalid_destinations_functions_and_containers(user):
    r = user.post("/api/v1/destinations", json={"id": "d", "cloud_provider": "Mars"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/cloud_provider"
    r = user.post("/api/v1/destinations", json={"id": "d", "cloud_provider": "http"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/base_url"
    r = user.post("/api/v1/functions", json={"id": "f", "destination_id": "none", "function_name": "f"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_destination"
    r = user.post("/api/v1/functions", json={"id": "f", "destination_id": "none"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/function_name"
    r = user.post("/api/v1/containers", json={"id": "c", "destination_id": "none", "image_name": "i"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/image_tag"


def test_function_code_upload_keeps_sha256(user):
    register_catalog(user, functions=["hello"])
    archive = zip_of({"main.py": "def handler(event, context):\n    return {'ok': True}\n"})
    r = user.put("/api/v1/functions/hello/code", data=archive, headers={"Content-Type": "application/zip"})
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "OK", "msg": r.json()["msg"], "sha256": hashlib.sha256(archive).hexdigest()}
    assert user.get("/api/v1/functions/hello").json()["code_sha256"] == hashlib.sha256(archive).hexdigest()
    r = user.put("/api/v1/functions/hello/code", data=b"not a zip", headers={"Content-Type": "application/zip"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_zip"
    r = user.put("/api/v1/functions/nope/code", data=archive, headers={"Content-Type": "application/zip"})
    assert r.status_code == 404
    r = user.put("/api/v1/functions/hello/code", data=b"PK\x03\x04" + b"0" * (11 << 20), headers={"Content-Type": "application/zip"})
    assert r.status_code == 413


def test_migrate_seals_credentials_stored_before_encryption(user, stack):
    import subprocess
    assert user.post("/api/v1/destinations", json={"id": "legacy", "cloud_provider": "AWS"}).status_code == 201
    # A row as written before migration 0008: the credentials as plain JSON text.
    stack.psql("""UPDATE destinations SET credentials = '{"aws_account_id": "456"}'
                  WHERE id = 'legacy' AND user_id = (SELECT id FROM users WHERE username = :'p1')""", user.username)
    out = subprocess.check_output([stack.binary("sweep-api"), "migrate"], env=stack.env(SWEEP_DATABASE_OWNER_URL=stack.owner_url), text=True)
    assert "sealed" in out
    stored = stack.psql("""SELECT credentials FROM destinations
                           WHERE id = 'legacy' AND user_id = (SELECT id FROM users WHERE username = :'p1')""", user.username)[0][0]
    assert stored.startswith("v1:") and "456" not in stored
    assert "credentials" not in user.get("/api/v1/destinations/legacy").json()
