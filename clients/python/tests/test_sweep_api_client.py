"""SWEEPApiClient: the SWEEP documentation's calls and answers, against a real stack."""
import ast
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

import requests

from conftest import REPO
from sweep_client import SWEEPApiClient, SweepClient

QUICKSTART = os.path.join(REPO, "examples", "sweep-client")


def run_quickstart(tmp_path, env):
    """Runs a copy of the example folder, so the zip step 1 makes stays out of the source tree."""
    folder = tmp_path / "sweep-client"
    shutil.copytree(QUICKSTART, folder, ignore=shutil.ignore_patterns("*.zip"))
    python = os.environ.get("SWEEP_CLIENT_PYTHON", sys.executable)
    result = subprocess.run([python, str(folder / "quickstart.py")], env=dict(os.environ, **env),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [ast.literal_eval(line) for line in result.stdout.strip().splitlines()]


def test_the_package_installs_with_nothing_but_the_standard_library():
    assert not importlib.metadata.requires("sweep-client")
    site = os.environ.get("SWEEP_CLIENT_SITE")
    if site:  # make test: the package under test is the one pip installed into the fresh venv
        import sweep_client
        assert os.path.realpath(sweep_client.__file__).startswith(os.path.realpath(site))


def test_the_documentation_quickstart_runs_unchanged_with_an_api_key(stack, account, tmp_path):
    answers = run_quickstart(tmp_path, {"SWEEP_URL": stack.url, "SWEEP_USERNAME": account.username,
                                        "SWEEP_API_KEY": account.key, "SWEEP_PASSWORD": ""})
    destination, function, workflow, status = answers
    assert destination == {"status": "OK", "msg": "Successfully registered destination dest1.", "id": "dest1"}
    assert function["status"] == "OK" and function["msg"] == "Successfully uploaded function hello_world."
    assert workflow == {"status": "OK", "workflow_id": "wfdef_hello_world", "version": 1,
                        "msg": f"Successfully created workflow wfdef_hello_world for user {account.username}."}
    assert status["status"] == "OK" and status["workflow_id"] == "wfdef_hello_world"
    assert status["state"] in ("waiting", "running", "succeeded")

    final = SweepClient(stack.url, account.key).wait(status["launch_id"])
    assert final["state"] == "succeeded", final
    outputs = {run["run_id"]: run["output"] for run in final["tasks"]}
    assert outputs == {"1": {"msg": "Hello world!", "heard": []}, "2": {"msg": "Hello Sweep!", "heard": ["Hello world!"]}}


def test_the_quickstart_runs_again_with_a_password(stack, account, tmp_path):
    env = {"SWEEP_URL": stack.url, "SWEEP_USERNAME": account.username, "SWEEP_API_KEY": "",
           "SWEEP_PASSWORD": account.password}
    run_quickstart(tmp_path / "first", env)
    destination, function, workflow, status = run_quickstart(tmp_path / "again", env)
    # Identical definitions count as registered; the workflow gets its next version.
    assert destination == {"status": "OK", "msg": "The destination dest1 is already registered.", "id": "dest1"}
    assert function["status"] == "OK" and function["msg"] == "Successfully uploaded function hello_world."
    assert workflow["status"] == "OK" and workflow["version"] == 2
    assert SweepClient(stack.url, account.key).wait(status["launch_id"])["state"] == "succeeded"


def write(path, value):
    path.write_text(json.dumps(value))
    return str(path)


def test_refusals_come_back_in_sweeps_shape(stack, account, tmp_path):
    client = SWEEPApiClient(account.username, account.key, stack.url)
    user = account.username
    dest = write(tmp_path / "d.json", {"id": "d", "cloud_provider": "local"})
    assert client.register_destination(dfile=dest, user=user)["status"] == "OK"
    changed = write(tmp_path / "d2.json", {"id": "d", "cloud_provider": "http", "base_url": "http://127.0.0.1:9/"})
    answer = client.register_destination(dfile=changed, user=user)
    assert answer["status"] == "ERROR" and answer["http_status"] == 409 and answer["code"] == "destination_exists"

    bad = write(tmp_path / "wf.json", {"workflow_id": "w", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "nope", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]})
    answer = client.register_workflow(wffile=bad, user=user)
    assert answer["status"] == "ERROR" and answer["http_status"] == 422
    assert answer["field"].startswith("/tasks/0/execution_configurations")

    assert client.launch_workflow(wid="w", user=user)["http_status"] == 404
    assert client.register_workflow(wffile=str(tmp_path / "missing.json"), user=user)["code"] == "invalid_file"
    assert client.register_destination(dfile=dest, user="somebody-else")["code"] == "wrong_user"

    wrong = SWEEPApiClient(account.username, "not the password", stack.url)
    answer = wrong.register_destination(dfile=dest, user=account.username)
    assert answer == {"status": "ERROR", "msg": "unknown username or wrong password", "code": "invalid_credentials",
                      "http_status": 401}
    someone = SWEEPApiClient("someone", account.key, stack.url)
    assert someone.register_destination(dfile=dest, user="someone")["code"] == "wrong_user"


def test_function_code_from_a_folder_or_a_py_file_and_launch_status_of_the_right_workflow(stack, account, tmp_path):
    client = SWEEPApiClient(account.username, account.password, stack.url)  # a cookie session
    user = account.username
    client.register_destination(dfile=write(tmp_path / "d.json", {"id": "here", "cloud_provider": "local"}), user=user)
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "main.py").write_text("import helper\ndef handler(event, context):\n    return {'v': helper.VALUE}\n")
    (folder / "helper.py").write_text("VALUE = 42\n")
    fdef = write(tmp_path / "f.json", {"id": "f", "destination_id": "here", "function_name": "f", "runtime": "python3.8"})
    answer = client.upload_function_def(function_def_file=fdef, function_code_file=str(folder), user=user)
    assert answer["status"] == "OK", answer
    wf = write(tmp_path / "w.json", {"workflow_id": "w", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]})
    assert client.register_workflow(wffile=wf, user=user)["status"] == "OK"
    lid = client.launch_workflow(wid="w", user=user)["launch_id"]
    api = SweepClient(stack.url, account.key)
    assert api.wait(lid)["tasks"][0]["output"] == {"v": 42}
    status = client.launch_status(wid="w", lid=lid, user=user)
    assert status["status"] == "OK" and status["state"] == "succeeded" and status["msg"] == f"Launch {lid} of workflow w: succeeded."
    assert client.launch_status(wid="other", lid=lid, user=user)["http_status"] == 404

    single = tmp_path / "main.py"
    single.write_text("def handler(event, context):\n    return {'v': 'single'}\n")
    assert client.upload_function_def(function_def_file=fdef, function_code_file=str(single), user=user)["status"] == "OK"
    assert api.wait(client.launch_workflow(wid="w", user=user)["launch_id"])["tasks"][0]["output"] == {"v": "single"}

    not_code = write(tmp_path / "notes.json", {})
    answer = client.upload_function_def(function_def_file=fdef, function_code_file=not_code, user=user)
    assert answer["status"] == "ERROR" and answer["code"] == "invalid_file"

    different = write(tmp_path / "f2.json", {"id": "f", "destination_id": "here", "function_name": "g"})
    answer = client.upload_function_def(function_def_file=different, function_code_file=str(single), user=user)
    assert answer["status"] == "ERROR" and answer["http_status"] == 409


def test_upload_container_def_registers_and_surfaces_the_image_endpoints_answer(stack, account, tmp_path):
    client = SWEEPApiClient(account.username, account.key, stack.url)
    user = account.username
    client.register_destination(dfile=write(tmp_path / "d.json", {"id": "here", "cloud_provider": "local"}), user=user)
    cdef = write(tmp_path / "c.json", {"id": "cdef_hello_world", "destination_id": "here", "image_name": "hello_world",
                                       "image_tag": "latest", "command": ["echo", "hi"]})
    assert client.upload_container_def(container_def_file=cdef, user=user) == {
        "status": "OK", "msg": "Successfully registered container cdef_hello_world.", "id": "cdef_hello_world"}
    # An archive that holds no image: whatever the server's image endpoint says about it, the client passes on.
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"hi\n"))
    image = tmp_path / "hello_world.tar"
    image.write_bytes(archive.getvalue())
    answer = client.upload_container_def(container_def_file=cdef, container_code_file=str(image), user=user)
    direct = requests.put(f"{stack.url}/api/v1/containers/cdef_hello_world/image", data=archive.getvalue(),
                          headers={"Authorization": "Bearer " + account.key, "Content-Type": "application/x-tar"})
    assert answer["status"] == "ERROR" and answer["http_status"] == direct.status_code
    assert answer["code"] == direct.json()["error"]["code"]
    assert answer["msg"].startswith("Registered container cdef_hello_world, but the image upload was refused: ")
    assert SweepClient(stack.url, account.key).container("cdef_hello_world")["image_name"] == "hello_world"
