"""`SweepClient`: every endpoint of Sweep's REST API (v1), one method each, answers as the API gives them."""
import json
import os
import urllib.parse

from .code_archive import function_archive
from .event_stream import EventStream
from .transport import Transport

_UNSET = object()


def _segment(value):
    """One path segment: ids are the user's own strings (`2_A`, `my function`), so quote everything."""
    return urllib.parse.quote(str(value), safe="")


def _definition(value):
    """A definition given as a dict, or as the path of a JSON file holding it."""
    if isinstance(value, dict):
        return value
    with open(os.fspath(value), encoding="utf-8") as f:
        return json.load(f)


def _long_poll_timeout(timeout, wait):
    """A long-poll's socket timeout: the client's, and at least the poll's own wait plus a margin."""
    return max(timeout, wait + 30)


class SweepClient:
    """One user's view of a Sweep server.

    `SweepClient(url, api_key)` authenticates every request with the key (`sk_…`); `SweepClient.login(url,
    username, password)` signs in instead and keeps the session cookie. Failed requests raise `SweepError`
    (`status`, `code`, `message`, `field`). List methods are generators that follow `next_cursor` page by page."""

    def __init__(self, url, api_key, timeout=60.0, page_size=100, _transport=None):
        self._http = _transport or Transport(url, api_key=api_key, timeout=timeout)
        self.url = self._http.url
        self.page_size = page_size  # items per request when a list method follows the cursors

    @classmethod
    def login(cls, url, username, password, timeout=60.0):
        """A client on a cookie session (`POST /api/v1/auth/login`), signed in now so bad credentials fail here."""
        transport = Transport(url, username=username, password=password, timeout=timeout)
        transport.login()
        return cls(url, None, _transport=transport)

    @classmethod
    def from_env(cls):
        """`SWEEP_URL` and `SWEEP_API_KEY`, as `make run` prints them."""
        return cls(os.environ["SWEEP_URL"], os.environ["SWEEP_API_KEY"])

    @classmethod
    def for_task(cls):
        """Inside a running task: `SWEEP_API_URL` and the run's own `SWEEP_TASK_TOKEN` (for `progress`)."""
        return cls(os.environ["SWEEP_API_URL"], os.environ["SWEEP_TASK_TOKEN"])

    def _download(self, path, save_as):
        """The body of `path`: its bytes, or, with `save_as`, written to that path as it streams in (the path)."""
        response = self._http.open_stream(path)
        with response:
            if save_as is None:
                return response.read()
            with open(save_as, "wb") as out:
                for block in iter(lambda: response.read(1 << 20), b""):
                    out.write(block)
            return save_as

    def _pages(self, path, params=None):
        cursor = None
        while True:
            query = dict(params or {}, limit=self.page_size)
            if cursor:
                query["cursor"] = cursor
            page = self._http.request("GET", path, params=query)
            yield from page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    # --- users and keys ----------------------------------------------------------------------------------------
    def health(self):
        return self._http.request("GET", "/api/v1/health")

    def logout(self):
        """Ends a cookie session (`POST /api/v1/auth/logout`); a no-op for a key."""
        self._http.logout()

    def me(self):
        return self._http.request("GET", "/api/v1/me")

    def create_api_key(self, name):
        """`{"id", "name", "key", "created_at"}`; the key is in this answer only."""
        return self._http.request("POST", "/api/v1/api-keys", json_body={"name": name})

    def api_keys(self):
        return self._pages("/api/v1/api-keys")

    def delete_api_key(self, key_id):
        self._http.request("DELETE", f"/api/v1/api-keys/{_segment(key_id)}")

    def create_user(self, username, password, is_admin=False):
        """Admin only."""
        return self._http.request("POST", "/api/v1/users",
                                  json_body={"username": username, "password": password, "is_admin": is_admin})

    def users(self):
        """Admin only."""
        return self._pages("/api/v1/users")

    def delete_user(self, username):
        """Admin only: the user's data and keys go with them."""
        self._http.request("DELETE", f"/api/v1/users/{_segment(username)}")

    # --- definitions -------------------------------------------------------------------------------------------
    def register_destination(self, definition):
        """A SWEEP destination definition (dict or JSON file). `{"status": "OK", "msg", "id"}`."""
        return self._http.request("POST", "/api/v1/destinations", json_body=_definition(definition))

    def destinations(self):
        return self._pages("/api/v1/destinations")

    def destination(self, destination_id):
        return self._http.request("GET", f"/api/v1/destinations/{_segment(destination_id)}")

    def replace_destination(self, destination_id, definition):
        return self._http.request("PUT", f"/api/v1/destinations/{_segment(destination_id)}",
                                  json_body=_definition(definition))

    def delete_destination(self, destination_id):
        self._http.request("DELETE", f"/api/v1/destinations/{_segment(destination_id)}")

    def register_function(self, definition):
        """A SWEEP function definition (dict or JSON file). `{"status": "OK", "msg", "id"}`."""
        return self._http.request("POST", "/api/v1/functions", json_body=_definition(definition))

    def upload_function_code(self, function_id, code):
        """`code`: the zip's bytes, or the path of a zip, a folder or a `.py` (zipped here).
        `{"status": "OK", "msg", "sha256"}`."""
        data = code if isinstance(code, (bytes, bytearray)) else function_archive(os.fspath(code))
        return self._http.request("PUT", f"/api/v1/functions/{_segment(function_id)}/code", data=bytes(data),
                                  content_type="application/zip")

    def functions(self):
        return self._pages("/api/v1/functions")

    def function(self, function_id):
        """The definition, with `code_sha256` once code was uploaded."""
        return self._http.request("GET", f"/api/v1/functions/{_segment(function_id)}")

    def delete_function(self, function_id):
        self._http.request("DELETE", f"/api/v1/functions/{_segment(function_id)}")

    def register_container(self, definition):
        """A SWEEP container definition (dict or JSON file). `{"status": "OK", "msg", "id"}`."""
        return self._http.request("POST", "/api/v1/containers", json_body=_definition(definition))

    def containers(self):
        return self._pages("/api/v1/containers")

    def container(self, container_id):
        return self._http.request("GET", f"/api/v1/containers/{_segment(container_id)}")

    def delete_container(self, container_id):
        self._http.request("DELETE", f"/api/v1/containers/{_segment(container_id)}")

    # --- workflows ---------------------------------------------------------------------------------------------
    def register_workflow(self, definition):
        """Stores version 1, or version n+1 of an existing id. `{"status": "OK", "msg", "workflow_id", "version"}`."""
        return self._http.request("POST", "/api/v1/workflows", json_body=_definition(definition))

    def workflows(self):
        """The latest version of each workflow."""
        return self._pages("/api/v1/workflows")

    def workflow(self, workflow_id, version=None):
        """`{"workflow_id", "version", "definition", "created_at"}`: the latest version, or `version`."""
        return self._http.request("GET", f"/api/v1/workflows/{_segment(workflow_id)}", params={"version": version})

    def delete_workflow(self, workflow_id):
        """Deletes every version."""
        self._http.request("DELETE", f"/api/v1/workflows/{_segment(workflow_id)}")

    # --- launches ----------------------------------------------------------------------------------------------
    def launch(self, workflow_id, input=_UNSET, wait=None, idempotency_key=None, version=None):
        """Launches the latest version (or `version`, an older one). Without `wait`: `{"launch_id", "workflow_id", "version", "state"}`. With
        `wait` (seconds, 0-60): the full launch status when it ended in time, else the short answer. The same
        `idempotency_key` returns the launch of this workflow first made with it (keys are per workflow)."""
        body = {}
        if input is not _UNSET:
            body["input"] = input
        if wait is not None:
            body["wait"] = wait
        if idempotency_key is not None:
            body["idempotency_key"] = idempotency_key
        if version is not None:
            body["version"] = version
        timeout = max(self._http.timeout, (wait or 0) + 30)
        return self._http.request("POST", f"/api/v1/workflows/{_segment(workflow_id)}/launches", json_body=body,
                                  timeout=timeout)

    def launches(self, state=None, workflow_id=None, parent_launch_id=None):
        """Launch summaries, newest first; `state` one of waiting, running, succeeded, failed, cancelled;
        `parent_launch_id`: the child launches a launch's `workflow` tasks started."""
        return self._pages("/api/v1/launches", {"state": state, "workflow_id": workflow_id,
                                                "parent_launch_id": parent_launch_id})

    def launch_status(self, launch_id):
        """`{"launch_id", "workflow_id", "version", "state", …, "input", "output", "tasks": [runs]}`."""
        return self._http.request("GET", f"/api/v1/launches/{_segment(launch_id)}")

    def cancel(self, launch_id):
        return self._http.request("POST", f"/api/v1/launches/{_segment(launch_id)}/cancel")

    def wait(self, launch_id):
        """Blocks until the launch ends (following its event stream, not polling); returns its full status."""
        status = self.launch_status(launch_id)
        if status["state"] in ("succeeded", "failed", "cancelled"):
            return status
        last_event_id = None
        while True:
            for event in self.events(launch_id, last_event_id=last_event_id):
                last_event_id = event.id
            status = self.launch_status(launch_id)
            # A re-run launch's stream holds its old end event first: resume after it until the launch is over.
            if status["state"] in ("succeeded", "failed", "cancelled"):
                return status

    def rerun_launch(self, launch_id, tasks=None):
        """Re-runs an ended launch: what failed, was upstream_failed or cancelled, or (with `tasks`, a list of task
        ids) those tasks and everything downstream of them. Succeeded runs keep their outputs. Returns the summary."""
        body = {"tasks": [str(t) for t in tasks]} if tasks else {"from": "failed"}
        return self._http.request("POST", f"/api/v1/launches/{_segment(launch_id)}/rerun", json_body=body)

    def delete_launch(self, launch_id):
        """Deletes an ended launch with its runs, events and logs (409 `launch_not_ended` while it runs)."""
        self._http.request("DELETE", f"/api/v1/launches/{_segment(launch_id)}")

    def delete_launches(self, state=None, workflow_id=None):
        """Deletes every ended launch in `state` of `workflow_id` (None: any); returns how many went."""
        deleted = 0
        while True:
            answer = self._http.request("DELETE", "/api/v1/launches", params={"state": state, "workflow_id": workflow_id})
            deleted += answer["deleted"]
            if not answer.get("more"):
                return deleted

    def launch_events(self, launch_id, after=None):
        """A launch's events so far, as stored (`{"id", "event", "data"}` dicts), after event `after` if given."""
        return self._pages(f"/api/v1/launches/{_segment(launch_id)}/events", {"after": after})

    def user_events(self, after=None):
        """The events so far of all this user's launches, as stored, after event `after` if given."""
        return self._pages("/api/v1/events", {"after": after})

    def events(self, launch_id, last_event_id=None):
        """A launch's events as they happen (SSE): an iterator of `Event(id, event, data)` that resumes after
        `last_event_id`, reconnects by itself when the connection drops, and stops after the launch's end event."""
        def ended():
            return self.launch_status(launch_id)["state"] in ("succeeded", "failed", "cancelled")
        return EventStream(self._http, f"/api/v1/launches/{_segment(launch_id)}/events", last_event_id=last_event_id,
                           until_end=True, ended=ended)

    def all_events(self, last_event_id=None):
        """Every launch's events of this user (SSE), without end: iterate until you have what you need."""
        return EventStream(self._http, "/api/v1/events", last_event_id=last_event_id, until_end=False)

    def logs(self, launch_id, run_id, stream=None):
        """stdout and stderr of one task run, as text; `stream="stdout"` or `"stderr"` for one of them."""
        return self._http.request("GET", f"/api/v1/launches/{_segment(launch_id)}/tasks/{_segment(run_id)}/logs",
                                  params={"stream": stream}, headers={"Accept": "text/plain"}) or ""

    def progress(self, message, percent=None):
        """From inside a running task (a client made with its task token, see `for_task`): a `task.progress` event."""
        body = {"message": message}
        if percent is not None:
            body["percent"] = percent
        return self._http.request("POST", "/api/v1/progress", json_body=body)

    # --- files (issue 16) ------------------------------------------------------------------------------------------
    def upload_artifact(self, name, path):
        """Uploads the file at `path` as artifact `name` (streamed, its SHA-256 checked by the server)."""
        import hashlib
        import os
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        with open(path, "rb") as f:
            return self._http.request("PUT", f"/api/v1/artifacts/{_segment(name)}", data=f, content_type="application/octet-stream",
                                      headers={"Content-Length": str(os.path.getsize(path)), "X-Sweep-Sha256": digest.hexdigest()})

    def output_files(self, launch_id, run_id):
        """The output files of one task run: `[{"name", "size", "sha256", "created_at"}]`."""
        return list(self._pages(f"/api/v1/launches/{_segment(launch_id)}/tasks/{_segment(run_id)}/files"))

    def get_output_file(self, launch_id, run_id, name, save_as=None):
        """An output file of a task run (SWEEP's `job.get_output_file`): its bytes, or, with `save_as`, written to that
        path as it streams in (the path is returned)."""
        return self._download(f"/api/v1/launches/{_segment(launch_id)}/tasks/{_segment(run_id)}/files/{_segment(name)}", save_as)


    # --- the rest of the v1.1 contract (API.md) ---------------------------------------------------------------------
    def replace_container(self, container_id, definition):
        """`PUT /api/v1/containers/{id}`: updates cpu, memory, command (SWEEP: pushing a definition again)."""
        return self._http.request("PUT", f"/api/v1/containers/{_segment(container_id)}", json_body=_definition(definition))

    def upload_container_image(self, container_id, path, overwrite=False):
        """Uploads an image archive (`docker save` / OCI tar) for a container definition: `{"status": "OK",
        "image": "name:tag", "digest"}`; 409 `image_exists` unless `overwrite`."""
        import os
        with open(path, "rb") as image:
            return self._http.request("PUT", f"/api/v1/containers/{_segment(container_id)}/image",
                                      params={"overwrite": "true" if overwrite else None}, data=image,
                                      content_type="application/x-tar", headers={"Content-Length": str(os.path.getsize(path))},
                                      timeout=max(self._http.timeout, 600))

    def signal(self, launch_id, task_id, payload=None):
        """Sends signal task `task_id` of a launch its signal: `{"launch_id", "task_id", "state"}`."""
        return self._http.request("POST", f"/api/v1/launches/{_segment(launch_id)}/signals/{_segment(task_id)}",
                                  json_body={"payload": payload})

    def runs(self, launch_id, task_id=None, state=None):
        """A launch's task runs page by page (`GET /api/v1/launches/{id}/runs`), for launches of any size."""
        return self._pages(f"/api/v1/launches/{_segment(launch_id)}/runs", {"task_id": task_id, "state": state})

    def artifacts(self):
        """`[{"name", "size", "sha256", "created_at"}]`, page by page."""
        return self._pages("/api/v1/artifacts")

    def get_artifact(self, name, save_as=None):
        """An artifact's bytes, or, with `save_as`, written to that path as it streams in (the path is returned)."""
        return self._download(f"/api/v1/artifacts/{_segment(name)}", save_as)

    def delete_artifact(self, name):
        self._http.request("DELETE", f"/api/v1/artifacts/{_segment(name)}")

    def create_executor(self, name, type):
        """Registers a remote executor: `{"id", "name", "type", "created_at"}` (`sweep_client.executor.Executor`
        does this itself)."""
        return self._http.request("POST", "/api/v1/executors", json_body={"name": name, "type": type})

    def executors(self):
        """`[{"id", "name", "type", "last_seen_at", "online", "running"}]`, page by page."""
        return self._pages("/api/v1/executors")

    def executor(self, executor_id):
        return self._http.request("GET", f"/api/v1/executors/{_segment(executor_id)}")

    def delete_executor(self, executor_id):
        """Removes an executor (`DELETE /api/v1/executors/{id}`); the runs it holds lose their leases at once, as if
        they had expired (retried, or failed when out of attempts), and their task tokens stop working."""
        self._http.request("DELETE", f"/api/v1/executors/{_segment(executor_id)}")

    def assignments(self, executor_id, wait=0, max=1):
        """Runs assigned to an executor (`POST /api/v1/executors/{id}/assignments`): the `items` list, empty
        after `wait` seconds with nothing to do."""
        return self._http.request("POST", f"/api/v1/executors/{_segment(executor_id)}/assignments",
                                  json_body={"wait": wait, "max": max}, timeout=_long_poll_timeout(self._http.timeout, wait))["items"]

    # --- backend workflows (issue 15) --------------------------------------------------------------------------
    def call(self, workflow_id, method="POST", params=None, json=_UNSET, form=None, background=False,
             idempotency_key=None, timeout=3700):
        """Calls a workflow like an endpoint (`/api/v1/workflows/{id}/call`): `params` go in the query string (url
        params), `json` is the JSON body, or `form` a dict sent as `application/x-www-form-urlencoded`. Returns the
        answer `{"data": {item: [objects]}, "meta": {item: {...}}}`, or `{"launch_id", "state"}` when the call is
        handed over (background=True, or the workflow's call_timeout passed). A failed workflow raises SweepError
        502 `workflow_failed` (its launch in `error.body["error"]["launch_id"]`); an invalid request 422
        `invalid_request` (`error.field`), a refusal by the interceptor 422 `rejected_by_interceptor`."""
        query = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in (params or {}).items()}
        if background:
            query["background"] = "true"
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        data, content_type, json_body = None, None, None
        if json is not _UNSET:
            json_body = json
        elif form:
            data = urllib.parse.urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        _, _, body = self._http.exchange(method.upper(), f"/api/v1/workflows/{_segment(workflow_id)}/call",
                                         params=query, json_body=json_body, data=data, content_type=content_type,
                                         headers=headers, timeout=timeout)
        return body

    def call_openapi(self, workflow_id):
        """The OpenAPI document of one workflow's `/call`, from its request and response schemas."""
        return self._http.request("GET", f"/api/v1/workflows/{_segment(workflow_id)}/call/openapi.json")


__all__ = ["SweepClient"]
