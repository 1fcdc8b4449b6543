#!/usr/bin/env python3
"""The backend-workflow example's HTTP functions (stdlib only): the seed's ML pipeline in miniature.

    python3 examples/backend/functions.py [PORT]     # serves POST /<function> on 127.0.0.1:PORT (default 8091)

Each task gets the standard task input (`launch_input` is the call: {"method","url_params","req_body","req_form"})
plus `sweep.token` and `sweep.api_url`, and uses the run API with that token, as BE's `ti` does:
  ti.push(key, value)        PUT  {api_url}/api/v1/run/shared/{key}
  ti.pull(key)               GET  {api_url}/api/v1/run/shared/{key}
  ti.response_data(item, l)  POST {api_url}/api/v1/run/response/{item}   {"data": [objects]}
  ti.response_meta(item, m)  PUT  {api_url}/api/v1/run/response/{item}/meta
"""
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TaskInstance:
    """The BE task instance `ti`, over Sweep's run API."""

    def __init__(self, payload):
        self.sweep = payload["sweep"]
        call = payload.get("launch_input") or {}
        self.method = call.get("method")
        self.url_params = call.get("url_params") or {}
        self.req_body = call.get("req_body") or {}
        self.req_form = call.get("req_form") or {}

    def _api(self, method, path, body=None):
        request = urllib.request.Request(self.sweep["api_url"] + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": "Bearer " + self.sweep["token"],
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def push(self, key, value):
        self._api("PUT", "/api/v1/run/shared/" + key, value)

    def pull(self, key):
        return self._api("GET", "/api/v1/run/shared/" + key)

    def response_data(self, item, objects):
        self._api("POST", "/api/v1/run/response/" + item, {"data": objects})

    def response_meta(self, item, meta):
        self._api("PUT", f"/api/v1/run/response/{item}/meta", meta)


# --- the tasks (BE: one function per task, taking `ti`) ----------------------------------------------------------
def read_dataset(ti):
    """The dataset comes with the request: rows of {"x", "y"}."""
    ti.push("dataset", ti.req_body.get("rows", []))


def preprocess(ti):
    """Drops incomplete rows and scales x by the `scale` url param."""
    scale = ti.url_params.get("scale", 1)
    rows = [r for r in ti.pull("dataset") if r.get("x") is not None and r.get("y") is not None]
    ti.push("clean", [{"x": r["x"] * scale, "y": r["y"]} for r in rows])


def train(ti):
    """Fits y = a·x + b by least squares; answers with its metrics."""
    rows = ti.pull("clean")
    n = len(rows)
    mx = sum(r["x"] for r in rows) / n
    my = sum(r["y"] for r in rows) / n
    sxx = sum((r["x"] - mx) ** 2 for r in rows)
    a = sum((r["x"] - mx) * (r["y"] - my) for r in rows) / sxx if sxx else 0.0
    b = my - a * mx
    mse = sum((r["y"] - (a * r["x"] + b)) ** 2 for r in rows) / n
    ti.response_data("metrics", [{"name": "slope", "value": a}, {"name": "intercept", "value": b},
                                 {"name": "mse", "value": mse}])
    ti.response_meta("metrics", {"model": "linear", "rows": n, "epochs": ti.url_params.get("epochs")})


def intercept(payload):
    """The interceptor: validates, and adds a default dataset name; an error rejects the call (422)."""
    body = dict(payload.get("req_body") or {})
    if len(body.get("rows", [])) < 2:
        raise ValueError("send at least two rows to train on")
    body.setdefault("dataset", "inline")
    return {"method": payload["method"], "url_params": payload["url_params"], "req_body": body,
            "req_form": payload.get("req_form") or {}}


TASKS = {"read_dataset": read_dataset, "preprocess": preprocess, "train": train}


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
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        name = self.path.strip("/")
        try:
            if name == "intercept":
                return self.reply(200, intercept(payload))
            if name not in TASKS:
                return self.reply(404, {"error": f"no function {name}"})
            TASKS[name](TaskInstance(payload))
            return self.reply(200, {})
        except urllib.error.HTTPError as e:
            return self.reply(500, {"error": f"run API refused: {e.code} {e.read().decode(errors='replace')}"})
        except Exception as e:  # the task's error is the run's error (or the interceptor's refusal)
            return self.reply(400 if name == "intercept" else 500, {"error": str(e)})


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8091
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
