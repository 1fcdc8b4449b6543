"""The task side of Sweep's run API: what a running task may do with its own task token (`tt_…`).

`TaskInstance` (the `ti` object executor handlers receive, and that a local process or HTTP function builds with
`TaskInstance.from_env()` or from its input's `sweep` object) pushes and pulls launch-scoped shared data, appends
response items of a backend workflow, adds children to its launch (ColonyOS `add_child`), reports progress (which
reaches the launch's SSE stream), renews its lease and reports its result."""
import os
import urllib.parse

from .errors import SweepError
from .transport import Transport


def _segment(value):
    return urllib.parse.quote(str(value), safe="")


class TaskInstance:
    """One running run, seen through its task token. `assignment` (an executor's) carries `launch_id`, `run_id`,
    `task_id`, `attempt`, `function`, `args` and `input`; they are attributes here too."""

    def __init__(self, api_url, token, assignment=None, timeout=60.0):
        if not token or not str(token).startswith("tt_"):
            raise ValueError("a task token (tt_…) is required")
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.assignment = dict(assignment or {})
        self._http = Transport(self.api_url, api_key=token, timeout=timeout)
        self.lease_lost = False

    @classmethod
    def from_env(cls):
        """Inside a local process: `SWEEP_API_URL` and `SWEEP_TASK_TOKEN`, which Sweep sets for every run."""
        return cls(os.environ["SWEEP_API_URL"], os.environ["SWEEP_TASK_TOKEN"])

    @classmethod
    def from_input(cls, task_input):
        """Inside an HTTP function: the `sweep` object of the task input (`token`, `api_url`)."""
        sweep = task_input["sweep"]
        return cls(sweep["api_url"], sweep["token"], {"launch_id": sweep.get("launch_id"), "run_id": sweep.get("run_id"),
                                                      "attempt": sweep.get("attempt"), "input": task_input,
                                                      "input_files": sweep.get("input_files", [])})

    def __getattr__(self, name):
        assignment = self.__dict__.get("assignment") or {}
        if name in ("launch_id", "run_id", "task_id", "attempt", "function", "args", "input", "lease_expires_at", "input_files"):
            return assignment.get(name)
        raise AttributeError(name)

    # --- shared data and response items (BE workflows) ----------------------------------------------------------
    def push(self, key, value):
        """Stores `value` (any JSON) under `key` for every run of this launch (BE `ti.push`)."""
        self._http.request("PUT", f"/api/v1/run/shared/{_segment(key)}", json_body=value)

    def pull(self, key, default=None):
        """The value pushed under `key` in this launch, or `default` when nothing was (BE `ti.pull`)."""
        try:
            return self._http.request("GET", f"/api/v1/run/shared/{_segment(key)}")
        except SweepError as error:
            if error.status == 404:
                return default
            raise

    def response_data(self, item, data):
        """Appends objects to response item `item` of a backend workflow's answer (BE `ti.response_data`)."""
        if isinstance(data, dict):
            data = [data]
        self._http.request("POST", f"/api/v1/run/response/{_segment(item)}", json_body={"data": list(data)})

    def response_meta(self, item, meta):
        """Sets the `meta` object of response item `item` (BE `ti.response_meta`)."""
        self._http.request("PUT", f"/api/v1/run/response/{_segment(item)}/meta", json_body=meta)

    # --- files (HPC jobs as code) ----------------------------------------------------------------------------------
    def artifact(self, name):
        """The bytes of artifact `name`, which this run's task declares in `artifacts` (executors and HTTP functions
        have no staged working directory)."""
        response = self._http.open_stream(f"/api/v1/run/artifacts/{_segment(name)}", headers={"Accept": "application/octet-stream"})
        with response:
            return response.read()

    def input_file(self, name):
        """The bytes of input file `name` of this run's task (`input_files`, contents evaluated for this run): what a
        local function or container finds in its working directory, read through the run API here. `ti.input_files`
        (from the assignment, or the HTTP function's `sweep` object) names them; `list_input_files()` asks the API."""
        response = self._http.open_stream(f"/api/v1/run/input_files/{_segment(name)}", headers={"Accept": "application/octet-stream"})
        with response:
            return response.read()

    def list_input_files(self):
        """This run's input files as `[{"name", "size", "sha256"}]`, in declared order."""
        return self._http.request("GET", "/api/v1/run/input_files")["items"]

    def put_file(self, name, data):
        """Keeps `data` (bytes, or a binary file open for reading) as output file `name` of this run, listed and
        downloadable with the run's files."""
        return self._http.request("PUT", f"/api/v1/run/files/{_segment(name)}", data=data, content_type="application/octet-stream")

    # --- children, progress, lease, result ------------------------------------------------------------------------
    def add_children(self, children, before=None):
        """Adds runs to this launch that start when this run succeeds (ColonyOS `add_child`); with `before`, that
        pending task's run also waits for them and gets their outputs in `predecessor_outputs`. Each child is
        `{"name", "execution_configurations": [...], "properties"?}`. Returns their run ids."""
        body = {"children": list(children)}
        if before is not None:
            body["before"] = before
        return self._http.request("POST", "/api/v1/run/children", json_body=body)["run_ids"]

    def progress(self, message, percent=None):
        """A `task.progress` event on the launch's stream (what the status page and `sweep watch` show)."""
        body = {"message": str(message)}
        if percent is not None:
            body["percent"] = percent
        self._http.request("POST", "/api/v1/progress", json_body=body)

    def heartbeat(self):
        """Renews the run's lease; returns the new `lease_expires_at`. Raises SweepError 409 `lease_lost`."""
        return self._http.request("POST", "/api/v1/run/heartbeat", json_body={})["lease_expires_at"]

    def succeed(self, output):
        """Reports the run's output (a JSON object). Raises SweepError 409 `lease_lost` for a stale attempt."""
        return self._http.request("POST", "/api/v1/run/result", json_body={"output": output})

    def fail(self, message, retryable=None):
        """Reports the run's failure; `retryable` False asks Sweep not to retry it."""
        error = {"message": str(message)}
        if retryable is not None:
            error["retryable"] = bool(retryable)
        return self._http.request("POST", "/api/v1/run/result", json_body={"error": error})


def send_user_task_sse(ti, data, percent=None):
    """BE's helper: shows `data` (text, or any JSON value as text) to whoever follows the launch's events, as the
    run's progress."""
    message = data if isinstance(data, str) else __import__("json").dumps(data, separators=(",", ":"))
    ti.progress(message[:2000], percent=percent)


__all__ = ["TaskInstance", "send_user_task_sse"]
