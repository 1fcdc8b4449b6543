"""Blobs of uploads a crash cut off are swept (UnfinishedUploadSweeper), on both blob stores (PostgreSQL and S3 on
moto). The worker is killed with SIGKILL while two artifact uploads are in flight: one mid-body, one after its last
byte but before its row (held there by the user's storage lock, which the test takes). Their journal entries and the
whole blob stay behind; once the entries are older than the grace period (time moved by dating them back, as the
retention tests do, never waited for) a scheduler deletes the blob and the entries, and live blobs are untouched."""
import hashlib
import http.client
import os
import signal
import subprocess
from urllib.parse import urlparse

from stack import wait_until
from test_task_files import files_stack  # noqa: F401 (fixture: the stack on each blob store)

STORAGE_LOCK_CLASS = 0x5346494C  # ArtifactStore.storageLockClass ("SFIL")
LIVE = os.urandom(1_500_000)


def begin_upload(stack, key, name, length):
    """An artifact PUT with its Content-Length whose body the caller sends piece by piece (or never finishes)."""
    url = urlparse(stack.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.putrequest("PUT", f"/api/v1/artifacts/{name}")
    connection.putheader("Authorization", "Bearer " + key)
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    return connection


def blob_exists(stack, user_id, blob_id):
    if stack.backend == "s3":
        return f"{user_id}/{blob_id}" in stack.moto.keys()
    return int(stack.psql("SELECT count(*) FROM blob_chunks WHERE user_id = :'p1' AND blob_id = :'p2'", user_id, blob_id)[0][0]) > 0


def pending(stack, user_id):
    return [row[0] for row in stack.psql("SELECT blob_id FROM pending_blobs WHERE user_id = :'p1' ORDER BY started_at", user_id)]


def test_a_killed_workers_unfinished_uploads_are_swept_and_live_blobs_stay(files_stack):
    stack = files_stack
    user = stack.create_user(f"uu-{stack.backend}-{os.getpid()}")
    user_id = stack.psql("SELECT id FROM users WHERE username = :'p1'", user.username)[0][0]
    assert user.put("/api/v1/artifacts/live.bin", data=LIVE).status_code == 201
    live_blob = stack.psql("SELECT blob_id FROM artifacts WHERE user_id = :'p1' AND name = 'live.bin'", user_id)[0][0]
    assert pending(stack, user_id) == []

    # Upload 1: half its body sent, then the worker dies.
    halfway = begin_upload(stack, user.key, "half.bin", 4 << 20)
    halfway.send(os.urandom(2 << 20))
    wait_until(lambda: len(pending(stack, user_id)) == 1, what="the first upload's journal entry")

    # Upload 2: every byte sent, then held before its row by the storage lock the test holds.
    holder = subprocess.Popen(["psql", stack.owner_url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    holder.stdin.write(f"SELECT pg_advisory_lock({STORAGE_LOCK_CLASS}, hashtext('{user_id}'));\n\\echo locked\n")
    holder.stdin.flush()
    wait_until(lambda: holder.stdout.readline().strip() == "locked", what="the storage lock held")
    try:
        whole = os.urandom(3 << 20)
        complete = begin_upload(stack, user.key, "whole.bin", len(whole))
        complete.send(whole)
        wait_until(lambda: stack.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                      " AND query LIKE '%pg_advisory_xact_lock%'")[0][0] == "1",
                   what="the second upload stored and waiting for its row")
        entries = pending(stack, user_id)
        assert len(entries) == 2
        whole_blob = entries[1]
        assert blob_exists(stack, user_id, whole_blob), "the second upload's bytes are all stored"

        worker = stack.workers[-1]
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    halfway.close()
    complete.close()
    stack.start_worker()
    stack.wait_healthy()

    # The crash left both entries and the whole blob; nothing points at them.
    assert pending(stack, user_id) == entries
    assert blob_exists(stack, user_id, whole_blob)
    # A put cut off mid-body stores nothing on either store (PostgreSQL rolls the chunks back, S3 keeps no partial
    # object): only its entry is left. The whole blob of the second upload is what would leak without the sweeper.
    assert not blob_exists(stack, user_id, entries[0])
    assert [row[0] for row in stack.psql("SELECT name FROM artifacts WHERE user_id = :'p1'", user_id)] == ["live.bin"]

    # Their clock moved past the grace period (24 hours by default): the scheduler deletes the blob and the entries.
    stack.psql("UPDATE pending_blobs SET started_at = started_at - interval '25 hours' WHERE user_id = :'p1'", user_id)
    wait_until(lambda: pending(stack, user_id) == [], what="the entries swept")
    assert not blob_exists(stack, user_id, whole_blob)
    assert not blob_exists(stack, user_id, entries[0])

    # Live blobs are untouched, and uploads work as before.
    got = user.get("/api/v1/artifacts/live.bin")
    assert got.status_code == 200 and hashlib.sha256(got.content).digest() == hashlib.sha256(LIVE).digest()
    assert blob_exists(stack, user_id, live_blob)
    assert user.put("/api/v1/artifacts/after.bin", data=b"after").status_code == 201
    assert pending(stack, user_id) == []
