def handler(event, context):
    """pyflow's string-reverse: its input (a string) reversed."""
    return {"text": str(event)[::-1]}
