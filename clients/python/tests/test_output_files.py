"""SweepClient and task files (issue 16): an artifact uploaded from a path, a job's output file loaded into memory and
saved to a file (SWEEP's `job.get_output_file`), its stderr read apart."""
import hashlib

from conftest import local_function
from sweep_client import SweepClient

JOB = """import sys
def handler(event, context):
    data = open('input.bin', 'rb').read()
    open('output1.txt', 'w').write(open('sample.in').read())
    open('output2.bin', 'wb').write(data[::-1])
    print('job done', file=sys.stderr)
    return {'size': len(data)}
"""


def test_get_output_file_loads_or_saves_what_a_job_wrote(stack, account, tmp_path):
    client = SweepClient(stack.url, account.key)
    local_function(client, "job", JOB)
    data = bytes(range(256)) * 4096
    source = tmp_path / "input.bin"
    source.write_bytes(data)
    uploaded = client.upload_artifact("input.bin", str(source))
    assert uploaded["sha256"] == hashlib.sha256(data).hexdigest() and uploaded["size"] == len(data)
    client.register_workflow({"workflow_id": "files", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "job", "priority": 1}], "successors": [],
         "properties": {"position": "start", "input_files": [{"name": "sample.in", "contents": "variable nsteps equal 200"}],
                        "artifacts": ["input.bin"], "output_files": ["output*"]}}]})
    status = client.wait(client.launch("files")["launch_id"])
    assert status["state"] == "succeeded", status["tasks"][0]["error"]
    launch_id = status["launch_id"]
    assert client.get_output_file(launch_id, "1", "output1.txt") == b"variable nsteps equal 200"
    saved = client.get_output_file(launch_id, "1", "output2.bin", save_as=str(tmp_path / "output2.bin"))
    assert saved == str(tmp_path / "output2.bin") and (tmp_path / "output2.bin").read_bytes() == data[::-1]
    listed = {f["name"]: f for f in client.output_files(launch_id, "1")}
    assert listed["output2.bin"]["sha256"] == hashlib.sha256(data[::-1]).hexdigest()
    assert client.logs(launch_id, "1", stream="stderr") == "job done\n"
