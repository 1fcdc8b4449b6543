"""Operations endpoints: /livez, /readyz (503 while PostgreSQL is down), and /metrics in Prometheus text format."""
import os
import re
import subprocess

import requests

from stack import ROOT, Stack, wait_until
from sweep_fixtures import launch, register_http_functions


def metric_samples(text):
    """{(name, frozenset(labels)): value} from Prometheus text; checks every non-comment line parses."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def test_livez_and_readyz_answer_ok(stack):
    for path in ("/livez", "/readyz"):
        r = requests.get(stack.url + path, timeout=5)
        assert r.status_code == 200 and r.json() == {"status": "ok"}, (path, r.text)


def test_metrics_count_requests_runs_claims_and_queue_wait(stack, user, functions):
    first = metric_samples(requests.get(stack.url + "/metrics", timeout=10).text)  # the first scrape starts the count
    register_http_functions(user, functions.url, ["noop"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "metered", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
         "properties": {"position": "start", "scatter": "launch_input['items']"}}]})
    assert r.status_code == 201
    assert launch(user, "metered", input={"items": [1, 2, 3, 4, 5]})["state"] == "succeeded"
    assert user.get("/api/v1/launches/00000000-0000-0000-0000-000000000000").status_code == 404

    def scraped():
        r = requests.get(stack.url + "/metrics", timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = metric_samples(r.text)
        # Claims settle a second after they happen (a claim may commit after its start time): poll for them.
        claims = samples.get(("sweep_scheduler_claims_total", frozenset()), 0) - first.get(("sweep_scheduler_claims_total", frozenset()), 0)
        return (r.text, samples) if claims >= 5 else None
    text, samples = wait_until(scraped, timeout=20, interval=0.2, what="claims to show in /metrics")

    for family, kind in [("sweep_http_requests_total", "counter"), ("sweep_task_runs_total", "gauge"),
                         ("sweep_queue_wait_seconds", "histogram"), ("sweep_scheduler_claims_total", "counter"),
                         ("sweep_http_request_duration_seconds", "histogram"), ("sweep_user_running_runs", "gauge")]:
        assert f"# TYPE {family} {kind}" in text, family
    assert samples[("sweep_http_requests_total", frozenset({("status", "404")}))] >= 1
    assert samples[("sweep_http_requests_total", frozenset({("status", "201")}))] >= 1
    assert samples[("sweep_task_runs_total", frozenset({("state", "succeeded")}))] >= 5
    wait_count = samples[("sweep_queue_wait_seconds_count", frozenset())]
    assert wait_count >= 5
    assert samples[("sweep_queue_wait_seconds_bucket", frozenset({("le", "+Inf")}))] == wait_count
    route = frozenset({("method", "POST"), ("route", "/api/v1/workflows/{id}/launches")})
    assert samples[("sweep_http_request_duration_seconds_count", route)] >= 1
    buckets = [v for (name, labels), v in samples.items()
               if name == "sweep_http_request_duration_seconds_bucket" and labels - {l for l in labels if l[0] == "le"} == route]
    assert buckets == sorted(buckets)  # cumulative
    assert samples[("sweep_metrics_scrape_errors", frozenset())] == 0


def test_running_runs_are_gauged_per_user(stack, user, functions):
    register_http_functions(user, functions.url, ["slow"])
    r = user.post("/api/v1/workflows", json={"workflow_id": "sleepy", "tasks": [
        {"id": "1", "execution_configurations": [{"function_def_id": "slow", "priority": 1}], "successors": [],
         "properties": {"position": "start", "static_input": {"seconds": 3}}}]})
    assert r.status_code == 201, r.text
    launch_id = user.post("/api/v1/workflows/sleepy/launches", json={}).json()["launch_id"]

    def running():
        samples = metric_samples(requests.get(stack.url + "/metrics", timeout=10).text)
        return samples.get(("sweep_user_running_runs", frozenset({("user", user.username)}))) == 1
    wait_until(running, timeout=20, interval=0.1, what="the user's running run in /metrics")
    user.post(f"/api/v1/launches/{launch_id}/cancel")


def test_readyz_answers_503_while_postgresql_is_down():
    # A stack of its own: stopping the session's database would disturb every other test's scheduler.
    own = Stack(worker_threads=2)
    try:
        own.start(schedulers=0)
        pg = os.path.join(own.workdir, "pg")
        assert requests.get(own.url + "/readyz", timeout=10).status_code == 200
        subprocess.check_call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", pg])
        r = requests.get(own.url + "/readyz", timeout=10)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "database_unavailable"
        assert requests.get(own.url + "/livez", timeout=5).status_code == 200
        subprocess.check_output([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pg, str(own.pg_port)])
        wait_until(lambda: requests.get(own.url + "/readyz", timeout=10).status_code == 200, timeout=30, interval=0.2,
                   what="/readyz to recover once PostgreSQL is back")
    finally:
        own.stop()


def test_readyz_answers_503_until_migrations_are_applied():
    own = Stack(worker_threads=2)
    try:
        own.start(schedulers=0)
        own.psql("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
        r = requests.get(own.url + "/readyz", timeout=10)
        assert r.status_code == 503 and r.json()["error"]["code"] == "migrations_pending", r.text
    finally:
        own.stop()


def test_a_key_revoked_outside_this_worker_stops_working_through_notify(stack):
    # Revoked straight in the database (as another worker would): the trigger's NOTIFY empties the worker's cache.
    client = stack.create_user(f"cached-{os.getpid()}")
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200  # now answered from the cache
    stack.psql("UPDATE api_keys SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = :'p1')",
               client.username)
    wait_until(lambda: client.get("/api/v1/me").status_code == 401, timeout=5, interval=0.01,
               what="the revoked key to be refused")


def test_a_user_deleted_outside_this_worker_loses_access_through_notify(stack):
    client = stack.create_user(f"doomed-{os.getpid()}")
    assert client.get("/api/v1/me").status_code == 200
    stack.psql("DELETE FROM users WHERE username = :'p1'", client.username)
    wait_until(lambda: client.get("/api/v1/me").status_code == 401, timeout=5, interval=0.01,
               what="the deleted user's key to be refused")
