"""Large launches (API.md v1.1): task_counts, tasks_truncated after 1,000 runs, and /runs pages with filters."""
import uuid

from sweep_fixtures import all_items, launch, register_http_functions

# More than the 1,000 runs a status lists, and than the 2,000 from which it counts them on a second connection
# beside its first page (LaunchController.countsBesideFromRuns).
WIDTH = 2_000


def scatter_workflow(client, workflow_id, function="noop"):
    r = client.post("/api/v1/workflows", json={"workflow_id": workflow_id, "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": function, "priority": 1}], "successors": ["2"],
         "properties": {"position": "start", "scatter": "launch_input['items']"}},
        {"id": "2", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": []}]})
    assert r.status_code == 201, r.text


def test_large_launch_status_is_truncated_with_counts_and_runs_page_through_everything(user, functions):
    register_http_functions(user, functions.url, ["noop"])
    scatter_workflow(user, "wide")
    status = launch(user, "wide", input={"items": list(range(WIDTH))})
    assert status["state"] == "succeeded", status["state"]

    assert status["tasks_truncated"] is True
    assert len(status["tasks"]) == 1_000
    assert status["task_counts"] == {"1": {"succeeded": WIDTH}, "2": {"succeeded": 1}}
    assert status["progress"]["total"] == WIDTH + 1
    # Where a client resumes the launch's event stream instead of replaying it: the id of its newest event.
    events = all_items(user, f"/api/v1/launches/{status['launch_id']}/events", limit=500)
    assert len(events) > WIDTH and status["last_event_id"] == max(e["id"] for e in events)
    # The first runs in run order: the scatter's replicas come before its successor.
    assert [t["task_id"] for t in status["tasks"]] == ["1"] * 1_000

    runs = all_items(user, f"/api/v1/launches/{status['launch_id']}/runs", limit=500)
    assert len(runs) == WIDTH + 1
    names = [r["run_id"] for r in runs]
    assert len(set(names)) == len(names)
    assert names[:1_000] == [t["run_id"] for t in status["tasks"]]
    gather = next(r for r in runs if r["task_id"] == "2")
    assert sorted(gather["predecessors"]) == sorted(r["run_id"] for r in runs if r["task_id"] == "1")
    assert all(r["predecessors"] == [] for r in runs if r["task_id"] == "1")

    base = f"/api/v1/launches/{status['launch_id']}/runs"
    page = user.get(base, params={"limit": 7}).json()
    assert [r["run_id"] for r in page["items"]] == names[:7] and page["next_cursor"]
    second = user.get(base, params={"limit": 7, "cursor": page["next_cursor"]}).json()
    assert [r["run_id"] for r in second["items"]] == names[7:14]

    only_gather = user.get(base, params={"task_id": "2"}).json()
    assert [r["run_id"] for r in only_gather["items"]] == ["2"] and only_gather["next_cursor"] is None
    replicas = all_items(user, base + "?task_id=1&state=succeeded", limit=500)
    assert len(replicas) == WIDTH
    assert user.get(base, params={"state": "failed"}).json() == {"items": [], "next_cursor": None}
    assert user.get(base, params={"task_id": "nope"}).json()["items"] == []
    found = user.get(base, params={"run_id": names[1_050]}).json()
    assert [r["run_id"] for r in found["items"]] == [names[1_050]] and found["next_cursor"] is None
    assert user.get(base, params={"run_id": "1_nope"}).json()["items"] == []


def test_state_filter_finds_failed_and_upstream_failed_runs(user, functions):
    register_http_functions(user, functions.url, ["noop", "fail"])
    scatter_workflow(user, "failing_wide", function="fail")
    status = launch(user, "failing_wide", input={"items": [1, 2, 3]})
    assert status["state"] == "failed"
    assert status["tasks_truncated"] is False
    assert status["task_counts"] == {"1": {"failed": 3}, "2": {"upstream_failed": 1}}
    base = f"/api/v1/launches/{status['launch_id']}/runs"
    failed = user.get(base, params={"state": "failed"}).json()["items"]
    assert sorted(r["run_id"] for r in failed) == ["1_A", "1_B", "1_C"]
    assert all(r["state"] == "failed" and "HTTP 500" in r["error"] for r in failed)
    downstream = user.get(base, params={"state": "upstream_failed", "task_id": "2"}).json()["items"]
    assert [r["run_id"] for r in downstream] == ["2"]
    assert user.get(base, params={"state": "upstream_failed", "task_id": "1"}).json()["items"] == []


def test_runs_rejects_bad_parameters_and_hides_other_users_launches(user, other_user, functions):
    register_http_functions(user, functions.url, ["noop"])
    scatter_workflow(user, "small")
    status = launch(user, "small", input={"items": [1]})
    base = f"/api/v1/launches/{status['launch_id']}/runs"
    r = user.get(base, params={"state": "sleeping"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "state"
    r = user.get(base, params={"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"
    assert other_user.get(base).status_code == 404
    assert user.get(f"/api/v1/launches/{uuid.uuid4()}/runs").status_code == 404
    assert user.get("/api/v1/launches/not-a-uuid/runs").status_code == 404
    assert other_user.get(f"/api/v1/launches/{status['launch_id']}").status_code == 404
