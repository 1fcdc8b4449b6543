"""SweepClient covers every endpoint of API.md, the v1.1 additions included (signals, runs, artifacts, executors,
container updates, child launches): each method against a real stack."""
import pytest

from sweep_client import SweepClient, SweepError


def test_signals_runs_and_child_launches(stack, account):
    client = SweepClient(stack.url, account.key, page_size=1)
    client.register_workflow({"workflow_id": "kid", "tasks": [
        {"id": "k", "type": "timer", "successors": [], "properties": {"position": "start", "duration": 0}}]})
    client.register_workflow({"workflow_id": "approve", "tasks": [
        {"id": "ok", "type": "signal", "successors": ["child"], "properties": {"position": "start"}},
        {"id": "child", "type": "workflow", "successors": [], "properties": {"workflow_id": "kid"}}]})
    launch_id = client.launch("approve")["launch_id"]
    answer = client.signal(launch_id, "ok", {"approved": True})
    assert answer["launch_id"] == launch_id and answer["task_id"] == "ok", answer
    with pytest.raises(SweepError) as caught:
        client.signal(launch_id, "nosuch")
    assert caught.value.status == 404
    assert client.wait(launch_id)["state"] == "succeeded"
    runs = list(client.runs(launch_id))
    assert sorted(r["run_id"] for r in runs) == ["child", "ok"]
    assert [r["output"] for r in client.runs(launch_id, task_id="ok")] == [{"approved": True}]
    children = list(client.launches(parent_launch_id=launch_id))
    assert [c["workflow_id"] for c in children] == ["kid"] and children[0]["parent_launch_id"] == launch_id


def test_artifacts_executors_and_container_updates(stack, account, tmp_path):
    client = SweepClient(stack.url, account.key)
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01 artifact")
    assert client.upload_artifact("data.bin", path)["size"] == 11
    assert [a["name"] for a in client.artifacts()] == ["data.bin"]
    assert client.get_artifact("data.bin") == b"\x00\x01 artifact"
    client.delete_artifact("data.bin")
    assert list(client.artifacts()) == []

    made = client.create_executor("worker-1", "py-exec")
    assert (made["name"], made["type"]) == ("worker-1", "py-exec")
    assert [e["id"] for e in client.executors()] == [made["id"]]
    assert client.executor(made["id"])["online"] is True
    assert client.assignments(made["id"], wait=0, max=1) == []
    client.delete_executor(made["id"])
    assert list(client.executors()) == []

    client.register_destination({"id": "here", "cloud_provider": "local"})
    client.register_container({"id": "c", "destination_id": "here", "image_name": "busybox", "image_tag": "latest",
                               "cpu": 1, "memory": 128})
    assert client.replace_container("c", {"id": "c", "destination_id": "here", "image_name": "busybox",
                                          "image_tag": "latest", "cpu": 2, "memory": 256})["status"] == "OK"
    assert (client.container("c")["cpu"], client.container("c")["memory"]) == (2, 256)
    archive = tmp_path / "not-an-image.tar"
    archive.write_bytes(b"not a tar")
    with pytest.raises(SweepError) as caught:
        client.upload_container_image("c", archive)
    assert caught.value.status == 400 and caught.value.code == "invalid_image_archive"


def test_pushing_a_container_definition_again_updates_it(stack, account, tmp_path):
    # API.md: "PUT /api/v1/containers/{id} … updates cpu, memory, command (SWEEP: pushing a definition again
    # updates these)". SWEEPApiClient.upload_container_def answered 409 container_exists instead.
    import json
    from sweep_client import SWEEPApiClient
    client = SWEEPApiClient(account.username, account.key, stack.url)
    user = account.username
    dest = tmp_path / "d.json"
    dest.write_text(json.dumps({"id": "here", "cloud_provider": "local"}))
    client.register_destination(dfile=str(dest), user=user)
    cdef = tmp_path / "c.json"
    definition = {"id": "cdef_push", "destination_id": "here", "image_name": "hello_world", "image_tag": "latest",
                  "cpu": 1, "memory": 128, "command": ["echo", "one"]}
    cdef.write_text(json.dumps(definition))
    assert client.upload_container_def(container_def_file=str(cdef), user=user)["status"] == "OK"
    cdef.write_text(json.dumps(dict(definition, cpu=2, memory=256, command=["echo", "two"])))
    answer = client.upload_container_def(container_def_file=str(cdef), user=user)
    assert answer["status"] == "OK" and answer["id"] == "cdef_push", answer
    stored = SweepClient(stack.url, account.key).container("cdef_push")
    assert (stored["cpu"], stored["memory"], stored["command"]) == (2, 256, ["echo", "two"]), stored
    # The same definition once more is still "already registered", not an update.
    assert "already registered" in client.upload_container_def(container_def_file=str(cdef), user=user)["msg"]
