"""SweepClient: the REST API (v1) through the client, against a real stack."""
import hashlib
import signal

import pytest
import requests

from conftest import free_port, local_function, one_task_workflow, zip_of
from sweep_client import SweepClient, SweepConnectionError, SweepError


def refused(call, *args, **kwargs):
    with pytest.raises(SweepError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_users_and_keys(stack, admin, account):
    client = SweepClient(stack.url, account.key)
    assert client.me() == {"username": account.username, "is_admin": False}
    created = client.create_api_key("ci")
    assert created["key"].startswith("sk_") and created["name"] == "ci"
    listed = {k["id"]: k for k in client.api_keys()}
    assert created["id"] in listed and "key" not in listed[created["id"]]
    second = SweepClient(stack.url, created["key"])
    assert second.me()["username"] == account.username
    client.delete_api_key(created["id"])
    error = refused(second.me)
    assert (error.status, error.code) == (401, "invalid_api_key")

    error = refused(client.create_user, "x", "pw-long-enough")
    assert error.status == 403
    boss = SweepClient(stack.url, admin.key)
    made = boss.create_user("py-made", "a-long-password-1")
    assert (made["username"], made["is_admin"]) == ("py-made", False)
    assert refused(boss.create_user, "py-made", "a-long-password-1").code == "user_exists"
    assert "py-made" in {u["username"] for u in boss.users()}
    boss.delete_user("py-made")
    assert "py-made" not in {u["username"] for u in boss.users()}


def test_a_cookie_session_signs_in_sends_the_csrf_header_and_logs_out(stack, account):
    client = SweepClient.login(stack.url, account.username, account.password)
    assert client.me()["username"] == account.username
    # A mutation on a cookie session: refused without `X-Requested-With: sweep`, which the client sends.
    assert client.register_destination({"id": "via-cookie", "cloud_provider": "local"})["status"] == "OK"
    # The session ends behind the client's back (another tab logged out): it signs in again, once.
    cookie = client._http._session
    assert requests.post(stack.url + "/api/v1/auth/logout", cookies={"sweep_session": cookie},
                         headers={"X-Requested-With": "sweep"}).status_code == 204
    assert client.me()["username"] == account.username and client._http._session != cookie
    cookie = client._http._session
    client.logout()
    assert requests.get(stack.url + "/api/v1/me", cookies={"sweep_session": cookie}).status_code == 401
    error = refused(SweepClient.login, stack.url, account.username, "wrong")
    assert (error.status, error.code) == (401, "invalid_credentials")


def test_definitions_and_lists_that_follow_cursors(stack, account, tmp_path):
    client = SweepClient(stack.url, account.key, page_size=2)
    for i in range(5):
        assert client.register_destination({"id": f"d{i}", "cloud_provider": "local"}) == {
            "status": "OK", "msg": f"Successfully registered destination d{i}.", "id": f"d{i}"}
    assert [d["id"] for d in client.destinations()] == [f"d{i}" for i in range(5)]
    error = refused(client.register_destination, {"id": "d0", "cloud_provider": "local"})
    assert (error.status, error.code, error.field) == (409, "destination_exists", "/id")
    client.replace_destination("d1", {"id": "d1", "cloud_provider": "http", "base_url": "http://127.0.0.1:9/"})
    assert client.destination("d1")["cloud_provider"] == "http"
    client.delete_destination("d4")
    error = refused(client.destination, "d4")
    assert (error.status, error.code) == (404, "not_found")

    # A definition may be given as the path of its JSON file.
    fdef = tmp_path / "f.json"
    fdef.write_text('{"id": "f", "destination_id": "d0", "function_name": "f"}')
    assert client.register_function(str(fdef))["id"] == "f"
    code = zip_of({"main.py": "def handler(event, context):\n    return {}\n"})
    uploaded = client.upload_function_code("f", code)
    assert uploaded["sha256"] == hashlib.sha256(code).hexdigest()
    assert client.function("f")["code_sha256"] == uploaded["sha256"]
    assert [f["id"] for f in client.functions()] == ["f"]
    client.delete_function("f")
    assert list(client.functions()) == []

    assert client.register_container({"id": "c", "destination_id": "d0", "image_name": "i", "image_tag": "t"})["id"] == "c"
    assert client.container("c")["image_tag"] == "t" and [c["id"] for c in client.containers()] == ["c"]
    client.delete_container("c")
    assert refused(client.container, "c").status == 404

    error = refused(client.register_function, {"id": "g", "destination_id": "nowhere", "function_name": "g"})
    assert (error.status, error.field) == (422, "/destination_id")


def test_workflow_versions(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "echo", "def handler(event, context):\n    return event['static_input']\n")
    first = client.register_workflow(one_task_workflow("w", "echo", {"v": 1}))
    assert (first["status"], first["workflow_id"], first["version"]) == ("OK", "w", 1)
    assert client.register_workflow(one_task_workflow("w", "echo", {"v": 2}))["version"] == 2
    assert client.workflow("w")["version"] == 2
    older = client.workflow("w", version=1)
    assert older["version"] == 1 and older["definition"]["tasks"][0]["properties"]["static_input"] == {"v": 1}
    assert [(w["workflow_id"], w["version"]) for w in client.workflows()] == [("w", 2)]
    old = client.launch("w", version=1, wait=30)
    assert old["version"] == 1 and old["tasks"][0]["output"] == {"v": 1}
    assert client.launch("w", wait=30)["tasks"][0]["output"] == {"v": 2}
    assert refused(client.launch, "w", version=3).status == 422
    client.delete_workflow("w")
    assert refused(client.workflow, "w").status == 404


def test_launch_with_wait_idempotency_lists_logs_and_stored_events(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "talk", "def handler(event, context):\n    print('said', event['static_input']['x'])\n"
                                   "    return {'x': event['static_input']['x']}\n")
    client.register_workflow(one_task_workflow("talk", "talk", {"x": 7}))
    done = client.launch("talk", input={"n": 1}, wait=30)
    assert done["state"] == "succeeded" and done["input"] == {"n": 1}
    assert done["tasks"][0]["output"] == {"x": 7}
    assert client.logs(done["launch_id"], "1") == "said 7\n"

    first = client.launch("talk", idempotency_key="once")
    again = client.launch("talk", idempotency_key="once")
    assert again["launch_id"] == first["launch_id"]
    client.wait(first["launch_id"])
    ids = {l["launch_id"] for l in client.launches(state="succeeded", workflow_id="talk")}
    assert ids == {done["launch_id"], first["launch_id"]}
    assert list(client.launches(state="failed")) == []

    stored = list(client.launch_events(done["launch_id"]))
    streamed = list(client.events(done["launch_id"]))
    assert [(e["id"], e["event"], e["data"]) for e in stored] == [tuple(e) for e in streamed]
    assert streamed[-1].event == "launch.succeeded"
    assert refused(client.launch_status, "no-such-launch").status == 404


def test_events_resume_after_an_id_and_stop_at_the_end(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "slow", "import time\ndef handler(event, context):\n    time.sleep(0.2)\n    return {}\n")
    client.register_workflow({"workflow_id": "chain", "tasks": [
        {"id": str(i), "execution_configurations": [{"function_def_id": "slow", "priority": 1}],
         "successors": [str(i + 1)] if i < 4 else [], "properties": {"position": "start"} if i == 1 else {}}
        for i in range(1, 5)]})
    launch_id = client.launch("chain")["launch_id"]
    seen = []
    stream = client.events(launch_id)
    for event in stream:
        seen.append(event)
        if event.event == "task.succeeded" and event.data["run_id"] == "2":
            break  # leave mid-launch
    rest = list(client.events(launch_id, last_event_id=stream.last_event_id))
    everything = seen + rest
    assert [e.id for e in everything] == sorted({e.id for e in everything})
    assert everything[-1].event == "launch.succeeded"
    assert [e.data["run_id"] for e in everything if e.event == "task.started"] == ["1", "2", "3", "4"]
    # Resuming after the end event: nothing more, and the iterator ends.
    assert list(client.events(launch_id, last_event_id=everything[-1].id)) == []


def test_events_reconnect_by_themselves_when_the_worker_restarts(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "slow", "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return {}\n")
    client.register_workflow({"workflow_id": "chain", "tasks": [
        {"id": str(i), "execution_configurations": [{"function_def_id": "slow", "priority": 1}],
         "successors": [str(i + 1)] if i < 4 else [], "properties": {"position": "start"} if i == 1 else {}}
        for i in range(1, 5)]})
    launch_id = client.launch("chain")["launch_id"]
    seen = []
    stream = client.events(launch_id)
    for event in stream:
        seen.append(event)
        if event.event == "task.started" and event.data["run_id"] == "2":
            # The scheduler is paused, so the launch's end can only happen after the connection is gone.
            scheduler = stack.schedulers[0]
            scheduler.send_signal(signal.SIGSTOP)
            try:
                worker = stack.workers[-1]
                worker.send_signal(signal.SIGTERM)  # the stream's connection goes with it
                worker.wait(timeout=30)
                stack.start_worker()
            finally:
                scheduler.send_signal(signal.SIGCONT)
    assert stream.reconnects >= 1
    assert seen[-1].event == "launch.succeeded"
    assert [e.id for e in seen] == [e["id"] for e in client.launch_events(launch_id)]


def test_cancel_ends_the_launch_and_its_stream(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "sleepy", "import time\ndef handler(event, context):\n    time.sleep(120)\n    return {}\n")
    client.register_workflow(one_task_workflow("sleepy", "sleepy"))
    launch_id = client.launch("sleepy")["launch_id"]
    kinds = []
    for event in client.events(launch_id):
        kinds.append(event.event)
        if event.event == "task.started":
            assert client.cancel(launch_id)["state"] == "cancelled"
    assert kinds[-1] == "launch.cancelled"
    assert client.wait(launch_id)["state"] == "cancelled"
    assert refused(client.cancel, launch_id).status == 409


def test_a_task_reports_progress_with_the_client_inside_its_own_code(stack, account):
    """The package zipped into a function's code: a task on the standard library alone reports progress."""
    import os
    import sweep_client
    package = os.path.dirname(sweep_client.__file__)
    files = {f"sweep_client/{name}": open(os.path.join(package, name)).read()
             for name in os.listdir(package) if name.endswith(".py")}
    files["main.py"] = ("from sweep_client import SweepClient\n"
                        "def handler(event, context):\n"
                        "    SweepClient.for_task().progress('half way', percent=50)\n"
                        "    return {'reported': True}\n")
    client = SweepClient(stack.url, account.key)
    client.register_destination({"id": "here", "cloud_provider": "local"})
    client.register_function({"id": "reporter", "destination_id": "here", "function_name": "reporter"})
    client.upload_function_code("reporter", zip_of(files))
    client.register_workflow(one_task_workflow("reporter", "reporter"))
    launch_id = client.launch("reporter")["launch_id"]
    progress = [e.data for e in client.events(launch_id) if e.event == "task.progress"]
    assert [(p["run_id"], p["percent"], p["message"]) for p in progress] == [("1", 50, "half way")]
    assert client.launch_status(launch_id)["tasks"][0]["output"] == {"reported": True}


def test_an_unreachable_server_is_a_connection_error(stack):
    error = refused(SweepClient(f"http://127.0.0.1:{free_port()}", "sk_x").me)
    assert isinstance(error, SweepConnectionError) and error.status is None


def test_the_users_event_stream_and_list_cover_every_launch(stack, account):
    client = SweepClient(stack.url, account.key)
    local_function(client, "echo", "def handler(event, context):\n    return {}\n")
    client.register_workflow(one_task_workflow("a", "echo"))
    client.register_workflow(one_task_workflow("b", "echo"))
    first = client.launch("a", wait=30)["launch_id"]
    stream = client.all_events()
    ended = []
    for event in stream:
        if event.event == "launch.succeeded":
            ended.append(event.data["launch_id"])
            if len(ended) == 1:
                second = client.launch("b")["launch_id"]  # launched while the stream is open
            else:
                break
    assert ended == [first, second]
    stored = list(client.user_events())
    assert {e["data"]["launch_id"] for e in stored} == {first, second}
    assert [e["id"] for e in client.user_events(after=stream.last_event_id - 1)] == [stream.last_event_id]
    assert all(e["id"] > stored[2]["id"] for e in client.launch_events(second, after=stored[2]["id"]))
