"""Issue 11, sandboxes: a hostile local function (bubblewrap) tries to leave its sandbox and fails; the API stays
reachable through the forwarder on the sandbox's own loopback."""
import json
import os
import socket
import uuid

from stack import ROOT, wait_until
from sweep_fixtures import launch, runs_by_id, zip_of


def processes_with(marker):
    """Pids of processes anywhere on this machine whose command line holds `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


HOSTILE = r'''
import json, os, socket, subprocess, time, urllib.request

def attempt(action):
    try:
        return "allowed: " + repr(action())[:200]
    except Exception as e:
        return "refused: " + type(e).__name__

def connect_tcp(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"

def connect_unix(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    s.connect(path)
    return "connected"

def write(path):
    with open(path, "w") as f:
        f.write("x")
    return path

def handler(event, context):
    probe = event["static_input"]
    report = {
        "uid": os.getuid(), "gid": os.getgid(),
        "setuid0": attempt(lambda: os.setuid(0)),
        "postgres_tcp": attempt(lambda: connect_tcp(probe["pg_port"])),
        "postgres_socket": attempt(lambda: connect_unix(probe["pg_socket"])),
        "host_listener": attempt(lambda: connect_tcp(probe["listener_port"])),
        "api_tcp_port": attempt(lambda: connect_tcp(probe["api_port"])),
        "read_project": attempt(lambda: open(os.path.join(probe["root"], "README.md")).read(10)),
        "list_project": attempt(lambda: os.listdir(probe["root"])),
        "read_stack": attempt(lambda: open(probe["stack_file"]).read(10)),
        "read_admin_env": attempt(lambda: open(os.path.join(probe["root"], ".data", "admin.env")).read()),
        "write_etc": attempt(lambda: write("/etc/sweep-probe")),
        "write_usr": attempt(lambda: write("/usr/sweep-probe")),
        "write_root": attempt(lambda: write("/sweep-probe")),
        "write_work": attempt(lambda: write("probe.txt")),
        "environment": sorted(os.environ),
    }
    # The API is reachable through the forwarder, with plain urllib.
    request = urllib.request.Request(os.environ["SWEEP_API_URL"] + "/api/v1/progress", method="POST",
                                     data=json.dumps({"percent": 50, "message": "from the sandbox"}).encode(),
                                     headers={"Authorization": "Bearer " + os.environ["SWEEP_TASK_TOKEN"],
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        report["progress_status"] = r.status
    # A daemon that leaves the session and the process group: it must still end with the run.
    subprocess.Popen(["setsid", "python3", "-c", "import time; time.sleep(600)", probe["marker"]],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def marked(pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return probe["marker"].encode() in f.read()
        except OSError:
            return False  # that process ended between the listing and the read (setsid itself forks and exits)

    deadline = time.time() + 10
    while time.time() < deadline and not any(marked(p) for p in os.listdir("/proc") if p.isdigit()):
        time.sleep(0.01)
    report["daemon_started"] = True
    return report
'''


def test_hostile_local_function_cannot_leave_its_sandbox(stack, user):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    marker = "sweep-daemon-" + uuid.uuid4().hex
    probe = {"pg_port": stack.pg_port, "pg_socket": os.path.join(stack.workdir, "pg", "sock", f".s.PGSQL.{stack.pg_port}"),
             "listener_port": listener.getsockname()[1], "api_port": stack.port, "root": ROOT,
             "stack_file": os.path.join(stack.workdir, "nginx.conf"), "marker": marker}
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "hostile", "destination_id": "here", "function_name": "hostile",
                                                 "runtime": "python3.8"}).status_code == 201
    assert user.put("/api/v1/functions/hostile/code", data=zip_of({"main.py": HOSTILE}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    assert user.post("/api/v1/workflows", json={"workflow_id": "hostile", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "hostile", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": probe}}]}).status_code == 201
    status = launch(user, "hostile")
    assert status["state"] == "succeeded", (runs_by_id(status)["1"]["error"], user.get(f"/api/v1/launches/{status['launch_id']}/tasks/1/logs").text)
    report = runs_by_id(status)["1"]["output"]

    assert report["uid"] == 65534 and report["gid"] == 65534
    assert report["setuid0"].startswith("refused"), report
    for probe_name in ("postgres_tcp", "postgres_socket", "host_listener", "api_tcp_port", "read_project", "list_project",
                       "read_stack", "read_admin_env", "write_etc", "write_usr", "write_root"):
        assert report[probe_name].startswith("refused"), (probe_name, report[probe_name])
    assert report["write_work"].startswith("allowed")
    assert not [name for name in report["environment"] if name in ("SWEEP_DATABASE_URL", "PGPASSWORD", "SWEEP_MIGRATIONS")]
    try:
        listener.accept()
        raise AssertionError("the host listener received a connection from the sandbox")
    except BlockingIOError:
        pass
    finally:
        listener.close()

    # Progress went through the forwarder to the API.
    assert report["progress_status"] == 202
    events = user.get(f"/api/v1/launches/{status['launch_id']}/events").json()
    events = events["items"] if isinstance(events, dict) else events
    assert any(e["event"] == "task.progress" and e["data"].get("message") == "from the sandbox" for e in events), events

    # The setsid daemon died with the run's PID namespace.
    assert report["daemon_started"]
    wait_until(lambda: not processes_with(marker), timeout=3, interval=0.05, what="the run's setsid daemon to be gone")


def test_local_children_die_with_their_scheduler():
    """A scheduler killed outright (no chance to clean up) takes its sandboxes with it (bwrap --die-with-parent)."""
    import random
    import signal
    from stack import Stack
    seconds = str(random.randrange(10**8, 10**9))  # a sleep no other process on this machine runs
    cmdline = b"sleep\0" + seconds.encode() + b"\0"

    def sleeping():
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if f.read() == cmdline:
                            with open(f"/proc/{entry}/stat") as s:
                                if s.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                                    found.append(entry)
                except OSError:
                    pass
        return found

    own = Stack().start()
    try:
        client = own.create_user("killer")
        assert client.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
        assert client.post("/api/v1/functions", json={"id": "sleeper", "destination_id": "here", "function_name": "sleeper",
                                                       "runtime": "python3.8"}).status_code == 201
        code = f"import subprocess\ndef handler(event, context):\n    subprocess.run(['sleep', '{seconds}'])\n    return {{}}\n"
        assert client.put("/api/v1/functions/sleeper/code", data=zip_of({"main.py": code}),
                          headers={"Content-Type": "application/zip"}).status_code == 200
        assert client.post("/api/v1/workflows", json={"workflow_id": "sleepy", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "sleeper", "priority": 1}], "successors": [],
             "properties": {"position": "start"}}]}).status_code == 201
        assert client.post("/api/v1/workflows/sleepy/launches", json={}).status_code == 202
        wait_until(sleeping, timeout=30, what="the sandboxed sleep to start")
        own.schedulers[0].send_signal(signal.SIGKILL)
        own.schedulers[0].wait(timeout=10)
        wait_until(lambda: not sleeping(), timeout=3, interval=0.05, what="the sandbox to die with its scheduler")
    finally:
        own.stop()


def test_a_node_function_runs_in_the_sandbox_too(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "js", "destination_id": "here", "function_name": "js",
                                                 "runtime": "nodejs12.x"}).status_code == 201
    code = ("const fs = require('fs');\n"
            "exports.handler = async (event) => {\n"
            "  let etc = 'writable'; try { fs.writeFileSync('/etc/probe', 'x'); } catch (e) { etc = e.code; }\n"
            "  return { uid: process.getuid(), cwd: process.cwd(), etc, got: event.static_input };\n"
            "};\n")
    assert user.put("/api/v1/functions/js/code", data=zip_of({"main.js": code}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    assert user.post("/api/v1/workflows", json={"workflow_id": "js", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "js", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"n": 1}}}]}).status_code == 201
    status = launch(user, "js")
    assert status["state"] == "succeeded", runs_by_id(status)["1"]["error"]
    assert runs_by_id(status)["1"]["output"] == {"uid": 65534, "cwd": "/work", "etc": "EROFS", "got": {"n": 1}}
