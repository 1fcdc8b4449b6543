"""A minimal SSE reader for tests: yields (id, event, data) and comments, from a streaming requests response."""
import json


def events(response, comments=None):
    event = {}
    for raw in response.iter_lines(decode_unicode=True):
        if raw is None:
            continue
        if raw == "":
            if "event" in event:
                yield int(event["id"]), event["event"], json.loads(event["data"])
            event = {}
            continue
        if raw.startswith(":"):
            if comments is not None:
                comments.append(raw)
            continue
        key, _, value = raw.partition(":")
        event[key] = value[1:] if value.startswith(" ") else value
