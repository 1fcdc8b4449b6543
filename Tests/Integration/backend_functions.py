"""HTTP functions of backend workflows for the integration tests (issue 15), a real server like function_server.py.

Each function gets the task input (`launch_input` = the call's {"method","url_params","req_body","req_form"}) and
uses the run API with its own token (`sweep.token`, `sweep.api_url`): shared data (push/pull) and response items.
POST /intercept is an interceptor: it doubles req_body.var and rejects a negative one.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

gates = {}
lock = threading.Lock()


def gate(name):
    with lock:
        return gates.setdefault(name, threading.Event())


def run_api(payload, method, path, body=None):
    """One run-API request with the run's token: (status, parsed body or None)."""
    sweep = payload["sweep"]
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(sweep["api_url"] + path, method=method, data=data,
                                     headers={"Authorization": "Bearer " + sweep["token"], "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def answer(name, payload):
    launch = payload.get("launch_input") or {}
    static = payload.get("static_input") or {}
    if name == "intercept":
        body = dict(payload.get("req_body") or {})
        if body.get("var", 0) < 0:
            return 400, {"error": "var must not be negative"}
        body["var"] = body.get("var", 0) * 2
        body["intercepted"] = True
        return 200, {"method": payload["method"], "url_params": payload["url_params"], "req_body": body,
                     "req_form": payload.get("req_form") or {}}
    if name == "echo":
        # Answers the request it saw as response item "echo".
        status, _ = run_api(payload, "POST", "/api/v1/run/response/echo", {"data": [{"request": launch}]})
        return (200, {}) if status == 204 else (500, {"error": f"response refused: {status}"})
    if name == "load":
        # ML pipeline in miniature: the dataset comes from the request.
        rows = (launch.get("req_body") or {}).get("rows") or []
        status, _ = run_api(payload, "PUT", "/api/v1/run/shared/dataset", rows)
        return (200, {"rows": len(rows)}) if status == 204 else (500, {"error": f"push refused: {status}"})
    if name == "preprocess":
        status, rows = run_api(payload, "GET", "/api/v1/run/shared/dataset")
        if status != 200:
            return 500, {"error": f"pull failed: {status}"}
        scale = (launch.get("url_params") or {}).get("scale", 1)
        clean = [{"x": r["x"] * scale, "y": r["y"]} for r in rows if r.get("x") is not None]
        run_api(payload, "PUT", "/api/v1/run/shared/clean", clean)
        return 200, {"kept": len(clean)}
    if name == "train":
        status, rows = run_api(payload, "GET", "/api/v1/run/shared/clean")
        if status != 200:
            return 500, {"error": f"pull failed: {status}"}
        n = len(rows)
        mean = sum(r["y"] for r in rows) / n if n else 0.0
        mse = sum((r["y"] - mean) ** 2 for r in rows) / n if n else 0.0
        s1, _ = run_api(payload, "POST", "/api/v1/run/response/metrics", {"data": [{"name": "mse", "value": mse}, {"name": "n", "value": n}]})
        s2, _ = run_api(payload, "PUT", "/api/v1/run/response/metrics/meta", {"model": "mean", "trained_on": n})
        return (200, {"mse": mse}) if (s1, s2) == (204, 204) else (500, {"error": f"response refused: {s1} {s2}"})
    if name == "pull_missing":
        status, body = run_api(payload, "GET", "/api/v1/run/shared/never-pushed")
        run_api(payload, "POST", "/api/v1/run/response/echo", {"data": [{"status": status, "code": (body or {}).get("error", {}).get("code")}]})
        return 200, {}
    if name == "limits":
        # The run API's bounds, as a task meets them: a value over 256 KiB, an undeclared item, a meta that is no object.
        big, _ = run_api(payload, "PUT", "/api/v1/run/shared/big", "x" * (300 << 10))
        unknown, body = run_api(payload, "POST", "/api/v1/run/response/nope", {"data": [{}]})
        meta, _ = run_api(payload, "PUT", "/api/v1/run/response/metrics/meta", [1, 2])
        run_api(payload, "POST", "/api/v1/run/response/metrics", {"data": [{"name": "statuses", "value": 0, "big": big, "unknown": unknown,
                                                                            "unknown_code": body["error"]["code"], "meta": meta}]})
        return 200, {}
    if name == "bad_item":
        # Sends an object its item's schema refuses; reports the refusal as its own failure.
        status, body = run_api(payload, "POST", "/api/v1/run/response/metrics", {"data": [{"name": "mse", "value": "not a number"}]})
        return 500, {"error": f"response refused with {status}: {json.dumps(body)}"}
    if name == "fail":
        return 500, {"error": "this function always fails"}
    if name == "gate":
        gate(static["gate"]).wait(60)
        return 200, {}
    if name == "noop":
        return 200, {}
    return 404, {"error": f"no function {name}"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_open/"):
            gate(self.path[len("/_open/"):]).set()
            return self.reply(200, {})
        status, body = answer(self.path.strip("/"), json.loads(raw or b"null"))
        self.reply(status, body)


class Server(ThreadingHTTPServer):
    request_queue_size = 4096
    daemon_threads = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()
