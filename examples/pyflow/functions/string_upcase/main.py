def handler(event, context):
    """pyflow's string-upcase: the launch input (a string) in upper case."""
    return {"text": str(event).upper()}
