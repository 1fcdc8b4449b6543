"""Local tasks run nicer than the scheduler (SWEEP_TASK_NICE, default 10): a burst of container starts or a CPU-bound
task must not take the CPU from PostgreSQL, the worker's event streams, nginx and the scheduler's own loop."""
import os

from sweep_fixtures import launch, register_demo_container, runs_by_id


def nice_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[16])


def logs(client, launch_id, run):
    r = client.get(f"/api/v1/launches/{launch_id}/tasks/{run}/logs")
    assert r.status_code == 200
    return r.text


def test_a_container_task_and_what_it_starts_run_at_the_task_nice_value(stack, user):
    register_demo_container(user)
    # Field 19 of /proc/PID/stat is the nice value; `cut` reads its own, a child of the task's shell.
    assert user.post("/api/v1/workflows", json={"workflow_id": "nice", "tasks": [
        {"id": "1", "execution_configurations": [{"container_def_id": "cdef_hello_world", "priority": 1}], "successors": [],
         "properties": {"position": "start", "command": ["sh", "-c", "cut -d' ' -f19 /proc/self/stat"]}}]}).status_code == 201
    status = launch(user, "nice")
    assert status["state"] == "succeeded", runs_by_id(status)["1"]["error"]
    expected = min(19, nice_of(stack.schedulers[0].pid) + 10)
    assert logs(user, status["launch_id"], "1") == f"{expected}\n"
    # The scheduler itself keeps its own.
    assert nice_of(stack.schedulers[0].pid) == os.getpriority(os.PRIO_PROCESS, 0)
