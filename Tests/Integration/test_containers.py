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
from sweep_fixtures import demo_image, launch, register_demo_container, runs_by_id, upload_image


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
