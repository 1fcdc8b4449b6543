"""Foreground /call under concurrency (issue 15, the `call` bench): the paths made faster for it keep their contracts.
Launch admission is taken last in the creating transaction and must stay exact; parked calls skip the check on
arrival only for a launch they created; a loop pass's chain steps commit together."""
import concurrent.futures
import time

import requests

from sweep_fixtures import register_http_functions
from test_backend_workflows import be, be_server, call, register, task  # noqa: F401 (fixtures)


def test_concurrent_launches_are_admitted_exactly_up_to_max_launches_in_flight(admin, user, functions):
    register_http_functions(user, functions.url, ["slow"])
    workflow = {"workflow_id": "slow", "tasks": [{"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}],
                                                  "successors": [], "properties": {"position": "start", "static_input": {"seconds": 30}}}]}
    assert user.post("/api/v1/workflows", json=workflow).status_code == 201
    assert admin.put(f"/api/v1/users/{user.username}/limits", json={"max_launches_in_flight": 3}).status_code == 200
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=12))
    http.headers["Authorization"] = "Bearer " + user.key

    def create(_):
        return http.post(f"{user.url}/api/v1/workflows/slow/launches", json={}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(create, range(12)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [202] * 3 + [429] * 9, statuses
    assert all(r.json()["error"]["field"] == "/max_launches_in_flight" for r in answers if r.status_code == 429)
    launches = user.get("/api/v1/launches", params={"workflow_id": "slow"}).json()["items"]
    assert len(launches) == 3
    for launch in launches:
        assert user.post(f"/api/v1/launches/{launch['launch_id']}/cancel").status_code == 202


def test_concurrent_calls_of_a_chain_each_answer_with_their_own_launch(be):
    register(be, "chain3", [task("1", "noop", ["2"], start=True), task("2", "noop", ["3"]), task("3", "noop")],
             request={"url_params": [{"name": "n", "type": "integer", "required": True}]})
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=24))
    http.headers["Authorization"] = "Bearer " + be.key

    def one(n):
        r = http.post(f"{be.url}/api/v1/workflows/chain3/call", params={"n": n}, timeout=60)
        assert r.status_code == 200, r.text
        return n, r.headers["X-Sweep-Launch-Id"]

    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answered = list(pool.map(one, range(48)))
    assert len({launch_id for _, launch_id in answered}) == 48
    for n, launch_id in answered[::8]:
        status = be.get(f"/api/v1/launches/{launch_id}").json()
        assert status["state"] == "succeeded" and status["input"]["url_params"] == {"n": n}, status


def test_a_call_joining_an_ended_launch_by_its_key_answers_without_waiting_for_a_recheck(be):
    register(be, "idem2", [task("1", "noop", start=True)])
    first = call(be, "idem2", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.text
    # The registry checks every parked request every 5 s anyway; a joined launch that ended long ago must be
    # answered on arrival, not at that recheck.
    started = time.monotonic()
    again = call(be, "idem2", headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.headers["X-Sweep-Launch-Id"] == first.headers["X-Sweep-Launch-Id"]
    assert time.monotonic() - started < 2.5
