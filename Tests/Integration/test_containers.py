"""Issue 11, containers: tasks run their own user's uploaded image with podman, sandboxed; images arrive through
PUT /api/v1/containers/{id}/image."""
import io
import json
import os
import subprocess
import tarfile
import hashlib
import time

from stack import ROOT, wait_until
from sweep_fixtures import demo_image, launch, processes_with, register_demo_container, runs_by_id, upload_image


def logs(client, launch_id, run):
    r = client.get(f"/api/v1/launches/{launch_id}/tasks/{run}/logs")
    assert r.status_code == 200
    return r.text


def one_task(workflow_id, container_id="cdef_hello_world", **properties):
    return {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": container_id, "priority": 1}], "successors": [],
         "properties": {"position": "start", **properties}}]}


def run_command(client, workflow_id, command, container_id="cdef_hello_world"):
    assert client.post("/api/v1/workflows", json=one_task(workflow_id, container_id, command=command)).status_code == 201
    status = launch(client, workflow_id)
    return status, logs(client, status["launch_id"], "1")


def test_a_container_task_runs_in_its_image(user):
    register_demo_container(user)
    status, text = run_command(user, "where", ["sh", "-c", "test -e /usr/bin/apt-get && echo ON_HOST || echo IN_IMAGE; id -u"])
    assert status["state"] == "succeeded", (runs_by_id(status)["1"]["error"], text)
    assert text == "IN_IMAGE\n65534\n"


def crafted_image(marker, name="hello_world", tag="latest"):
    """A docker-archive made here, unlike the demo image: busybox plus /marker holding `marker`."""
    import platform
    busybox = subprocess.check_output(["sh", "-c", "command -v busybox"], text=True).strip()
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.USTAR_FORMAT) as t:
        t.add(busybox, arcname="bin/busybox")
        for applet in ("sh", "cat", "echo"):
            link = tarfile.TarInfo("bin/" + applet)
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(link)
        data = marker.encode()
        info = tarfile.TarInfo("marker")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    layer_bytes = layer.getvalue()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    config = json.dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["cat", "/marker"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_bytes).hexdigest()]}}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [f"{name}:{tag}"], "Layers": ["layer.tar"]}]).encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for file_name, data in (("manifest.json", manifest), (config_name, config), ("layer.tar", layer_bytes)):
            info = tarfile.TarInfo(file_name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return archive.getvalue()


def test_image_upload_answers(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/containers", json={"id": "hw", "destination_id": "here", "image_name": "hello_world",
                                                 "image_tag": "latest"}).status_code == 201
    archive = demo_image()
    assert user.get("/api/v1/containers/hw").json()["image_digest"] is None
    r = upload_image(user, "hw")
    assert r.status_code == 200, r.text
    body = r.json()
    shown = user.get("/api/v1/containers/hw").json()
    assert (shown["image_digest"], shown["image_id"]) == (body["digest"], body["image_id"])
    assert body["status"] == "OK" and body["image"] == "hello_world:latest"
    assert body["digest"] == "sha256:" + hashlib.sha256(archive).hexdigest()
    r = upload_image(user, "hw")
    assert r.status_code == 409 and r.json()["error"]["code"] == "image_exists"
    assert upload_image(user, "hw", overwrite=True).status_code == 200
    r = upload_image(user, "hw", archive=b"not a tar at all" * 100)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_image_archive"
    assert "it is not a tar archive (" in r.json()["error"]["message"] and "notATar" not in r.json()["error"]["message"]
    # Larger than every other route allows (16 MiB): nginx and the worker let an image through to be checked.
    r = upload_image(user, "hw", archive=bytes(20 << 20))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_image_archive"
    assert user.post("/api/v1/containers", json={"id": "other", "destination_id": "here", "image_name": "other",
                                                 "image_tag": "v1"}).status_code == 201
    r = upload_image(user, "other")
    assert r.status_code == 422 and r.json()["error"]["code"] == "image_not_in_archive"
    assert "hello_world:latest" in r.json()["error"]["message"]
    r = upload_image(user, "nope")
    assert r.status_code == 404


def test_put_container_updates_its_command(user):
    register_demo_container(user, command=["echo", "one"])
    assert user.post("/api/v1/workflows", json=one_task("cmd")).status_code == 201
    status = launch(user, "cmd")
    assert logs(user, status["launch_id"], "1") == "one\n"
    definition = {"id": "cdef_hello_world", "destination_id": "here", "image_name": "hello_world", "image_tag": "latest",
                  "command": ["echo", "two"], "cpu": 0.25, "memory": 32}
    r = user.put("/api/v1/containers/cdef_hello_world", json=definition)
    assert r.status_code == 200, r.text
    assert user.get("/api/v1/containers/cdef_hello_world").json()["command"] == ["echo", "two"]
    status = launch(user, "cmd")
    assert status["state"] == "succeeded" and logs(user, status["launch_id"], "1") == "two\n"
    assert user.put("/api/v1/containers/missing", json={**definition, "id": "missing"}).status_code == 404
    r = user.put("/api/v1/containers/cdef_hello_world", json={**definition, "id": "else"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "/id"


def test_users_never_run_each_others_images(user, other_user):
    register_demo_container(user)
    # The other user names the same image and tag, but has uploaded nothing: the first user's image, loaded on
    # this host, does not stand in for it.
    assert other_user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert other_user.post("/api/v1/containers", json={"id": "cdef_hello_world", "destination_id": "here",
                                                       "image_name": "hello_world", "image_tag": "latest"}).status_code == 201
    command = ["sh", "-c", "cat /marker 2>/dev/null || echo no-marker"]
    status, _ = run_command(other_user, "mine", command)
    assert status["state"] == "failed" and "has not been uploaded" in runs_by_id(status)["1"]["error"], (status, logs(other_user, status["launch_id"], "1"))
    # Now each has their own hello_world:latest, and each runs their own.
    assert upload_image(other_user, "cdef_hello_world", archive=crafted_image("the other user's image")).status_code == 200
    status = launch(other_user, "mine")
    text = logs(other_user, status["launch_id"], "1")
    assert status["state"] == "succeeded" and text == "the other user's image", (runs_by_id(status)["1"]["error"], text)
    status, text = run_command(user, "mine", command)
    assert status["state"] == "succeeded" and text == "no-marker\n", (runs_by_id(status)["1"]["error"], text)


def test_hostile_container_cannot_leave_its_sandbox(stack, user):
    import socket
    import random
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    marker = str(random.randrange(10**8, 10**9))
    pattern = marker[:4] + "[" + marker[4] + "]" + marker[5:]  # a regex that does not match grep's own command line
    probe = f"""
        echo uid=$(id -u)
        nc -w 2 127.0.0.1 {stack.pg_port} </dev/null >/dev/null 2>&1 && echo pg_tcp=connected || echo pg_tcp=refused
        test -e {stack.workdir}/pg/sock && echo pg_socket=visible || echo pg_socket=absent
        nc -w 2 127.0.0.1 {listener.getsockname()[1]} </dev/null >/dev/null 2>&1 && echo listener=connected || echo listener=refused
        nc -w 2 127.0.0.1 {stack.port} </dev/null >/dev/null 2>&1 && echo api_tcp=connected || echo api_tcp=refused
        cat {ROOT}/README.md >/dev/null 2>&1 && echo project=readable || echo project=unreadable
        cat {stack.workdir}/nginx.conf >/dev/null 2>&1 && echo stack=readable || echo stack=unreadable
        (echo x > /etc/probe) 2>/dev/null && echo etc=written || echo etc=refused
        (echo x > /probe) 2>/dev/null && echo root=written || echo root=refused
        env | grep -q SWEEP_DATABASE_URL && echo env=leaked || echo env=clean
        wget -q -O /dev/null --header "Authorization: Bearer $SWEEP_TASK_TOKEN" --header "Content-Type: application/json" \
            --post-data '{{"percent": 50, "message": "from the container"}}' "$SWEEP_API_URL/api/v1/progress" \
            && echo api=reachable || echo api=unreachable
        setsid sleep {marker} &
        i=0; while [ $i -lt 100 ] && ! grep -qs '{pattern}' /proc/[0-9]*/cmdline; do i=$((i+1)); sleep 0.02; done
        grep -qs '{pattern}' /proc/[0-9]*/cmdline && echo daemon=running
    """
    register_demo_container(user)
    status, text = run_command(user, "hostile", ["sh", "-c", probe])
    assert status["state"] == "succeeded", (runs_by_id(status)["1"]["error"], text)
    report = dict(line.split("=", 1) for line in text.split())
    assert report == {"uid": "65534", "pg_tcp": "refused", "pg_socket": "absent", "listener": "refused", "api_tcp": "refused",
                      "project": "unreadable", "stack": "unreadable", "etc": "refused", "root": "refused", "env": "clean",
                      "api": "reachable", "daemon": "running"}, text
    # Sweep's API, and only it, through the forwarder whose network namespace the container shares.
    events = user.get(f"/api/v1/launches/{status['launch_id']}/events").json()
    events = events["items"] if isinstance(events, dict) else events
    assert any(e["event"] == "task.progress" and e["data"].get("message") == "from the container" for e in events), events
    try:
        listener.accept()
        raise AssertionError("the host listener received a connection from the container")
    except BlockingIOError:
        pass
    finally:
        listener.close()
    wait_until(lambda: not processes_with(b"sleep\0" + marker.encode() + b"\0"), timeout=3, interval=0.05,
               what="the container's setsid daemon to be gone")


def podman(stack, *args):
    return subprocess.run(["podman", "--root", stack.podman_root + "/storage", "--runroot", stack.podman_runroot, "--runtime", "runc", *args],
                          capture_output=True, text=True, check=True).stdout


def test_cancel_stops_a_sleeping_container_within_two_seconds(stack, user):
    register_demo_container(user)
    assert user.post("/api/v1/workflows", json=one_task("sleepy", command=["sleep", "600"])).status_code == 201
    launched = user.post("/api/v1/workflows/sleepy/launches", json={}).json()
    label = "label=sweep.launch=" + launched["launch_id"]
    wait_until(lambda: podman(stack, "ps", "--filter", label, "--filter", "status=running", "--format", "{{.ID}}").strip(),
               timeout=60, interval=0.1, what="the container to run")
    started = time.monotonic()
    r = user.post(f"/api/v1/launches/{launched['launch_id']}/cancel")
    assert r.status_code == 202
    wait_until(lambda: not podman(stack, "ps", "--all", "--filter", label, "--format", "{{.ID}}").strip(),
               timeout=2, interval=0.05, what="the container to be stopped and removed")
    assert time.monotonic() - started < 2
    status = user.get(f"/api/v1/launches/{launched['launch_id']}").json()
    assert status["state"] == "cancelled" and runs_by_id(status)["1"]["state"] == "cancelled"


def test_a_scheduler_removes_containers_a_dead_scheduler_left(stack, user):
    register_demo_container(user)
    status, _ = run_command(user, "loads", ["true"])  # the image is now in this stack's podman
    assert status["state"] == "succeeded"
    image_id = upload_image(user, "cdef_hello_world", overwrite=True).json()["image_id"].split(":")[1]
    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = podman(stack, "run", "-d", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--network", "none",
                    "--label", f"sweep.scheduler.pid={dead.pid}", "--label", "sweep.run=0", image_id, "sleep", "600").strip()
    assert podman(stack, "ps", "--filter", "id=" + orphan, "--format", "{{.ID}}").strip()
    scheduler = stack.start_scheduler()
    try:
        wait_until(lambda: not podman(stack, "ps", "--all", "--filter", "id=" + orphan, "--format", "{{.ID}}").strip(),
                   timeout=30, interval=0.1, what="the orphaned container to be removed")
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=15)
        stack.schedulers.remove(scheduler)


def test_max_task_runtime_kills_and_removes_the_container(stack, user):
    register_demo_container(user)
    definition = one_task("slow", command=["sleep", "600"])
    definition["config"] = {"max_task_runtime": 2}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "slow")
    assert status["state"] == "failed" and "timed out" in runs_by_id(status)["1"]["error"], status
    label = "label=sweep.launch=" + status["launch_id"]
    wait_until(lambda: not podman(stack, "ps", "--all", "--filter", label, "--format", "{{.ID}}").strip(),
               timeout=5, interval=0.05, what="the timed-out container to be removed")


def test_a_stopping_scheduler_removes_its_containers():
    from stack import Stack
    own = Stack().start()
    try:
        client = own.create_user("stopper")
        register_demo_container(client)
        assert client.post("/api/v1/workflows", json=one_task("sleepy", command=["sleep", "600"])).status_code == 201
        launched = client.post("/api/v1/workflows/sleepy/launches", json={}).json()
        label = "label=sweep.launch=" + launched["launch_id"]
        wait_until(lambda: podman(own, "ps", "--filter", label, "--filter", "status=running", "--format", "{{.ID}}").strip(),
                   timeout=60, interval=0.1, what="the container to run")
        scheduler = own.schedulers[0]
        scheduler.terminate()
        scheduler.wait(timeout=30)
        assert not podman(own, "ps", "--all", "--filter", label, "--format", "{{.ID}}").strip()
    finally:
        own.stop()


def test_tenant_words_reach_the_container_literally_never_the_host_shell(user):
    import random
    witness = f"/tmp/sweep-injected-{random.randrange(10**9)}"
    value = f"$child $(touch {witness}) `touch {witness}` 'quoted' \"double\""
    register_demo_container(user)
    definition = one_task("literal", command=["sh", "-c", 'printf "%s|%s" "$V" "$1"', "sh", value],
                          environment=[{"name": "V", "value": value}])
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "literal")
    assert status["state"] == "succeeded", runs_by_id(status)["1"]["error"]
    assert logs(user, status["launch_id"], "1") == value + "|" + value
    assert not os.path.exists(witness)
