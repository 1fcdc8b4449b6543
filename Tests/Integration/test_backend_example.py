"""Issue 15: examples/backend (the seed's ML pipeline in miniature) works as its README says, called with plain HTTP,
the `sweep call` CLI and the Python client's `SweepClient.call`, against the real stack."""
import json
import os
import subprocess
import sys
import tempfile

import pytest
import requests

from stack import ROOT

EXAMPLE = os.path.join(ROOT, "examples", "backend")
sys.path.insert(0, os.path.join(ROOT, "clients", "python", "src"))
from sweep_client import SweepClient, SweepError  # noqa: E402

ROWS = [{"x": 1, "y": 3.0}, {"x": 2, "y": 5.0}, {"x": 3, "y": 7.0}, {"x": None, "y": 0}]


@pytest.fixture(scope="module")
def example_functions():
    proc = subprocess.Popen([sys.executable, os.path.join(EXAMPLE, "functions.py"), "0"], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def pipeline(user, example_functions):
    destination = json.load(open(os.path.join(EXAMPLE, "destination.json")))
    destination["base_url"] = example_functions
    assert user.post("/api/v1/destinations", json=destination).status_code == 201
    for name in sorted(os.listdir(os.path.join(EXAMPLE, "functions"))):
        r = user.post("/api/v1/functions", json=json.load(open(os.path.join(EXAMPLE, "functions", name))))
        assert r.status_code == 201, r.text
    r = user.post("/api/v1/workflows", json=json.load(open(os.path.join(EXAMPLE, "ml_pipeline.json"))))
    assert r.status_code == 201, r.text
    return user


def check_metrics(answer, epochs):
    metrics = {m["name"]: m["value"] for m in answer["data"]["metrics"]}
    # preprocess scaled x by 2 and dropped the incomplete row: y = 1·(2x) + 1.
    assert metrics["slope"] == pytest.approx(1.0) and metrics["intercept"] == pytest.approx(1.0) and metrics["mse"] == pytest.approx(0.0)
    assert answer["meta"]["metrics"] == {"model": "linear", "rows": 3, "epochs": epochs}


def test_called_with_plain_http(pipeline):
    r = pipeline.post("/api/v1/workflows/ml_pipeline/call", params={"scale": "2", "epochs": "5"}, json={"rows": ROWS}, timeout=60)
    assert r.status_code == 200, r.text
    check_metrics(r.json(), 5)
    status = pipeline.get(f"/api/v1/launches/{r.headers['X-Sweep-Launch-Id']}").json()
    assert status["input"]["req_body"]["dataset"] == "inline"  # added by the interceptor
    assert status["input"]["url_params"] == {"scale": 2, "epochs": 5, "optimizer": "sgd"}


def test_called_with_the_cli(pipeline, stack):
    home = tempfile.mkdtemp(prefix="sweep-cli-", dir=os.environ.get("SWEEP_TEST_OUTPUT"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "XDG_CONFIG_HOME": home,
           "SWEEP_URL": stack.url, "SWEEP_API_KEY": pipeline.key}
    sweep = [stack.binary("sweep"), "call", "ml_pipeline"]
    done = subprocess.run(sweep + ["--param", "scale=2", "--json", json.dumps({"rows": ROWS})], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    check_metrics(json.loads(done.stdout), 10)
    refused = subprocess.run(sweep + ["--json", '{"rows": []}'], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 6 and "send at least two rows" in refused.stderr
    invalid = subprocess.run(sweep + ["--param", "optimizer=rmsprop", "--json", '{"rows": []}'], env=env, capture_output=True, text=True, timeout=60)
    assert invalid.returncode == 6 and "/url_params/optimizer" in invalid.stderr
    background = subprocess.run(sweep + ["--background", "--json", json.dumps({"rows": ROWS}), "--param", "scale=2"], env=env,
                                capture_output=True, text=True, timeout=60)
    assert background.returncode == 0 and "Running in the background: launch" in background.stdout


def test_called_with_the_python_client(pipeline, stack):
    client = SweepClient(stack.url, pipeline.key)
    check_metrics(client.call("ml_pipeline", method="PUT", params={"scale": 2, "epochs": 7}, json={"rows": ROWS}), 7)
    with pytest.raises(SweepError) as refused:
        client.call("ml_pipeline", json={"rows": [{"x": 1, "y": 1}]})
    assert refused.value.status == 422 and refused.value.code == "rejected_by_interceptor"
    with pytest.raises(SweepError) as invalid:
        client.call("ml_pipeline", params={"epochs": "many"}, json={"rows": ROWS})
    assert invalid.value.code == "invalid_request" and invalid.value.field == "/url_params/epochs"
    handed = client.call("ml_pipeline", params={"scale": 2}, json={"rows": ROWS}, background=True)
    assert set(handed) >= {"launch_id", "state"}
    assert client.call_openapi("ml_pipeline")["paths"]["/api/v1/workflows/ml_pipeline/call"]["get"]["parameters"][0]["name"] == "scale"
