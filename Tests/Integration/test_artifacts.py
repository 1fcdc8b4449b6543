"""Artifacts through nginx and the worker, on both blob stores: the embedded PostgreSQL one and an S3-compatible
one (moto's S3 server on loopback). Each backend gets its own small stack with a 16 MiB stored-bytes limit, which
the worker and nginx's `client_max_body_size` for uploads share."""
import base64
import hashlib
import json
import os
import subprocess

import pytest
import requests

from moto_s3 import MotoS3
from stack import Stack
from sweep_fixtures import all_items

LIMIT = 16 << 20


@pytest.fixture(scope="module", params=["postgres", "s3"])
def files_stack(request):
    moto = None
    stack = None
    try:
        env = {"SWEEP_LIMIT_STORED_BYTES": str(LIMIT)}
        if request.param == "s3":
            base = os.environ.get("SWEEP_TEST_OUTPUT")
            os.makedirs(base or "/tmp", exist_ok=True)
            import tempfile
            moto = MotoS3(tempfile.mkdtemp(prefix="moto-", dir=base))
            env.update(moto.stack_env())
        stack = Stack(env=env, worker_threads=4)
        stack.backend = request.param
        stack.moto = moto
        stack.start(schedulers=0)
        yield stack
    finally:
        if stack:
            stack.stop()
        if moto:
            moto.stop()


_users = [0]


def new_user(stack, prefix="files"):
    _users[0] += 1
    return stack.create_user(f"{prefix}{_users[0]}-{stack.backend}-{os.getpid()}")


def test_a_3mb_artifact_round_trips_with_its_sha256(files_stack):
    user = new_user(files_stack)
    data = os.urandom(3 * 1000 * 1000)
    digest = hashlib.sha256(data).hexdigest()

    r = user.put("/api/v1/artifacts/largefile.h5", data=data, headers={"X-Sweep-Sha256": digest})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "largefile.h5" and body["size"] == len(data) and body["sha256"] == digest
    assert body["created_at"].endswith("Z")

    r = user.get("/api/v1/artifacts/largefile.h5")
    assert r.status_code == 200
    assert r.headers["Content-Length"] == str(len(data))
    assert r.headers["ETag"] == f'"{digest}"'
    assert hashlib.sha256(r.content).hexdigest() == digest and r.content == data

    listed = all_items(user, "/api/v1/artifacts")
    assert [(a["name"], a["size"], a["sha256"]) for a in listed] == [("largefile.h5", len(data), digest)]

    if files_stack.moto:
        # The bytes live in the bucket, under a key that starts with the owner's id.
        keys = files_stack.moto.keys()
        user_id = files_stack.psql("SELECT id FROM users WHERE username = :'p1'", user.username)[0][0]
        assert any(k.startswith(f"{user_id}/") for k in keys), keys
    else:
        chunks = files_stack.psql("SELECT count(*) FROM blob_chunks c JOIN users u ON u.id = c.user_id WHERE u.username = :'p1'",
                                  user.username)[0][0]
        assert int(chunks) == 3  # 1 MiB chunks


def test_another_user_gets_404_on_every_artifact_route(files_stack):
    owner = new_user(files_stack)
    stranger = new_user(files_stack, "stranger")
    data = os.urandom(10_000)
    assert owner.put("/api/v1/artifacts/secret.bin", data=data).status_code == 201

    for method in ("GET", "HEAD", "DELETE"):
        r = stranger.request(method, "/api/v1/artifacts/secret.bin")
        assert r.status_code == 404, (method, r.status_code)
    r = stranger.get("/api/v1/artifacts/secret.bin")
    assert r.json()["error"]["code"] == "not_found"
    assert all_items(stranger, "/api/v1/artifacts") == []
    # A PUT of the same name makes the stranger's own artifact; the owner's is untouched.
    assert stranger.put("/api/v1/artifacts/secret.bin", data=b"mine").status_code == 201
    assert owner.get("/api/v1/artifacts/secret.bin").content == data
    assert stranger.get("/api/v1/artifacts/secret.bin").content == b"mine"
    # Without credentials: 401, never a hint.
    assert requests.get(files_stack.url + "/api/v1/artifacts/secret.bin", timeout=10).status_code == 401


def test_replace_delete_and_head(files_stack):
    user = new_user(files_stack)
    assert user.put("/api/v1/artifacts/a.txt", data=b"first version").status_code == 201
    r = user.put("/api/v1/artifacts/a.txt", data=b"second")
    assert r.status_code == 201 and r.json()["size"] == 6
    assert user.get("/api/v1/artifacts/a.txt").content == b"second"

    r = user.request("HEAD", "/api/v1/artifacts/a.txt")
    assert r.status_code == 200 and r.headers["Content-Length"] == "6" and r.content == b""

    assert user.put("/api/v1/artifacts/empty", data=b"").status_code == 201
    r = user.get("/api/v1/artifacts/empty")
    assert r.status_code == 200 and r.content == b""

    assert user.delete("/api/v1/artifacts/a.txt").status_code == 204
    assert user.get("/api/v1/artifacts/a.txt").status_code == 404
    assert user.delete("/api/v1/artifacts/a.txt").status_code == 404
    assert [a["name"] for a in all_items(user, "/api/v1/artifacts")] == ["empty"]
    if not files_stack.moto:
        # Only the empty artifact's one (empty) chunk is left: the replaced and deleted blobs are gone.
        chunks = files_stack.psql("SELECT count(*) FROM blob_chunks c JOIN users u ON u.id = c.user_id WHERE u.username = :'p1'",
                                  user.username)[0][0]
        assert int(chunks) == 1


def test_announced_digests_are_checked(files_stack):
    user = new_user(files_stack)
    data = b"payload " * 1000
    good = hashlib.sha256(data).digest()

    r = user.put("/api/v1/artifacts/d.bin", data=data, headers={"X-Sweep-Sha256": "0" * 64})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "digest_mismatch" and r.json()["error"]["field"] == "X-Sweep-Sha256"
    assert user.get("/api/v1/artifacts/d.bin").status_code == 404

    r = user.put("/api/v1/artifacts/d.bin", data=data,
                 headers={"Content-Digest": "sha-256=:" + base64.b64encode(good).decode() + ":"})
    assert r.status_code == 201 and r.json()["sha256"] == good.hex()

    r = user.put("/api/v1/artifacts/d.bin", data=data, headers={"X-Sweep-Sha256": "not-hex"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "X-Sweep-Sha256"


@pytest.mark.parametrize("name", ["..", ".hidden", "a%2Fb", "sp%20ace", "x" * 256])
def test_invalid_names_are_refused_with_the_field(files_stack, name):
    user = new_user(files_stack)
    r = user.put("/api/v1/artifacts/" + name, data=b"x")
    assert r.status_code in (400, 404, 422), r.text
    if r.status_code == 422:
        assert r.json()["error"] == {"code": "invalid_name", "message": r.json()["error"]["message"], "field": "name"}
    assert all_items(user, "/api/v1/artifacts") == []


def test_the_stored_bytes_limit_is_a_clear_413(files_stack):
    user = new_user(files_stack)
    ten = os.urandom(10 << 20)
    assert user.put("/api/v1/artifacts/ten", data=ten).status_code == 201

    # Fits nginx's cap but not the user's remaining room: the worker refuses before reading it.
    r = user.put("/api/v1/artifacts/more", data=ten)
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "stored_bytes_limit"
    # Replacing "ten" frees its room.
    assert user.put("/api/v1/artifacts/ten", data=ten[: 12 << 20]).status_code == 201

    # Above the limit itself: nginx refuses (the same number configures it), still as JSON.
    r = user.put("/api/v1/artifacts/huge", data=b"\0" * (LIMIT + 1))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert [a["name"] for a in all_items(user, "/api/v1/artifacts")] == ["ten"]


def test_a_users_stored_bytes_limit_set_by_an_admin_is_a_413_and_other_users_are_unaffected(files_stack):
    admin = files_stack.create_user(f"files-admin-{files_stack.backend}-{os.getpid()}", admin=True)
    limited, other = new_user(files_stack), new_user(files_stack)
    r = admin.put(f"/api/v1/users/{limited.username}/limits", json={"max_stored_bytes": 1000})
    assert r.status_code == 200 and r.json()["effective"]["max_stored_bytes"] == 1000, r.text
    data = os.urandom(2000)

    r = limited.put("/api/v1/artifacts/two-k", data=data)
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "stored_bytes_limit"
    assert all_items(limited, "/api/v1/artifacts") == []
    # Within the user's limit it is stored; the other user has the stack's default (16 MiB).
    assert limited.put("/api/v1/artifacts/small", data=data[:900]).status_code == 201
    assert other.put("/api/v1/artifacts/two-k", data=data).status_code == 201
    assert [a["size"] for a in all_items(other, "/api/v1/artifacts")] == [2000]


def test_the_cli_uploads_lists_gets_and_removes(files_stack, tmp_path):
    user = new_user(files_stack)
    source = tmp_path / "input.dat"
    data = os.urandom(2 << 20)
    source.write_bytes(data)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "SWEEP_URL": files_stack.url, "SWEEP_API_KEY": user.key}

    def sweep(*args):
        r = subprocess.run([files_stack.binary("sweep"), *args], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"sweep {' '.join(args)}: {r.stderr}"
        return r

    uploaded = json.loads(sweep("artifact", "upload", str(source), "--name", "sample.in", "--json").stdout)
    assert uploaded["sha256"] == hashlib.sha256(data).hexdigest() and uploaded["size"] == len(data)
    listed = json.loads(sweep("artifact", "list", "--json").stdout)["items"]
    assert [a["name"] for a in listed] == ["sample.in"]
    target = tmp_path / "copy.dat"
    sweep("artifact", "get", "sample.in", "-o", str(target))
    assert target.read_bytes() == data
    sweep("artifact", "rm", "sample.in")
    r = subprocess.run([files_stack.binary("sweep"), "artifact", "get", "sample.in", "-o", str(target) + "2"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 4 and not os.path.exists(str(target) + "2") and not os.path.exists(str(target) + "2.sweep-partial")


def test_a_chunked_upload_without_length_is_a_clear_411(files_stack):
    """Transfer-Encoding: chunked and no Content-Length: nginx streams it on unbuffered with no length, and the
    worker, which checks the stored-bytes limit and S3 needs a length before the first byte, asks for one."""
    user = new_user(files_stack)
    r = user.put("/api/v1/artifacts/chunked.bin", data=iter([os.urandom(100_000) for _ in range(5)]))
    assert r.status_code == 411, r.text
    assert r.json()["error"]["code"] == "length_required"
    assert all_items(user, "/api/v1/artifacts") == []
