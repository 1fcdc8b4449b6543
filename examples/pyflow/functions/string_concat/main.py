def handler(event, context):
    """pyflow's string-concat: the strings of its input list joined."""
    return {"text": "".join(str(part) for part in event)}
