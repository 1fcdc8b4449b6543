"""Shared definitions for integration tests: a user's destinations, functions and containers for the seed examples."""
import io
import json
import os
import zipfile

from stack import ROOT

SEED_DIR = os.path.join(ROOT, "examples", "seed")
SEED_FUNCTIONS = ["my_lambda_function1", "my_lambda_function2", "my_lambda_function3", "my_lambda_function4",
                  "firstFunc", "mutFunc", "multFunc", "otherFunc", "lambda_func2", "prepFunc"]


def seed_example(name):
    with open(os.path.join(SEED_DIR, name + ".json")) as f:
        return json.load(f)


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


def register_catalog(client, destination="local", functions=SEED_FUNCTIONS, base_url=None):
    """Registers a destination, the functions the seed examples name, and cdef_hello_world."""
    dest = {"id": destination, "cloud_provider": "http" if base_url else "local"}
    if base_url:
        dest["base_url"] = base_url
    r = client.post("/api/v1/destinations", json=dest)
    assert r.status_code in (201, 409), r.text
    for fid in functions:
        r = client.post("/api/v1/functions", json={"id": fid, "destination_id": destination, "function_name": fid, "runtime": "python3.8"})
        assert r.status_code in (201, 409), r.text
    r = client.post("/api/v1/containers", json={"id": "cdef_hello_world", "destination_id": destination,
                                                 "image_name": "hello_world", "image_tag": "latest"})
    assert r.status_code in (201, 409), r.text


def launch(client, workflow_id, input=None, wait=60, **extra):
    """Launches and waits (the API's `wait`, which sleeps on NOTIFY) until the launch ends; returns its status."""
    body = {"wait": wait, **extra}
    if input is not None:
        body["input"] = input
    r = client.post(f"/api/v1/workflows/{workflow_id}/launches", json=body, timeout=wait + 30)
    assert r.status_code in (200, 202), r.text
    status = r.json()
    if r.status_code == 202:
        status = client.get("/api/v1/launches/" + status["launch_id"]).json()
    return status


def runs_by_id(status):
    return {t["run_id"]: t for t in status["tasks"]}


def register_http_functions(client, base_url, names, destination="fns"):
    r = client.post("/api/v1/destinations", json={"id": destination, "cloud_provider": "http", "base_url": base_url})
    assert r.status_code in (201, 409), r.text
    for name in names:
        r = client.post("/api/v1/functions", json={"id": name, "destination_id": destination, "function_name": name})
        assert r.status_code in (201, 409), r.text


def all_items(client, path, limit=500):
    """Every item of a paged list (`items`, `next_cursor`), page by page."""
    items, cursor = [], None
    while True:
        page = client.get(path, params={"limit": limit, **({"cursor": cursor} if cursor else {})}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


_demo_image = []


def demo_image_path():
    """The demo `hello_world:latest` archive from examples/hello_world_container/build-image.sh (busybox-static),
    built once per test session."""
    if not _demo_image:
        import subprocess
        import tempfile
        out = tempfile.mkdtemp(prefix="sweep-image-", dir=os.environ.get("SWEEP_TEST_OUTPUT"))
        path = os.path.join(out, "hello_world.tar")
        subprocess.check_call([os.path.join(ROOT, "examples", "hello_world_container", "build-image.sh"), path],
                              stdout=subprocess.DEVNULL)
        _demo_image.append(path)
    return _demo_image[0]


def demo_image():
    with open(demo_image_path(), "rb") as f:
        return f.read()


def upload_image(client, container_id, archive=None, overwrite=False):
    """Uploads an image archive (default: the demo image) for a container definition; returns the response."""
    path = f"/api/v1/containers/{container_id}/image" + ("?overwrite=true" if overwrite else "")
    return client.put(path, data=demo_image() if archive is None else archive,
                      headers={"Content-Type": "application/x-tar"}, timeout=120)


def register_demo_container(client, container_id="cdef_hello_world", destination="here", **definition):
    """A local destination, a container definition of the demo image, and the image uploaded."""
    r = client.post("/api/v1/destinations", json={"id": destination, "cloud_provider": "local"})
    assert r.status_code in (201, 409), r.text
    r = client.post("/api/v1/containers", json={"id": container_id, "destination_id": destination,
                                                 "image_name": "hello_world", "image_tag": "latest", **definition})
    assert r.status_code == 201, r.text
    r = upload_image(client, container_id)
    assert r.status_code in (200, 409), r.text


def processes_with(cmdline):
    """Pids of processes on this machine whose whole command line is `cmdline` (NUL-separated bytes)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read() == cmdline:
                        found.append(int(entry))
            except OSError:
                pass  # ended between the listing and the read
    return found
