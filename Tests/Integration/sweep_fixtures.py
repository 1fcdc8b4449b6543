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
