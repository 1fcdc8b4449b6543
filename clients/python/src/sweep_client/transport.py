"""HTTP to one Sweep API, standard library only: JSON in and out, errors as `SweepError`, and either credential
Sweep accepts (an API key as `Authorization: Bearer`, or a password exchanged at login for the session cookie)."""
import socket
import urllib.error
import urllib.parse
import urllib.request

from . import __version__, exact_json
from .errors import SweepConnectionError, SweepError

SESSION_COOKIE = "sweep_session"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Transport:
    """Sends requests to `url` (the server's root, e.g. `http://127.0.0.1:8080`) with one user's credential.

    Pass `api_key` (an `sk_…` key, or a running task's `tt_…` token), or `username` and `password` for a cookie
    session: the client signs in on first use, sends `X-Requested-With: sweep` on every request that changes data
    (Sweep's CSRF guard for cookie sessions) and signs in again once if the session has ended."""

    def __init__(self, url, api_key=None, username=None, password=None, timeout=60.0):
        if not url:
            raise ValueError("the Sweep URL is required (e.g. http://127.0.0.1:8080)")
        if api_key is None and password is None:
            raise ValueError("pass an API key, or a username and password")
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.username = username
        self.password = password
        self.timeout = timeout
        self._session = None
        # Our own opener, so that cookies are handled here (the session cookie may be `Secure`, which a cookie jar
        # would refuse to send over plain HTTP to a loopback server) and proxies follow the environment as usual.
        self._opener = urllib.request.build_opener()

    # --- authentication ----------------------------------------------------------------------------------------
    @property
    def uses_session(self):
        return self.api_key is None

    def login(self):
        """Signs in with the password; keeps the session cookie. Returns the answer's `user`."""
        status, headers, body = self._send("POST", "/api/v1/auth/login", None,
                                           _json_body({"username": self.username, "password": self.password}),
                                           {"Content-Type": "application/json"}, authenticate=False)
        if status >= 400:
            raise SweepError.from_response(status, body, headers)
        self._session = _session_cookie(headers)
        if not self._session:
            raise SweepError(status, "no_session", "the login answer set no session cookie")
        return body.get("user") if isinstance(body, dict) else None

    def logout(self):
        if self._session:
            try:
                self.request("POST", "/api/v1/auth/logout")
            finally:
                self._session = None

    def _auth_headers(self, method):
        if self.api_key is not None:
            return {"Authorization": "Bearer " + self.api_key}
        if self._session is None:
            self.login()
        headers = {"Cookie": f"{SESSION_COOKIE}={self._session}"}
        if method not in _SAFE_METHODS:
            headers["X-Requested-With"] = "sweep"
        return headers

    # --- requests ----------------------------------------------------------------------------------------------
    def request(self, method, path, params=None, json_body=None, data=None, content_type=None, headers=None,
                timeout=None):
        """Sends one request; returns the decoded body (a JSON value, text, or None for 204); raises SweepError."""
        status, _, body = self.exchange(method, path, params, json_body, data, content_type, headers, timeout)
        return body

    def exchange(self, method, path, params=None, json_body=None, data=None, content_type=None, headers=None,
                 timeout=None):
        """Like `request`, but returns `(status, headers, body)` for callers that read the status (200 vs 202)."""
        all_headers = dict(headers or {})
        if json_body is not None:
            data = _json_body(json_body)
            content_type = "application/json"
        if content_type:
            all_headers["Content-Type"] = content_type
        status, response_headers, body = self._send(method, path, params, data, all_headers, timeout=timeout)
        if status == 401 and self.uses_session and self._session is not None:
            self._session = None  # the session ended (idle, revoked): sign in again, once
            if hasattr(data, "seek"):
                data.seek(0)
            status, response_headers, body = self._send(method, path, params, data, all_headers, timeout=timeout)
        if status >= 400:
            raise SweepError.from_response(status, body, response_headers)
        return status, response_headers, body

    def open_stream(self, path, params=None, headers=None, timeout=None):
        """Opens a GET whose body is read incrementally (SSE); returns the open response. Raises SweepError."""
        request = self._build("GET", path, params, None, dict(headers or {}))
        try:
            return self._opener.open(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as error:
            with error:
                raise SweepError.from_response(error.code, _decode(error.headers, error.read()), error.headers)
        except (urllib.error.URLError, OSError) as error:
            raise SweepConnectionError(f"cannot reach {self.url}: {_reason(error)}") from error

    def _build(self, method, path, params, data, headers, authenticate=True):
        url = self.url + path
        if params:
            query = {k: v for k, v in params.items() if v is not None}
            if query:
                url += "?" + urllib.parse.urlencode(query)
        headers.setdefault("User-Agent", f"sweep-client/{__version__} (python)")
        headers.setdefault("Accept", "application/json")
        if authenticate:
            headers.update(self._auth_headers(method))
        return urllib.request.Request(url, data=data, headers=headers, method=method)

    def _send(self, method, path, params, data, headers, authenticate=True, timeout=None):
        request = self._build(method, path, params, data, dict(headers), authenticate)
        try:
            with self._opener.open(request, timeout=timeout or self.timeout) as response:
                return response.status, response.headers, _decode(response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, _decode(error.headers, error.read())
        except (urllib.error.URLError, OSError) as error:
            raise SweepConnectionError(f"cannot reach {self.url}: {_reason(error)}") from error


def _json_body(value):
    return exact_json.dumps(value, separators=(",", ":")).encode("utf-8")


def _decode(headers, raw):
    if not raw:
        return None
    content_type = (headers.get("Content-Type") or "").lower()
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return exact_json.loads(text)
        except ValueError:
            return text
    return text


def _session_cookie(headers):
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0].strip() or None
    return None


def _reason(error):
    reason = getattr(error, "reason", error)
    if isinstance(reason, socket.timeout):
        return "timed out"
    return str(reason)
