"""`SWEEPApiClient`: the client of the SWEEP documentation, call for call and keyword for keyword, on Sweep.

Every call answers a dict in SWEEP's shape: `{'status': 'OK', 'msg': …, …}` on success and
`{'status': 'ERROR', 'msg': …, 'code': …, 'http_status': …, 'field'?: …}` when Sweep refused (a SWEEP script
prints answers rather than catching exceptions; nothing is raised for a refusal). A definition file that cannot
be read is an ERROR answer too, with `code` `invalid_file`."""
import json
import os

from .errors import SweepError
from .sweep_client import SweepClient, _segment
from .transport import Transport


def _error(error, prefix=""):
    answer = {"status": "ERROR", "msg": prefix + error.message, "code": error.code, "http_status": error.status}
    if error.field:
        answer["field"] = error.field
    return answer


def _load(path):
    try:
        with open(os.fspath(path), encoding="utf-8") as f:
            definition = json.load(f)
    except (OSError, ValueError) as problem:
        raise SweepError(None, "invalid_file", f"cannot read {path}: {problem}") from problem
    if not isinstance(definition, dict):
        raise SweepError(None, "invalid_file", f"{path} must hold a JSON object")
    return definition


def _answers(method):
    """Turns a refusal into SWEEP's error answer."""
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SweepError as error:
            return _error(error)
    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class SWEEPApiClient:
    """`SWEEPApiClient(user, key, url)`. `key` is the user's password (the client signs in and keeps the session)
    or an API key (`sk_…`, sent as a Bearer token). Each call's `user=` must be this user: Sweep acts for the
    authenticated user only, so a call for another user is refused (`code` `wrong_user`) instead of being quietly
    run as this one."""

    def __init__(self, user, key, url, timeout=60.0):
        self.user = user
        self.url = url
        if str(key).startswith("sk_"):
            transport = Transport(url, api_key=key, timeout=timeout)
        else:
            transport = Transport(url, username=user, password=key, timeout=timeout)
        self._http = transport
        self.client = SweepClient(url, None, _transport=transport)  # the whole API, on the same credential
        self._checked = False

    def _as(self, user):
        if user is not None and user != self.user:
            raise SweepError(403, "wrong_user", f"this client acts for user {self.user}, not {user}")
        if not self._checked:
            owner = self.client.me()["username"]
            if owner != self.user:
                raise SweepError(403, "wrong_user", f"the key belongs to user {owner}, not {self.user}")
            self._checked = True

    def _register(self, kind, definition):
        """Registers a definition; an identical one already stored counts as registered (so a script can run
        again). A different container definition updates the stored one (SWEEP: pushing a container definition
        again updates its cpu, memory and command; `PUT /api/v1/containers/{id}`); any other is Sweep's 409."""
        register, show = {"destination": (self.client.register_destination, self.client.destination),
                          "function": (self.client.register_function, self.client.function),
                          "container": (self.client.register_container, self.client.container)}[kind]
        try:
            return register(definition)
        except SweepError as error:
            if error.status != 409 or "id" not in definition:
                raise
            stored = show(definition["id"])
            if any(stored.get(key) != value for key, value in definition.items()):
                if kind == "container":
                    updated = self.client.replace_container(definition["id"], definition)
                    return {"status": "OK", "msg": updated.get("msg", f"Updated container {definition['id']}."),
                            "id": definition["id"]}
                raise SweepError(409, error.code, f"{error.message}, with a different definition; delete it first "
                                                  f"to change it", error.field) from error
            return {"status": "OK", "msg": f"The {kind} {definition['id']} is already registered.",
                    "id": definition["id"]}

    @_answers
    def register_destination(self, dfile, user=None):
        """`{'status': 'OK', 'msg': 'Successfully registered destination dest1.', 'id': 'dest1'}`."""
        self._as(user)
        return self._register("destination", _load(dfile))

    @_answers
    def upload_function_def(self, function_def_file, function_code_file=None, user=None):
        """Registers the function definition, then uploads its code: a zip (SWEEP's `zip -g hello_world.zip
        main.py`), or a folder or `.py` file that is zipped here. `{'status': 'OK', 'msg': 'Successfully uploaded
        function hello_world.', 'sha256': …}`."""
        self._as(user)
        definition = _load(function_def_file)
        registered = self._register("function", definition)
        if function_code_file is None:
            return registered
        try:
            return self.client.upload_function_code(definition["id"], function_code_file)
        except (OSError, ValueError) as problem:
            raise SweepError(None, "invalid_file", f"cannot read {function_code_file}: {problem}") from problem

    @_answers
    def upload_container_def(self, container_def_file, container_code_file=None, user=None, overwrite=False):
        """Registers the container definition, then uploads its image archive (`docker save` / OCI tar) to
        `PUT /api/v1/containers/{id}/image`; `overwrite=True` replaces an image already loaded (SWEEP's
        `--overwrite`). A server without image uploads answers an ERROR that says so."""
        self._as(user)
        definition = _load(container_def_file)
        registered = self._register("container", definition)
        if container_code_file is None:
            return registered
        try:
            size = os.path.getsize(container_code_file)
            with open(container_code_file, "rb") as image:
                # Not a SweepClient method yet: PUT /containers/{id}/image is being added to the server (v1.1).
                answer = self._http.request(
                    "PUT", f"/api/v1/containers/{_segment(definition['id'])}/image",
                    params={"overwrite": "true" if overwrite else None}, data=image,
                    content_type="application/x-tar", headers={"Content-Length": str(size)},
                    timeout=max(self._http.timeout, 600))
        except OSError as problem:
            raise SweepError(None, "invalid_file", f"cannot read {container_code_file}: {problem}") from problem
        except SweepError as refused:
            return _error(refused, f"Registered container {definition['id']}, but the image upload was refused: ")
        answer = dict(answer or {})
        answer.setdefault("status", "OK")
        answer.setdefault("msg", f"Uploaded image {answer.get('image', '')} for container {definition['id']}.")
        return answer

    @_answers
    def register_workflow(self, wffile, user=None):
        """`{'workflow_id': 'wfdef_hello_world', 'status': 'OK', 'msg': 'Successfully created workflow
        wfdef_hello_world for user username.', 'version': 1}`; registering an existing id stores a new version."""
        self._as(user)
        return self.client.register_workflow(_load(wffile))

    @_answers
    def launch_workflow(self, wid, user=None, input=None):
        """`{'status': 'OK', 'msg': …, 'launch_id': …, 'workflow_id', 'version', 'state'}`."""
        self._as(user)
        accepted = self.client.launch(wid) if input is None else self.client.launch(wid, input=input)
        return {"status": "OK", "msg": f"Launched workflow {wid}.", **accepted}

    @_answers
    def launch_status(self, wid, lid, user=None):
        """The launch's full status (`state`, `tasks` with each run's state, input and output, …) with `status`
        and `msg`. A launch of another workflow is not found, as another user's would be."""
        self._as(user)
        status = self.client.launch_status(lid)
        if status.get("workflow_id") != wid:
            raise SweepError(404, "not_found", f"workflow {wid} has no launch {lid}")
        return {"status": "OK", "msg": f"Launch {lid} of workflow {wid}: {status['state']}.", **status}
