"""The `sweep` CLI against a real stack: every subcommand's happy path, `--json` shapes, and the exit codes scripts
rely on (0 ok, 1 launch failed, 2 usage, 3 auth, 4 not found, 5 unreachable, 6 rejected, 7 server error).

The binary runs with an explicit environment: SWEEP_URL / SWEEP_API_KEY and a private HOME and XDG_CONFIG_HOME, so
no test reads or writes the real ~/.config/sweep."""
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import time
import zipfile

import pytest
import requests

from stack import ROOT, free_port, wait_until
from sweep_fixtures import demo_image_path

EXAMPLES = os.path.join(ROOT, "examples")
ERROR_LINE = re.compile(r"^sweep: .+$")


def example(*parts):
    return os.path.join(EXAMPLES, *parts)


class CLI:
    """Runs the real `sweep` binary as one user (or with no key)."""

    def __init__(self, stack, tmp_path, key=None, url=None):
        self.stack = stack
        self.home = str(tmp_path / "home")
        self.config_home = str(tmp_path / "config")
        os.makedirs(self.home, exist_ok=True)
        self.key = key
        self.url = url or stack.url

    def env(self, with_key=True, **more):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "XDG_CONFIG_HOME": self.config_home, "SWEEP_URL": self.url}
        if with_key and self.key:
            env["SWEEP_API_KEY"] = self.key
        env.update(more)
        return {k: v for k, v in env.items() if v is not None}

    def run(self, *args, input=None, with_key=True, timeout=120, **env):
        return subprocess.run([self.stack.binary("sweep"), *args], env=self.env(with_key, **env), input=input,
                              capture_output=True, text=True, timeout=timeout)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"sweep {' '.join(args)} exited {r.returncode}: {r.stderr}"
        return r

    def json(self, *args, **kw):
        r = self.ok(*args, "--json", **kw)
        return json.loads(r.stdout)

    def fails(self, code, *args, **kw):
        r = self.run(*args, **kw)
        assert r.returncode == code, f"sweep {' '.join(args)}: expected exit {code}, got {r.returncode}: {r.stdout} {r.stderr}"
        lines = r.stderr.strip().splitlines()
        if code not in (2,):
            # One clear line, from the API's error object when there is one.
            assert len(lines) == 1 and ERROR_LINE.match(lines[0]), r.stderr
        return r

    @property
    def config_file(self):
        return os.path.join(self.config_home, "sweep", "config.json")


@pytest.fixture
def cli(stack, user, tmp_path):
    return CLI(stack, tmp_path, key=user.key)


@pytest.fixture
def admin_cli(stack, admin, tmp_path):
    return CLI(stack, tmp_path / "admin", key=admin.key)


@pytest.fixture
def anonymous(stack, tmp_path):
    return CLI(stack, tmp_path / "anon")


def register_shell_container(cli):
    """The `shell` container definition and its image (the busybox demo image)."""
    cli.ok("container", "register", example("containers", "shell.json"))
    cli.ok("container", "upload-image", "shell", demo_image_path())


def register_examples(cli):
    cli.ok("destination", "register", example("destinations", "local.json"))
    cli.ok("function", "upload", example("functions", "split.json"), example("functions", "split"))
    register_shell_container(cli)
    cli.ok("workflow", "register", example("workflows", "scatter.json"))


def write_json(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return str(path)


def shell_workflow(workflow_id, command):
    """A one-task workflow running `sh -c command` locally."""
    return {"workflow_id": workflow_id, "config": {}, "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": "shell", "priority": 1}], "successors": [],
         "properties": {"position": "start", "command": ["sh", "-c", command]}}]}


def register_shell_workflow(cli, tmp_path, workflow_id, command):
    cli.ok("destination", "register", example("destinations", "local.json"))
    register_shell_container(cli)
    cli.ok("workflow", "register", write_json(tmp_path, workflow_id + ".json", shell_workflow(workflow_id, command)))


# --- basics and exit codes ----------------------------------------------------------------------------------------

def test_version_and_help(anonymous):
    assert anonymous.ok("--version").stdout.strip() == "0.1.0"
    help_text = anonymous.ok("--help").stdout
    for command in ("login", "destination", "function", "container", "workflow", "launch", "ps", "psw", "pss", "psf",
                    "watch", "logs", "cancel", "graph", "keys", "users"):
        assert re.search(rf"^\s+{command}\b", help_text, re.M), command


@pytest.mark.parametrize("args", [["no-such-command"], ["launches", "--state", "sleeping"], ["graph", "L", "--format", "png"],
                                  ["launch"], ["login"], ["workflow", "show", "w", "--version", "0"],
                                  ["launch", "w", "--input", "{not json"]])
def test_usage_errors_exit_2(cli, args):
    r = cli.fails(2, *args)
    assert r.stdout == ""
    assert r.stderr.strip()


def test_bad_key_exits_3_with_the_api_message(cli):
    r = cli.fails(3, "keys", "list", SWEEP_API_KEY="sweep_not_a_real_key")
    assert re.match(r"^sweep: .*key.* \((invalid_api_key|unauthorized)\)$", r.stderr.strip()), r.stderr
    assert r.stdout == ""


def test_no_key_exits_3(anonymous):
    r = anonymous.fails(3, "workflow", "list")
    assert "sweep login" in r.stderr


def test_server_down_exits_5(stack, user, tmp_path):
    down = CLI(stack, tmp_path, key=user.key, url=f"http://127.0.0.1:{free_port()}")
    for args in (["keys", "list"], ["status", "L"], ["launch", "w", "--wait"], ["watch", "L"]):
        r = down.fails(5, *args)
        assert "cannot reach" in r.stderr


def test_unknown_launch_exits_4(cli):
    for args in (["status", "no-such-launch"], ["launch", "status", "no-such-launch"], ["watch", "no-such-launch"],
                 ["logs", "no-such-launch", "1"], ["cancel", "no-such-launch"], ["graph", "no-such-launch"]):
        r = cli.fails(4, *args)
        assert "not_found" in r.stderr


def test_unknown_definitions_exit_4(cli):
    for kind in ("destination", "function", "container", "workflow"):
        cli.fails(4, kind, "show", "nope")
        cli.fails(4, kind, "delete", "nope")


def test_admin_only_commands_exit_3_for_users(cli):
    cli.fails(3, "users", "list")


def test_invalid_definition_error_names_code_and_field(cli, tmp_path):
    cli.ok("destination", "register", example("destinations", "local.json"))
    cli.ok("container", "register", example("containers", "shell.json"))
    broken = shell_workflow("broken", "true")
    broken["tasks"][0]["properties"]["delay"] = -1
    r = cli.fails(6, "workflow", "register", write_json(tmp_path, "broken.json", broken))
    assert re.match(r"^sweep: .+ \(out_of_range, field /tasks/0/properties/delay\)$", r.stderr.strip()), r.stderr


def test_conflict_exits_6(cli):
    cli.ok("destination", "register", example("destinations", "local.json"))
    r = cli.fails(6, "destination", "register", example("destinations", "local.json"))
    assert "sweep: " in r.stderr


# --- login, logout, config ----------------------------------------------------------------------------------------

def test_login_with_password_stores_a_private_key_and_logout_revokes_it(stack, user, anonymous):
    r = anonymous.ok("login", "--url", stack.url, "--username", user.username, "--password-stdin",
                     input=user.password + "\n", with_key=False, SWEEP_URL=None)
    assert user.username in r.stdout
    mode = stat.S_IMODE(os.stat(anonymous.config_file).st_mode)
    assert mode == 0o600
    with open(anonymous.config_file) as f:
        stored = json.load(f)
    assert stored["url"] == stack.url and stored["api_key"]
    key = stored["api_key"]
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + key}).json()["username"] == user.username

    # The file alone is enough now: no SWEEP_URL, no SWEEP_API_KEY.
    keys = anonymous.json("keys", "list", SWEEP_URL=None)
    assert any(k["name"].startswith("sweep-cli@") for k in keys["items"])

    r = anonymous.ok("logout", SWEEP_URL=None)
    assert "revoked" in r.stdout
    with open(anonymous.config_file) as f:
        assert "api_key" not in json.load(f)
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + key}).status_code == 401
    anonymous.fails(3, "keys", "list", SWEEP_URL=None)


def test_login_with_wrong_password_exits_3_and_stores_nothing(stack, user, anonymous):
    r = anonymous.fails(3, "login", "--url", stack.url, "--username", user.username, "--password-stdin",
                        input="wrong-password\n")
    assert "invalid_credentials" in r.stderr
    assert not os.path.exists(anonymous.config_file)


def test_login_with_api_key_checks_it_first(stack, user, anonymous):
    anonymous.fails(3, "login", "--url", stack.url, "--api-key", "sweep_bogus")
    assert not os.path.exists(anonymous.config_file)
    anonymous.ok("login", "--url", stack.url, "--api-key", user.key)
    assert stat.S_IMODE(os.stat(anonymous.config_file).st_mode) == 0o600
    assert anonymous.json("keys", "list", SWEEP_URL=None)["items"] is not None


def test_environment_overrides_the_config_file(stack, user, anonymous):
    os.makedirs(os.path.dirname(anonymous.config_file))
    with open(anonymous.config_file, "w") as f:
        json.dump({"url": f"http://127.0.0.1:{free_port()}", "api_key": "sweep_stale"}, f)
    anonymous.fails(5, "keys", "list", SWEEP_URL=None)
    assert anonymous.json("keys", "list", SWEEP_API_KEY=user.key)["items"] is not None


def test_xdg_config_home_falls_back_to_home(stack, user, anonymous):
    anonymous.ok("login", "--url", stack.url, "--api-key", user.key, XDG_CONFIG_HOME=None)
    assert os.path.exists(os.path.join(anonymous.home, ".config", "sweep", "config.json"))


# --- keys and users -----------------------------------------------------------------------------------------------

def test_keys_create_list_revoke(stack, cli):
    created = cli.json("keys", "create", "ci")
    assert set(created) >= {"id", "name", "key", "created_at"} and created["name"] == "ci"
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + created["key"]}).status_code == 200
    listed = cli.json("keys", "list")
    assert set(listed) == {"items", "next_cursor"}
    assert created["id"] in [k["id"] for k in listed["items"]]
    assert all("key" not in k for k in listed["items"])
    table = cli.ok("keys", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "NAME", "CREATED", "LAST", "USED"]
    assert any(created["id"] in line and "ci" in line for line in table[1:])
    cli.ok("keys", "revoke", created["id"])
    assert requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + created["key"]}).status_code == 401
    cli.fails(4, "keys", "revoke", created["id"])


def test_users_create_list_delete(stack, admin_cli, anonymous):
    name = f"cliuser-{os.getpid()}"
    r = admin_cli.ok("users", "create", name, "--password-stdin", input="a-long-password\n")
    assert name in r.stdout
    assert requests.post(stack.url + "/api/v1/auth/login", json={"username": name, "password": "a-long-password"}).status_code == 200
    admin_cli.fails(6, "users", "create", name, "--password-stdin", input="a-long-password\n")

    generated = admin_cli.json("users", "create", name + "-gen", "--admin")
    assert generated["username"] == name + "-gen" and generated["is_admin"] is True and len(generated["password"]) >= 16
    assert requests.post(stack.url + "/api/v1/auth/login",
                         json={"username": name + "-gen", "password": generated["password"]}).status_code == 200

    listed = admin_cli.json("users", "list")
    names = [u["username"] for u in listed["items"]]
    assert name in names and name + "-gen" in names
    assert "USERNAME" in admin_cli.ok("users", "list").stdout
    admin_cli.ok("users", "delete", name)
    admin_cli.ok("users", "delete", name + "-gen")
    admin_cli.fails(4, "users", "delete", name)


# --- definitions --------------------------------------------------------------------------------------------------

def test_destination_register_list_show_delete(cli):
    r = cli.ok("destination", "register", example("destinations", "local.json"))
    assert "local" in r.stdout
    listed = cli.json("destination", "list")
    assert [d["id"] for d in listed["items"]] == ["local"] and listed["next_cursor"] is None
    table = cli.ok("destination", "list").stdout.splitlines()
    assert table[0].split()[:2] == ["ID", "PROVIDER"] and table[1].split()[:2] == ["local", "local"]
    shown = cli.json("destination", "show", "local")
    assert shown["id"] == "local" and shown["cloud_provider"] == "local"
    assert json.loads(cli.ok("destination", "show", "local").stdout)["id"] == "local"
    cli.ok("destination", "delete", "local")
    cli.fails(4, "destination", "show", "local")


def test_function_upload_folder_then_zip(cli, tmp_path):
    cli.ok("destination", "register", example("destinations", "local.json"))
    first = cli.json("function", "upload", example("functions", "split.json"), example("functions", "split"))
    assert first["id"] == "split" and first["registered"] is True
    sha = first["code"]["sha256"]
    shown = cli.json("function", "show", "split")
    assert shown["function_name"] == "split" and shown["code_sha256"] == sha

    # An existing definition (409) is kept; the new code replaces the old.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("main.py", "def handler(event, context):\n    return {'tile': []}\n")
    archive = tmp_path / "code.zip"
    archive.write_bytes(buffer.getvalue())
    second = cli.json("function", "upload", example("functions", "split.json"), str(archive))
    assert second["registered"] is False and second["code"]["sha256"] == hashlib.sha256(buffer.getvalue()).hexdigest()
    assert cli.json("function", "show", "split")["code_sha256"] == second["code"]["sha256"]
    listed = cli.json("function", "list")
    assert [f["id"] for f in listed["items"]] == ["split"]
    assert "split" in cli.ok("function", "list").stdout
    cli.ok("function", "delete", "split")
    cli.fails(4, "function", "show", "split")


def test_folder_zip_is_deterministic_and_valid(cli, tmp_path):
    """Uploading the same folder twice gives the same sha256 (stored entries, fixed dates)."""
    cli.ok("destination", "register", example("destinations", "local.json"))
    a = cli.json("function", "upload", example("functions", "split.json"), example("functions", "split"))
    b = cli.json("function", "upload", example("functions", "split.json"), example("functions", "split"))
    assert a["code"]["sha256"] == b["code"]["sha256"]


def test_function_upload_needs_existing_files(cli):
    cli.fails(2, "function", "upload", "/no/such/def.json", example("functions", "split"))
    cli.fails(2, "function", "upload", example("functions", "split.json"), "/no/such/folder")


def test_container_upload_image_keeps_an_image_unless_overwrite(cli):
    cli.ok("destination", "register", example("destinations", "local.json"))
    register_shell_container(cli)
    r = cli.fails(6, "container", "upload-image", "shell", demo_image_path())
    assert "image_exists" in r.stderr
    assert cli.json("container", "upload-image", "shell", demo_image_path(), "--overwrite")["image"] == "hello_world:latest"


def test_container_register_list_show_delete(cli):
    cli.ok("destination", "register", example("destinations", "local.json"))
    cli.ok("container", "register", example("containers", "shell.json"))
    listed = cli.json("container", "list")
    assert [c["id"] for c in listed["items"]] == ["shell"]
    shown = cli.json("container", "show", "shell")
    assert shown["command"][:2] == ["sh", "-c"] and shown["destination_id"] == "local"
    assert "hello_world" in cli.ok("container", "list").stdout
    cli.ok("container", "delete", "shell")
    cli.fails(4, "container", "show", "shell")


def test_workflow_register_versions_show_delete(cli, tmp_path):
    cli.ok("destination", "register", example("destinations", "local.json"))
    cli.ok("function", "upload", example("functions", "split.json"), example("functions", "split"))
    cli.ok("container", "register", example("containers", "shell.json"))
    first = cli.json("workflow", "register", example("workflows", "scatter.json"))
    assert first["workflow_id"] == "scatter" and first["version"] == 1
    with open(example("workflows", "scatter.json")) as f:
        definition = json.load(f)
    changed = json.loads(json.dumps(definition))
    changed["config"]["max_task_concurrency"] = 2
    r = cli.ok("workflow", "register", write_json(tmp_path, "v2.json", changed))
    assert "version 2" in r.stdout
    assert cli.json("workflow", "show", "scatter")["definition"] == changed
    old = cli.json("workflow", "show", "scatter", "--version", "1")
    assert old["version"] == 1 and old["definition"] == definition
    listed = cli.json("workflow", "list")
    assert [(w["workflow_id"], w["version"]) for w in listed["items"]] == [("scatter", 2)]
    table = cli.ok("workflow", "list").stdout.splitlines()
    assert table[0].split()[:2] == ["WORKFLOW", "VERSION"] and table[1].split()[:2] == ["scatter", "2"]
    cli.ok("workflow", "delete", "scatter")
    cli.fails(4, "workflow", "show", "scatter")


def test_definitions_are_per_user(cli, stack, other_user, tmp_path):
    cli.ok("destination", "register", example("destinations", "local.json"))
    other = CLI(stack, tmp_path / "other", key=other_user.key)
    other.fails(4, "destination", "show", "local")
    assert other.json("destination", "list")["items"] == []


# --- launches (need the launches API) ------------------------------------------------------------------------------

def launch_and_wait(cli, workflow, *extra):
    return cli.json("launch", workflow, "--wait", *extra, timeout=180)


def test_quick_start_scatter_launch_succeeds(cli):
    register_examples(cli)
    status = launch_and_wait(cli, "scatter")
    assert status["state"] == "succeeded" and status["workflow_id"] == "scatter" and status["version"] == 1
    runs = {t["run_id"]: t for t in status["tasks"]}
    assert set(runs) == {"1", "2_A", "2_B", "2_C", "3"}
    assert runs["1"]["output"]["tile"] == [{"tile_id": 1}, {"tile_id": 2}, {"tile_id": 3}]
    assert all(t["state"] == "succeeded" for t in status["tasks"])
    assert set(runs["3"]["predecessors"]) == {"2_A", "2_B", "2_C"}


def test_launch_status_ps_and_launches(cli):
    register_examples(cli)
    started = cli.json("launch", "scatter")
    assert set(started) >= {"launch_id", "workflow_id", "version", "state"}
    lid = started["launch_id"]
    human = cli.ok("launch", "scatter").stdout
    assert human.startswith("Launched ")
    status = cli.json("status", lid)
    assert status["launch_id"] == lid and set(status) >= {"state", "created_at", "input", "tasks"}
    assert cli.json("launch", "status", lid)["launch_id"] == lid
    wait_until(lambda: cli.json("status", lid)["state"] == "succeeded", timeout=120, interval=0.5, what="launch to succeed")
    assert "Launch:" in cli.ok("status", lid).stdout and "2_A" in cli.ok("status", lid).stdout
    succeeded = cli.json("pss")
    assert set(succeeded) == {"items", "next_cursor"} and lid in [l["launch_id"] for l in succeeded["items"]]
    for command in ("ps", "psw", "psf"):
        assert lid not in [l["launch_id"] for l in cli.json(command)["items"]]
    mine = cli.json("launches", "--workflow", "scatter")
    assert lid in [l["launch_id"] for l in mine["items"]]
    assert all(l["workflow_id"] == "scatter" for l in mine["items"])
    assert lid in [l["launch_id"] for l in cli.json("launches", "--state", "succeeded")["items"]]
    table = cli.ok("launches").stdout.splitlines()
    assert table[0].split()[:4] == ["LAUNCH", "WORKFLOW", "VERSION", "STATE"]


def test_launch_input_and_idempotency_key(cli, tmp_path):
    register_examples(cli)
    inline = cli.json("launch", "scatter", "--input", '{"n": 1}', "--idempotency-key", "k-1")
    again = cli.json("launch", "scatter", "--input", '{"n": 1}', "--idempotency-key", "k-1")
    assert inline["launch_id"] == again["launch_id"]
    from_file = cli.json("launch", "scatter", "--input", "@" + write_json(tmp_path, "in.json", {"n": 2}))
    assert from_file["launch_id"] != inline["launch_id"]
    assert cli.json("status", from_file["launch_id"])["input"] == {"n": 2}


def test_failed_launch_wait_watch_psf_logs(cli, tmp_path):
    register_shell_workflow(cli, tmp_path, "fails", "echo about to fail; echo oops >&2; exit 3")
    r = cli.run("launch", "fails", "--wait", "--json", timeout=180)
    assert r.returncode == 1, r.stderr
    status = json.loads(r.stdout)
    assert status["state"] == "failed" and "failed" in r.stderr
    lid = status["launch_id"]
    assert lid in [l["launch_id"] for l in cli.json("psf")["items"]]
    logs = cli.ok("logs", lid, "1").stdout
    assert "about to fail" in logs and "oops" in logs
    assert "about to fail" in cli.json("logs", lid, "1")["logs"]
    # Watching a launch that already ended reports its outcome at once.
    r = cli.run("watch", lid, timeout=60)
    assert r.returncode == 1 and "launch.failed" in r.stdout


def test_watch_plain_lines_until_success(cli):
    register_examples(cli)
    lid = cli.json("launch", "scatter")["launch_id"]
    r = cli.run("watch", lid, timeout=180)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-1].split()[1] == "launch.succeeded"
    for line in lines:
        assert len(line.split()) == 4, line  # <time> <event> <run_id> <state>
    assert any(l.split()[1] == "task.succeeded" and l.split()[2] == "2_B" for l in lines)


def test_launch_watch_json_lines(cli):
    register_examples(cli)
    r = cli.run("launch", "scatter", "--watch", "--json", timeout=180)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.strip().splitlines()]
    assert events[-1]["event"] == "launch.succeeded"
    assert all({"event", "data"} <= set(e) and "launch_id" in e["data"] for e in events)
    ids = [int(e["id"]) for e in events if "id" in e]
    assert ids == sorted(ids)


def test_cancel_stops_a_launch(cli, tmp_path):
    register_shell_workflow(cli, tmp_path, "slow", "sleep 60")
    lid = cli.json("launch", "slow")["launch_id"]
    wait_until(lambda: lid in [l["launch_id"] for l in cli.json("ps")["items"]], timeout=60, interval=0.3,
               what="launch to run")
    cli.ok("cancel", lid)
    r = cli.run("watch", lid, timeout=60)
    assert r.returncode == 1 and "cancelled" in r.stderr
    assert cli.json("status", lid)["state"] == "cancelled"
    assert lid in [l["launch_id"] for l in cli.json("launches", "--state", "cancelled")["items"]]


def test_graph_dot_mermaid_json(cli):
    register_examples(cli)
    lid = launch_and_wait(cli, "scatter")["launch_id"]
    dot = cli.ok("graph", lid, "--format", "dot").stdout
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert 'subgraph "cluster_2"' in dot and '"2_A" [label="2_A\\nsucceeded"' in dot
    for a, b in (("1", "2_A"), ("1", "2_C"), ("2_B", "3")):
        assert f'"{a}" -> "{b}";' in dot
    mermaid = cli.ok("graph", lid, "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart TD") and "subgraph n_task_2" in mermaid and "n_1 --> n_2_A" in mermaid
    graph = cli.json("graph", lid)
    assert {n["run_id"] for n in graph["nodes"]} == {"1", "2_A", "2_B", "2_C", "3"}
    assert {"from": "2_C", "to": "3"} in graph["edges"]


def test_launches_are_per_user(cli, stack, other_user, tmp_path):
    register_examples(cli)
    lid = cli.json("launch", "scatter")["launch_id"]
    other = CLI(stack, tmp_path / "other", key=other_user.key)
    other.fails(4, "status", lid)
    other.fails(4, "cancel", lid)
    assert lid not in [l["launch_id"] for l in other.json("launches")["items"]]


def test_launch_of_unknown_workflow_exits_4(cli):
    cli.fails(4, "launch", "no-such-workflow")
