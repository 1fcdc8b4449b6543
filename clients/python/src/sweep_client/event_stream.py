"""Server-Sent Events from Sweep as an iterator that survives dropped connections."""
import collections
import http.client
import time

from . import exact_json
from .errors import SweepConnectionError, SweepError

#: One event: `id` (increasing integer), `event` (its type, e.g. `task.succeeded`), `data` (the decoded JSON object).
Event = collections.namedtuple("Event", ["id", "event", "data"])

#: The events after which a launch's stream has nothing more to say.
END_EVENTS = frozenset({"launch.succeeded", "launch.failed", "launch.cancelled"})


class EventStream:
    """Iterates over the events of `path` (an SSE endpoint), in order, each once.

    When the connection drops (a worker restart, a proxy timeout, a network blip) the stream reconnects with
    `Last-Event-ID` set to the last event it yielded, so nothing is lost or repeated; it gives up with the last
    error after `reconnect_attempts` failures in a row. With `until_end`, iteration stops after the launch's end
    event (`launch.succeeded`, `launch.failed`, `launch.cancelled`). `last_event_id` holds the id to resume from
    later, in a new stream; `reconnects` counts the connections made after the first."""

    def __init__(self, transport, path, last_event_id=None, until_end=True, ended=None, reconnect_attempts=8,
                 reconnect_delay=0.25, read_timeout=60.0):
        self._transport = transport
        self._path = path
        self.last_event_id = last_event_id
        self._until_end = until_end
        self._ended = ended  # () -> bool: asked when a stream closes cleanly without the end event
        self._reconnect_attempts = reconnect_attempts
        self._delay = reconnect_delay
        self._read_timeout = read_timeout  # above the server's 15 s heartbeat: silence this long means a dead link
        self.reconnects = 0

    def __iter__(self):
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id is not None:
                headers["Last-Event-ID"] = str(self.last_event_id)
            received = 0
            try:
                response = self._transport.open_stream(self._path, headers=headers, timeout=self._read_timeout)
                with response:
                    for event in self._parse(response):
                        failures = 0
                        received += 1
                        self.last_event_id = event.id
                        yield event
                        if self._until_end and event.event in END_EVENTS:
                            return
                error = None
            except SweepError as refused:
                if refused.status is not None and refused.status < 500 and refused.status != 429:
                    raise  # 401, 404, …: reconnecting would get the same answer
                error = refused  # the worker restarting (502/503), or too many streams open for a moment (429)
            except (OSError, http.client.HTTPException) as dropped:
                error = SweepConnectionError(f"event stream interrupted: {dropped}")
            if error is None and self._until_end and received == 0 and self._ended is not None and self._ended():
                return  # resumed after the end event: the server had nothing more to send
            if error is None and not self._until_end:
                error = SweepConnectionError("the server closed the event stream")
            failures += 1
            if failures > self._reconnect_attempts:
                raise error or SweepConnectionError("the event stream kept closing before the launch's end")
            pause = min(self._delay * (2 ** (failures - 1)), 5.0)  # back off while the server restarts
            time.sleep(max(pause, min(getattr(error, "retry_after", None) or 0, 30)))
            self.reconnects += 1

    def _parse(self, response):
        fields, data = {}, []
        while True:
            raw = response.readline()
            if not raw:
                return
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data and "event" in fields:
                    yield Event(int(fields["id"]) if "id" in fields else None, fields["event"], exact_json.loads("\n".join(data)))
                fields, data = {}, []
                continue
            if line.startswith(":"):
                continue  # heartbeat comment
            key, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if key == "data":
                data.append(value)
            elif key == "retry" and value.isdigit():
                self._delay = int(value) / 1000.0
            else:
                fields[key] = value
