"""Real HTTP functions for integration tests: POST /<function_name> with the task input as JSON.

Answers by function name (the seed's examples), records every call (run id, attempt, input) and the highest
number of calls in progress at once; GET /_calls and /_stats expose them, POST /_reset clears them.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TILES = {"buckets": [{"count": 3}], "tile": [{"tile_id": 1}, {"tile_id": 2}, {"tile_id": 3}]}
ENV_VARS = {"num_inds": 3, "env_vars": [
    [{"name": "IND", "value": "1"}, {"name": "VAR", "value": "hello"}],
    [{"name": "IND", "value": "2"}, {"name": "VAR", "value": "hello"}],
    [{"name": "IND", "value": "3"}, {"name": "VAR", "value": "hello"}],
]}

EXACT_NUMBERS = ('{"n": 12345678901234567890, "neg": -98765432109876543210987654321, "x": 3.14159265358979323846264338, '
                 '"tiny": 1e-400, "huge": 1e400, "ok": 0.1, "small": 7}')

lock = threading.Lock()
calls = []
# Gates for tests that act while calls are in flight: "gate" blocks until POST /_open/<name> (static_input.gate).
gates = {}


def gate(name):
    with lock:
        return gates.setdefault(name, threading.Event())
state = {"current": 0, "peak": 0}


def answer(name, payload):
    static = payload.get("static_input") or {} if isinstance(payload, dict) else {}
    if name == "firstFunc":
        return 200, TILES
    if name == "prepFunc":
        return 200, ENV_VARS
    if name == "fail":
        return 500, {"error": "this function always fails"}
    if name == "notjson":
        return 200, "plain text"
    if name == "slow":
        time.sleep(float(static.get("seconds", 0.3)))
        return 200, {"slept": static.get("seconds", 0.3)}
    if name == "numbers":
        return 200, {"numbers": list(range(int(static.get("n", 3))))}
    if name == "noop":
        return 200, {}
    if name == "exact_numbers":
        # Numbers no Int64 or Double holds (test_exact_numbers.py), sent as raw text: Python's json would round
        # the decimals.
        return 200, EXACT_NUMBERS
    if name == "exact_receive":
        return 200, {}
    if name == "exact_out_of_range":
        return 200, '{"n": 1e1001}'
    if name == "progress_burst":
        # Posts progress as fast as it can (static_input.n reports), then waits at its gate.
        import urllib.request
        sweep = payload.get("sweep", {})
        statuses = set()
        for i in range(int(static.get("n", 200))):
            request = urllib.request.Request(sweep["progress_url"], method="POST",
                                             data=json.dumps({"percent": i * 100 // int(static.get("n", 200)), "message": f"step {i}"}).encode(),
                                             headers={"Authorization": "Bearer " + sweep["token"], "Content-Type": "application/json"})
            with urllib.request.urlopen(request) as r:
                statuses.add(r.status)
        gate(static["gate"]).wait()
        return 200, {"statuses": sorted(statuses)}
    if name == "flaky":
        # Fails (HTTP 503) until its attempt reaches static_input.succeed_at (issue 13 retries).
        attempt = (payload.get("sweep") or {}).get("attempt", 0)
        if attempt < int(static.get("succeed_at", 3)):
            return 503, {"error": f"flaky failure at attempt {attempt}"}
        return 200, {"attempt": attempt}
    if name == "fatal":
        # An error the function marks final: the run fails with retries left.
        return 422, {"error": "bad input, do not retry"}, {"X-Sweep-Retryable": "false"}
    if name == "gate":
        gate(static["gate"]).wait()
        sweep = payload.get("sweep", {})
        return 200, {"gate": static["gate"], "run": sweep.get("run_id"), "attempt": sweep.get("attempt")}
    if name == "gate_attempt":
        # Like "gate", with a gate per attempt ("<gate>@<attempt>"): a re-run is held apart from the run before it.
        sweep = payload.get("sweep", {})
        gate(f"{static['gate']}@{sweep.get('attempt')}").wait()
        return 200, {"attempt": sweep.get("attempt")}
    if name == "progress":
        # Reports progress with the run's own token, as a long task would.
        import urllib.request
        sweep = payload.get("sweep", {})
        request = urllib.request.Request(sweep["progress_url"], method="POST",
                                         data=json.dumps({"percent": 30, "message": "working"}).encode(),
                                         headers={"Authorization": "Bearer " + sweep["token"], "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as r:
            return 200, {"reported": r.status, "token": sweep["token"]}
    if name == "spawn":
        # Adds static_input.children (names) as run-time children running `noop`, before static_input.before when
        # given, through the run API with the run's own token (ColonyOS add_child from an HTTP function).
        import urllib.error
        import urllib.request
        sweep = payload.get("sweep", {})
        body = {"children": [{"name": child, "execution_configurations": [{"function_def_id": "noop", "priority": 1}]}
                             for child in static.get("children", [])]}
        if static.get("before"):
            body["before"] = static["before"]
        request = urllib.request.Request(sweep["api_url"] + "/api/v1/run/children", method="POST", data=json.dumps(body).encode(),
                                         headers={"Authorization": "Bearer " + sweep["token"], "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as r:
                return 200, {"status": r.status, "answer": json.loads(r.read())}
        except urllib.error.HTTPError as e:
            return 200, {"status": e.code, "answer": json.loads(e.read())}
    return 200, {"fn": name}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            if self.path == "/_calls":
                return self.reply(200, calls)
            if self.path == "/_stats":
                return self.reply(200, dict(state, count=len(calls)))
        self.reply(404, {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.startswith("/_open/"):
            gate(self.path[len("/_open/"):]).set()
            return self.reply(200, {})
        if self.path == "/_reset":
            with lock:
                calls.clear()
                state.update(current=0, peak=0)
            return self.reply(200, {})
        name = self.path.strip("/")
        payload = json.loads(raw or b"null")
        with lock:
            state["current"] += 1
            state["peak"] = max(state["peak"], state["current"])
            calls.append({"function": name, "run": self.headers.get("X-Sweep-Run-Id"),
                          "launch": self.headers.get("X-Sweep-Launch-Id"),
                          "attempt": int(self.headers.get("X-Sweep-Attempt") or 0), "input": payload,
                          "traceparent": self.headers.get("traceparent"),
                          # The body as sent, where the numbers' exact text matters (json.loads rounds decimals).
                          **({"raw": raw.decode()} if name.startswith("exact_") else {})})
        try:
            if name == "exact_echo":
                # Its input as its output, byte for byte (json.loads/dumps would round decimals).
                status, body, extra = 200, b'{"echo": ' + raw + b'}', []
            else:
                status, body, *extra = answer(name, payload)
        finally:
            with lock:
                state["current"] -= 1
        if isinstance(body, str):
            return self.reply(status, body.encode(), *extra)
        self.reply(status, body, *extra)


class Server(ThreadingHTTPServer):
    # Schedulers open many connections at once; the default backlog of 5 would reset them.
    request_queue_size = 1024


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()
