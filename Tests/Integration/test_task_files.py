"""Issue 16, task files: input_files (literal and computed), artifacts staged read-only into the working directory of
local functions (bubblewrap) and containers (podman), output_files collected after the run (a failed one too) and
downloaded byte-identical, stdout and stderr apart, the run API's artifacts and files by task token, and 404 for
another user on every file route. The same suite runs on both blob stores: PostgreSQL and S3 (moto on loopback)."""
import hashlib
import json
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from moto_s3 import MotoS3
from stack import Stack, wait_until
from sweep_fixtures import launch, register_demo_container, runs_by_id, zip_of

ARTIFACT = os.urandom(3 * 1000 * 1000)
ARTIFACT_SHA = hashlib.sha256(ARTIFACT).hexdigest()
SAMPLE = "variable nsteps equal {} # simulation steps"


@pytest.fixture(scope="module", params=["postgres", "s3"])
def files_stack(request):
    moto = None
    stack = None
    try:
        env = {"SWEEP_LIMIT_STORED_BYTES": str(64 << 20), "SWEEP_RETENTION_INTERVAL_MS": "200"}
        if request.param == "s3":
            moto = MotoS3(tempfile.mkdtemp(prefix="moto-", dir=os.environ.get("SWEEP_TEST_OUTPUT")))
            env.update(moto.stack_env())
        stack = Stack(env=env, worker_threads=4)
        stack.backend = request.param
        stack.moto = moto
        stack.start(schedulers=1)
        yield stack
    finally:
        if stack:
            stack.stop()
        if moto:
            moto.stop()


_users = [0]


def new_user(stack, prefix="tf"):
    _users[0] += 1
    return stack.create_user(f"{prefix}{_users[0]}-{stack.backend}-{os.getpid()}")


def upload_artifact(user, name="largefile.bin", data=ARTIFACT):
    r = user.put(f"/api/v1/artifacts/{name}", data=data, headers={"X-Sweep-Sha256": hashlib.sha256(data).hexdigest()})
    assert r.status_code == 201, r.text


def files_of(user, launch_id, run):
    r = user.get(f"/api/v1/launches/{launch_id}/tasks/{run}/files")
    assert r.status_code == 200, r.text
    return {f["name"]: f for f in r.json()["items"]}


def file_bytes(user, launch_id, run, name):
    r = user.get(f"/api/v1/launches/{launch_id}/tasks/{run}/files/{name}")
    assert r.status_code == 200, r.text
    assert r.headers["X-Sweep-Sha256"] == hashlib.sha256(r.content).hexdigest()
    return r.content


def stream(user, launch_id, run, which):
    r = user.get(f"/api/v1/launches/{launch_id}/tasks/{run}/logs", params={"stream": which})
    assert r.status_code == 200, r.text
    return r.text


JOB = """import hashlib, os, sys
def handler(event, context):
    sample = open('sample.in').read()
    data = open('largefile.bin', 'rb').read()
    try:
        open('largefile.bin', 'ab').write(b'x')
        writable = True
    except OSError:
        writable = False
    open('output1.txt', 'w').write(sample)
    open('frame_1.dat', 'wb').write(data[:1000])
    open('frame_2.dat', 'wb').write(hashlib.sha256(data).hexdigest().encode())
    open('not_collected.txt', 'w').write('left behind')
    print('a function print is its run stdout')
    if event['static_input'].get('fail'):
        raise RuntimeError('the job failed after writing its outputs')
    return {'nsteps_line': sample, 'artifact_writable': writable}
"""


def register_job(user):
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code in (201, 409)
    r = user.post("/api/v1/functions", json={"id": "job", "destination_id": "here", "function_name": "job", "runtime": "python3.8"})
    assert r.status_code in (201, 409), r.text
    r = user.put("/api/v1/functions/job/code", data=zip_of({"main.py": JOB}), headers={"Content-Type": "application/zip"})
    assert r.status_code == 200, r.text


def job_workflow(workflow_id, nsteps, **static):
    return {"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "job", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"nsteps": nsteps, **static}, "scatter": "static_input['nsteps']",
                        "input_files": [{"name": "sample.in",
                                         "contents_expr": "'variable nsteps equal ' + str(static_input['nsteps']) + ' # simulation steps'"}],
                        "artifacts": ["largefile.bin"], "output_files": ["output1.txt", "frame_*.dat"]}}]}


def test_a_local_function_reads_its_files_and_its_outputs_download_byte_identical(files_stack):
    user = new_user(files_stack)
    register_job(user)
    upload_artifact(user)
    assert user.post("/api/v1/workflows", json=job_workflow("hpc", [100, 200, 300])).status_code == 201
    status = launch(user, "hpc")
    assert status["state"] == "succeeded", [(t["run_id"], t["error"]) for t in status["tasks"]]
    runs = runs_by_id(status)
    for run, nsteps in (("1_A", 100), ("1_B", 200), ("1_C", 300)):
        assert runs[run]["output"] == {"nsteps_line": SAMPLE.format(nsteps), "artifact_writable": False}
        listed = files_of(user, status["launch_id"], run)
        assert sorted(listed) == ["frame_1.dat", "frame_2.dat", "output1.txt"]
        assert file_bytes(user, status["launch_id"], run, "output1.txt") == SAMPLE.format(nsteps).encode()
        assert file_bytes(user, status["launch_id"], run, "frame_1.dat") == ARTIFACT[:1000]
        assert file_bytes(user, status["launch_id"], run, "frame_2.dat") == ARTIFACT_SHA.encode()
        assert listed["frame_1.dat"]["size"] == 1000
        assert listed["frame_1.dat"]["sha256"] == hashlib.sha256(ARTIFACT[:1000]).hexdigest()
        assert stream(user, status["launch_id"], run, "stdout") == "a function print is its run stdout\n"
    r = user.get(f"/api/v1/launches/{status['launch_id']}/tasks/1_A/files/not_collected.txt")
    assert r.status_code == 404


def test_a_failed_run_keeps_its_output_files(files_stack):
    user = new_user(files_stack)
    register_job(user)
    upload_artifact(user)
    assert user.post("/api/v1/workflows", json=job_workflow("hpc_fail", [7], fail=True)).status_code == 201
    status = launch(user, "hpc_fail")
    assert status["state"] == "failed"
    run = runs_by_id(status)["1_A"]
    assert "the job failed after writing its outputs" in run["error"]
    assert file_bytes(user, status["launch_id"], "1_A", "output1.txt") == SAMPLE.format(7).encode()
    assert sorted(files_of(user, status["launch_id"], "1_A")) == ["frame_1.dat", "frame_2.dat", "output1.txt"]


def test_a_container_task_reads_its_files_and_writes_outputs_with_stdout_and_stderr_apart(files_stack):
    user = new_user(files_stack)
    register_demo_container(user)
    upload_artifact(user)
    script = ("cat sample.in > output1.txt; head -c 1000 largefile.bin > frame_1.dat; wc -c < largefile.bin > frame_2.dat; "
              "(echo x >> largefile.bin) 2>/dev/null && echo WRITABLE; echo 'to stdout'; echo 'to stderr' >&2")
    definition = {"workflow_id": "hpc_container", "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": "cdef_hello_world", "priority": 1}], "successors": [],
         "properties": {"position": "start", "command": ["sh", "-c", script],
                        "input_files": [{"name": "sample.in", "contents": SAMPLE.format(250)}],
                        "artifacts": ["largefile.bin"], "output_files": ["output1.txt", "frame_*.dat"]}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "hpc_container")
    assert status["state"] == "succeeded", (runs_by_id(status)["1"]["error"], stream(user, status["launch_id"], "1", "stderr"))
    lid = status["launch_id"]
    assert file_bytes(user, lid, "1", "output1.txt") == SAMPLE.format(250).encode()
    assert file_bytes(user, lid, "1", "frame_1.dat") == ARTIFACT[:1000]
    assert file_bytes(user, lid, "1", "frame_2.dat").strip() == str(len(ARTIFACT)).encode()
    assert stream(user, lid, "1", "stdout") == "to stdout\n"
    assert stream(user, lid, "1", "stderr") == "to stderr\n"
    # Without a stream: both, as before.
    both = user.get(f"/api/v1/launches/{lid}/tasks/1/logs").text
    assert "to stdout" in both and "to stderr" in both


class UploadingFunction:
    """An HTTP function that, while its run runs, reads its declared artifact and uploads an output file through the
    run API with the token it got in its input (`sweep.token`)."""

    def __init__(self, api_url):
        outer = self
        self.seen = {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = body["sweep"]["token"]
                auth = {"Authorization": "Bearer " + token}
                got = requests.get(api_url + "/api/v1/run/artifacts/largefile.bin", headers=auth, timeout=30)
                undeclared = requests.get(api_url + "/api/v1/run/artifacts/other.bin", headers=auth, timeout=30)
                put = requests.put(api_url + "/api/v1/run/files/result.txt", data=b"computed " + got.content[:10], headers=auth, timeout=30)
                outer.seen.update(artifact_sha=hashlib.sha256(got.content).hexdigest(), undeclared=undeclared.status_code,
                                  put=put.status_code, put_body=put.json())
                answer = json.dumps({"ok": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def test_an_http_function_gets_its_artifact_and_uploads_an_output_file_with_its_task_token(files_stack):
    user = new_user(files_stack)
    upload_artifact(user)
    upload_artifact(user, "other.bin", b"not declared")
    function = UploadingFunction(files_stack.url)
    try:
        assert user.post("/api/v1/destinations", json={"id": "fns", "cloud_provider": "http", "base_url": function.url}).status_code == 201
        assert user.post("/api/v1/functions", json={"id": "uploader", "destination_id": "fns", "function_name": "uploader"}).status_code == 201
        definition = {"workflow_id": "uploads", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "uploader", "priority": 1}], "successors": [],
             "properties": {"position": "start", "artifacts": ["largefile.bin"]}}]}
        assert user.post("/api/v1/workflows", json=definition).status_code == 201
        status = launch(user, "uploads")
    finally:
        function.stop()
    assert status["state"] == "succeeded", runs_by_id(status)["1"]["error"]
    assert function.seen["artifact_sha"] == ARTIFACT_SHA
    assert function.seen["undeclared"] == 404
    assert function.seen["put"] == 201 and function.seen["put_body"]["name"] == "result.txt"
    assert file_bytes(user, status["launch_id"], "1", "result.txt") == b"computed " + ARTIFACT[:10]
    # The token works only while its run runs.
    r = requests.put(files_stack.url + "/api/v1/run/files/late.txt", data=b"late",
                     headers={"Authorization": "Bearer tt_1_nothing"})
    assert r.status_code == 401


def test_another_user_gets_404_on_every_file_route(files_stack):
    owner = new_user(files_stack)
    register_job(owner)
    upload_artifact(owner)
    assert owner.post("/api/v1/workflows", json=job_workflow("mine", [1])).status_code == 201
    status = launch(owner, "mine")
    assert status["state"] == "succeeded"
    lid = status["launch_id"]
    stranger = new_user(files_stack, "stranger")
    for path in (f"/api/v1/launches/{lid}/tasks/1_A/files", f"/api/v1/launches/{lid}/tasks/1_A/files/output1.txt",
                 f"/api/v1/launches/{lid}/tasks/1_A/logs", f"/api/v1/launches/{lid}/tasks/1_A/logs?stream=stdout",
                 f"/api/v1/launches/{lid}/tasks/1_A/logs?stream=stderr&follow=true", "/api/v1/artifacts/largefile.bin"):
        r = stranger.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "not_found"


def test_output_files_go_with_their_launch(files_stack):
    user = new_user(files_stack)
    register_job(user)
    upload_artifact(user)
    assert user.post("/api/v1/workflows", json=job_workflow("gone", [3])).status_code == 201
    status = launch(user, "gone")
    assert status["state"] == "succeeded"
    lid = status["launch_id"]
    blobs = [row[0] for row in files_stack.psql("SELECT blob_id FROM run_files WHERE launch_id = :'p1'::uuid", lid)]
    assert len(blobs) == 3
    # Retention's statement: the launch goes, its run files with it, and the blob collector empties the store.
    files_stack.psql("DELETE FROM launches WHERE id = :'p1'::uuid", lid)

    def blobs_gone():
        if files_stack.moto:
            keys = files_stack.moto.keys()
            return not any(k.endswith("/" + b) for k in keys for b in blobs)
        left = files_stack.psql("SELECT count(*) FROM blob_chunks WHERE blob_id = ANY(string_to_array(:'p1', ','))", ",".join(blobs))
        return int(left[0][0]) == 0
    wait_until(blobs_gone, timeout=30, what="the launch's output blobs to be deleted")
    assert files_stack.psql("SELECT count(*) FROM orphaned_blobs")[0][0] in ("0", 0)


def test_bad_file_properties_are_refused_with_their_field(files_stack):
    user = new_user(files_stack)
    register_job(user)
    cases = [
        ({"input_files": [{"name": "../etc/passwd", "contents": "x"}]}, "/tasks/0/properties/input_files/0/name", "invalid_file_name"),
        ({"input_files": [{"name": "a.in"}]}, "/tasks/0/properties/input_files/0/contents", "missing_field"),
        ({"input_files": [{"name": "a.in", "contents_expr": "open('/etc/passwd')"}]},
         "/tasks/0/properties/input_files/0/contents_expr", None),
        ({"input_files": [{"name": "a.in", "contents": "x" * ((256 << 10) + 1)}]}, "/tasks/0/properties/input_files/0/contents", "too_large"),
        ({"artifacts": ["sub/dir.bin"]}, "/tasks/0/properties/artifacts/0", "invalid_file_name"),
        ({"artifacts": ["a.bin"], "input_files": [{"name": "a.bin", "contents": "x"}]}, "/tasks/0/properties/artifacts/0", "duplicate_file_name"),
        ({"output_files": ["../out/*"]}, "/tasks/0/properties/output_files/0", "invalid_file_name"),
        ({"output_files": [".hidden*"]}, "/tasks/0/properties/output_files/0", "invalid_file_name"),
        ({"artifacts": [f"a{i}.bin" for i in range(33)]}, "/tasks/0/properties/artifacts", "too_large"),
    ]
    for properties, field, code in cases:
        definition = {"workflow_id": "bad", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "job", "priority": 1}], "successors": [],
             "properties": {"position": "start", **properties}}]}
        r = user.post("/api/v1/workflows", json=definition)
        assert r.status_code == 422, (properties, r.text)
        error = r.json()["error"]
        assert error["field"] == field, (properties, error)
        if code:
            assert error["code"] == code, (properties, error)
    assert user.get("/api/v1/workflows/bad").status_code == 404


def test_a_missing_artifact_fails_the_run_naming_it(files_stack):
    user = new_user(files_stack)
    register_job(user)
    assert user.post("/api/v1/workflows", json=job_workflow("noart", [1])).status_code == 201
    status = launch(user, "noart")
    assert status["state"] == "failed"
    assert "artifact largefile.bin is not uploaded" in runs_by_id(status)["1_A"]["error"]


def test_output_files_past_the_stored_bytes_limit_are_not_kept_and_the_log_says_so(files_stack):
    admin = files_stack.create_user(f"tfadmin-{files_stack.backend}-{os.getpid()}", admin=True)
    user = new_user(files_stack)
    register_job(user)
    upload_artifact(user)
    # Artifacts and output files share one limit: 500 bytes are left once the artifact is stored.
    r = admin.put(f"/api/v1/users/{user.username}/limits", json={"max_stored_bytes": len(ARTIFACT) + 500})
    assert r.status_code == 200, r.text
    assert user.post("/api/v1/workflows", json=job_workflow("capped", [5])).status_code == 201
    status = launch(user, "capped")
    assert status["state"] == "succeeded", runs_by_id(status)["1_A"]["error"]
    lid = status["launch_id"]
    assert sorted(files_of(user, lid, "1_A")) == ["frame_2.dat", "output1.txt"]
    assert "output file frame_1.dat not kept: storing 1000 bytes would exceed the stored-bytes limit" in stream(user, lid, "1_A", "stderr")


UPLOADER = """import json, os, urllib.request
def handler(event, context):
    api, token = os.environ['SWEEP_API_URL'], os.environ['SWEEP_TASK_TOKEN']
    auth = {'Authorization': 'Bearer ' + token}
    got = urllib.request.urlopen(urllib.request.Request(api + '/api/v1/run/artifacts/largefile.bin', headers=auth)).read()
    body = b'from inside ' + got[:8]
    put = urllib.request.Request(api + '/api/v1/run/files/inside.txt', data=body, method='PUT',
                                 headers=dict(auth, **{'Content-Type': 'application/octet-stream'}))
    with urllib.request.urlopen(put) as answer:
        return {'status': answer.status, 'stored': json.loads(answer.read())['name'], 'artifact_bytes': len(got)}
"""


def test_a_sandboxed_task_uses_the_run_api_with_its_own_token(files_stack):
    user = new_user(files_stack)
    upload_artifact(user)
    assert user.post("/api/v1/destinations", json={"id": "here", "cloud_provider": "local"}).status_code == 201
    assert user.post("/api/v1/functions", json={"id": "up", "destination_id": "here", "function_name": "up",
                                                 "runtime": "python3.8"}).status_code == 201
    assert user.put("/api/v1/functions/up/code", data=zip_of({"main.py": UPLOADER}),
                    headers={"Content-Type": "application/zip"}).status_code == 200
    definition = {"workflow_id": "inside", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "up", "priority": 1}], "successors": [],
         "properties": {"position": "start", "artifacts": ["largefile.bin"]}}]}
    assert user.post("/api/v1/workflows", json=definition).status_code == 201
    status = launch(user, "inside")
    assert status["state"] == "succeeded", runs_by_id(status)["1"]["error"]
    assert runs_by_id(status)["1"]["output"] == {"status": 201, "stored": "inside.txt", "artifact_bytes": len(ARTIFACT)}
    assert file_bytes(user, status["launch_id"], "1", "inside.txt") == b"from inside " + ARTIFACT[:8]


def test_a_catch_all_glob_never_collects_the_sandboxes_own_files(files_stack):
    user = new_user(files_stack)
    register_job(user)
    upload_artifact(user)
    workflow = job_workflow("catch_all", [9])
    workflow["tasks"][0]["properties"]["output_files"] = ["*"]
    assert user.post("/api/v1/workflows", json=workflow).status_code == 201
    status = launch(user, "catch_all")
    assert status["state"] == "succeeded", runs_by_id(status)["1_A"]["error"]
    names = sorted(files_of(user, status["launch_id"], "1_A"))
    # Everything the task's directory holds (its inputs too), but not the function's code or runner.
    assert names == ["frame_1.dat", "frame_2.dat", "largefile.bin", "not_collected.txt", "output1.txt", "sample.in"]
