"""Seed 002 with the Python client (`pip install ./clients/python`): the same jobs as run-cli.sh, then every job's
output1.txt loaded into memory and one frame saved to a file, as SWEEP's `job.get_output_file(...)` does.

    SWEEP_URL=http://127.0.0.1:8080 SWEEP_API_KEY=sk_… python3 examples/hpc/run_hpc.py [ARTIFACT] [OUTDIR]
"""
import json
import os
import sys

from sweep_client import SweepClient, SweepError

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    with open(os.path.join(HERE, name)) as f:
        return json.load(f)


def main():
    out = sys.argv[2] if len(sys.argv) > 2 else "hpc-out"
    os.makedirs(out, exist_ok=True)
    artifact = sys.argv[1] if len(sys.argv) > 1 else os.path.join(out, "largefile.h5")
    if not os.path.exists(artifact):
        with open(artifact, "wb") as f:
            f.write(os.urandom(8_000_000))
    client = SweepClient.from_env()
    try:
        client.register_destination(load("destination.json"))
    except SweepError as error:
        if error.status != 409:
            raise
    for definition, folder in (("job.json", "job"), ("gather.json", "gather")):
        try:
            client.register_function(load(definition))
        except SweepError as error:
            if error.status != 409:
                raise
        client.upload_function_code(load(definition)["id"], os.path.join(HERE, folder))
    print("artifact:", client.upload_artifact("largefile.h5", artifact)["sha256"])
    client.register_workflow(load("hpc.json"))
    status = client.wait(client.launch("hpc")["launch_id"])
    print("launch", status["launch_id"], status["state"])
    if status["state"] != "succeeded":
        sys.exit(1)
    runs = {run["run_id"]: run for run in status["tasks"]}
    for run_id in sorted(r for r in runs if r.startswith("1_")):
        output1 = client.get_output_file(status["launch_id"], run_id, "output1.txt").decode()
        print(run_id, output1.strip(), "|", client.logs(status["launch_id"], run_id, stream="stderr").strip())
    saved = client.get_output_file(status["launch_id"], "1_A", "frame_001.dat", save_as=os.path.join(out, "frame_001_A.dat"))
    print("saved", saved, os.path.getsize(saved), "bytes")
    print("gather:", json.dumps(runs["2"]["output"]))


if __name__ == "__main__":
    main()
