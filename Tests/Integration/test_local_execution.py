"""Issue 4 and 11: seed examples 6-8 as written, in containers of the busybox demo image (podman); zipped
functions in bubblewrap; cancellation."""
import os
import random

from sweep_fixtures import SEED_FUNCTIONS, launch, processes_with, register_demo_container, register_http_functions, runs_by_id, seed_example, zip_of
from stack import wait_until


def logs(client, launch_id, run):
    r = client.get(f"/api/v1/launches/{launch_id}/tasks/{run}/logs")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    return r.text


def local_catalog(client, functions):
    register_demo_container(client)
    register_http_functions(client, functions.url, SEED_FUNCTIONS)


def test_example6_overrides_command_and_environment(user, functions):
    local_catalog(user, functions)
    assert user.post("/api/v1/workflows", json=seed_example("wf_overrides")).status_code == 201
    status = launch(user, "wf_overrides")
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    assert logs(user, status["launch_id"], "1") == "ka\n"
    assert runs_by_id(status)["1"]["output"] == {}


def test_example7_scatters_environments_over_containers(user, functions):
    local_catalog(user, functions)
    assert user.post("/api/v1/workflows", json=seed_example("wf_overrides_dynamic")).status_code == 201
    status = launch(user, "wf_overrides_dynamic")
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    assert set(runs_by_id(status)) == {"1", "2_A", "2_B", "2_C"}
    assert [logs(user, status["launch_id"], "2_" + s) for s in "ABC"] == ["1\n", "2\n", "3\n"]


def test_example8_static_output_carries_environment_downstream(user, functions):
    local_catalog(user, functions)
    assert user.post("/api/v1/workflows", json=seed_example("wf_static_output")).status_code == 201
    status = launch(user, "wf_static_output")
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    runs = runs_by_id(status)
    assert set(runs) == {"1", "2_A", "2_B", "2_C", "3_A", "3_B", "3_C", "4_A", "4_B", "4_C"}
    for i, s in enumerate("ABC", 1):
        expected_env = [{"name": "IND", "value": str(i)}, {"name": "VAR", "value": "hello"}]
        assert runs["2_" + s]["output"] == {"static_output": expected_env}
        assert runs["3_" + s]["output"] == {"static_output": expected_env}
        assert runs["3_" + s]["predecessors"] == ["2_" + s] and runs["4_" + s]["predecessors"] == ["3_" + s]
        for task in "234":
            assert logs(user, status["launch_id"], f"{task}_{s}") == f"{i}\n"


def test_zipped_python_function_runs_locally(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "split", "destination_id": "here", "function_name": "split",
                                                 "runtime": "python3.8", "environment_variables": {"GREETING": "hi"}}).status_code == 201
    code = ("import os\n"
            "def handler(event, context):\n"
            "    print('visible in the log')\n"
            "    return {'tile': [{'tile_id': i} for i in range(1, 4)], 'greeting': os.environ['GREETING'],\n"
            "            'leaked': 'SWEEP_DATABASE_URL' in os.environ, 'run': context.run_id, 'got': event}\n")
    r = user.put("/api/v1/functions/split/code", data=zip_of({"main.py": code}), headers={"Content-Type": "application/zip"})
    assert r.status_code == 200
    definition = {"workflow_id": "local_fn", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "split", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"x": 1}}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "local_fn")
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    output = runs_by_id(status)["1"]["output"]
    assert output["greeting"] == "hi" and output["leaked"] is False and output["run"] == "1"
    assert output["got"] == {"predecessor_outputs": {}, "static_input": {"x": 1}}
    assert "visible in the log" in logs(user, status["launch_id"], "1")


def test_cancel_stops_a_running_sleep_within_a_second(user):
    """A local function's child `sleep`, inside its sandbox, is gone within a second of the cancel."""
    seconds = str(random.randrange(10**8, 10**9))  # a sleep no other process on this machine runs
    cmdline = b"sleep\0" + seconds.encode() + b"\0"
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "sleeper", "destination_id": "here", "function_name": "sleeper",
                                                 "runtime": "python3.8"}).status_code == 201
    code = f"import subprocess\ndef handler(event, context):\n    subprocess.run(['sleep', '{seconds}'])\n    return {{}}\n"
    assert user.put("/api/v1/functions/sleeper/code", data=zip_of({"main.py": code}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    definition = {"workflow_id": "sleepy", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "sleeper", "priority": 1}], "successors": [],
         "properties": {"position": "start"}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    launched = user.post("/api/v1/workflows/sleepy/launches", json={}).json()
    wait_until(lambda: processes_with(cmdline), timeout=30, what="the sleep to start")
    r = user.post(f"/api/v1/launches/{launched['launch_id']}/cancel")
    assert r.status_code == 202 and r.json()["state"] == "cancelled"

    def gone():
        # Exited, or a zombie waiting for this machine's init to reap it (it no longer runs either way).
        for pid in processes_with(cmdline):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                        return False
            except FileNotFoundError:
                pass
        return True
    wait_until(gone, timeout=1.0, interval=0.01, what="the sleep to be killed")
    status = user.get(f"/api/v1/launches/{launched['launch_id']}").json()
    assert status["state"] == "cancelled" and runs_by_id(status)["1"]["state"] == "cancelled"
    assert user.post(f"/api/v1/launches/{launched['launch_id']}/cancel").status_code == 409
