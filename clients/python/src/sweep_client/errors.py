"""The one error type of the client: Sweep's `{"error": {"code", "message", "field"?}}` as an exception."""


class SweepError(Exception):
    """A request Sweep refused (any 4xx/5xx), or one that never reached it (`status` None)."""

    def __init__(self, status, code, message, field=None, body=None, retry_after=None):
        super().__init__(f"{status} {code}: {message}" + (f" (at {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.body = body
        self.retry_after = retry_after  # seconds, from a 429's or 503's Retry-After header

    @classmethod
    def from_response(cls, status, body, headers=None):
        """Builds the error from a response body, whatever its shape (nginx answers some errors in HTML)."""
        retry_after = None
        value = headers.get("Retry-After") if headers is not None else None
        if value and value.strip().isdigit():
            retry_after = int(value.strip())
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            return cls(status, error.get("code", "error"), error.get("message", ""), error.get("field"), body,
                       retry_after)
        text = body if isinstance(body, str) else ""
        return cls(status, f"http_{status}", text.strip()[:500] or f"HTTP {status}", None, body, retry_after)


class SweepConnectionError(SweepError):
    """The API could not be reached (refused, reset, timed out): nothing is known about what the server did."""

    def __init__(self, message):
        super().__init__(None, "connection_error", message)
