"""examples/hpc (seed 002, HPC jobs as code) run as a user would: from the CLI (run-cli.sh) and from the Python client
(run_hpc.py), against the test stack. Four jobs scatter over nsteps with a computed sample.in and a large artifact,
write frames as output files, and a gather sums the frames' sizes."""
import hashlib
import os
import subprocess
import sys

from stack import ROOT

HPC = os.path.join(ROOT, "examples", "hpc")
# Frame i of a job with n steps holds 1000 * i + n bytes (examples/hpc/job/main.py); n = 100, 200, 300, 400.
FRAME_BYTES = {"100": 1100, "200": 3400, "300": 6900, "400": 11600}


def environment(stack, user, tmp_path):
    return {"PATH": os.path.dirname(stack.binary("sweep")) + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "SWEEP_URL": stack.url, "SWEEP_API_KEY": user.key,
            "PYTHONPATH": os.path.join(ROOT, "clients", "python", "src")}


def test_the_hpc_example_runs_from_the_cli(stack, user, tmp_path):
    out = tmp_path / "out"
    artifact = tmp_path / "largefile.h5"
    data = os.urandom(5_000_000)
    artifact.write_bytes(data)
    done = subprocess.run([os.path.join(HPC, "run-cli.sh")], env={**environment(stack, user, tmp_path), "OUT": str(out),
                                                                  "ARTIFACT": str(artifact)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ran 200 steps, wrote 2 frames" in done.stdout
    digest = hashlib.sha256(data).hexdigest()
    assert (out / "output1_B.txt").read_text() == f"nsteps=200 frames=2 artifact_sha256={digest}\n"
    seed = hashlib.sha256(data).digest()
    assert (out / "frame_001_B.dat").read_bytes() == (seed * 40)[:1200]
    assert '"total_frame_bytes": 23000' in done.stdout


def test_the_hpc_example_runs_from_the_python_client(stack, user, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, os.path.join(HPC, "run_hpc.py"), str(tmp_path / "largefile.h5"), str(out)],
                          env=environment(stack, user, tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    data = (tmp_path / "largefile.h5").read_bytes()
    seed = hashlib.sha256(data).digest()
    for run, nsteps in (("1_A", 100), ("1_B", 200), ("1_C", 300), ("1_D", 400)):
        assert f"{run} nsteps={nsteps} frames={nsteps // 100} artifact_sha256={hashlib.sha256(data).hexdigest()}" in done.stdout
    assert (out / "frame_001_A.dat").read_bytes() == (seed * 40)[:1100]
    assert '"total_frame_bytes": 23000' in done.stdout and '"frames": 10' in done.stdout
    for nsteps, size in FRAME_BYTES.items():
        assert f'"{nsteps}": {size}' in done.stdout
