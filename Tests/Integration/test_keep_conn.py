"""Issue 17: many POSTs with bodies, parked ones among them, over kept client connections from several clients must
all be answered. nginx does not keep its FastCGI connections to the worker (`fastcgi_keep_conn` stays off: with it
on, "upstream prematurely closed connection" still appeared now and then under load; see the nginx template)."""
import concurrent.futures
import os

import requests

from conftest import FunctionServer
from stack import Stack
from sweep_fixtures import register_http_functions

ROUNDS = 25
CLIENTS = 4


def test_posts_with_bodies_over_kept_connections_are_all_answered():
    stack = Stack(worker_threads=4)
    server = FunctionServer()
    try:
        stack.start(schedulers=1)
        template = open(os.path.join(stack.workdir, "nginx.conf")).read()
        assert "fastcgi_keep_conn on;" not in template
        client = stack.create_user("keeper")
        register_http_functions(client, server.url, ["noop"])
        assert client.post("/api/v1/workflows", json={"workflow_id": "quick", "tasks": [
            {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
             "properties": {"position": "start"}}]}).status_code == 201
        headers = {"Authorization": "Bearer " + client.key}

        def rounds(index):
            seen = []
            with requests.Session() as session:
                for i in range(ROUNDS):
                    # A parked POST (answered by the scheduler's NOTIFY, from another thread), a POST whose body is
                    # larger than one FastCGI record, a POST refused before its body is used, and a GET.
                    r = session.post(f"{stack.url}/api/v1/workflows/quick/launches", json={"wait": 20}, headers=headers, timeout=30)
                    seen.append(("wait", r.status_code, r.json().get("state")))
                    definition = {"workflow_id": f"w{index}_{i}", "tasks": [
                        {"id": "1", "execution_configurations": [{"function_def_id": "noop", "priority": 1}], "successors": [],
                         "properties": {"position": "start", "static_input": {"pad": "x" * 40000}}}]}
                    r = session.post(f"{stack.url}/api/v1/workflows", json=definition, headers=headers, timeout=30)
                    seen.append(("define", r.status_code, None))
                    r = session.post(f"{stack.url}/api/v1/workflows", data=b"{not json" + b" " * 9000, headers=headers, timeout=30)
                    seen.append(("bad", r.status_code, None))
                    r = session.get(f"{stack.url}/api/v1/me", headers=headers, timeout=30)
                    seen.append(("me", r.status_code, None))
            return seen

        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            answers = [a for seen in pool.map(rounds, range(CLIENTS)) for a in seen]
        assert len(answers) == ROUNDS * CLIENTS * 4
        wrong = [a for a in answers if a not in (("wait", 200, "succeeded"), ("define", 201, None), ("bad", 400, None), ("me", 200, None))]
        assert not wrong, wrong[:10]
        errors = open(os.path.join(stack.workdir, "nginx-error.log")).read()
        assert "prematurely closed" not in errors and "upstream" not in errors, errors[-2000:]
    finally:
        stack.stop()
        server.stop()
