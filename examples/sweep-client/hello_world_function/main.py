"""The SWEEP documentation's hello world function: `handler(event, context)` with the standard task input."""
import json


def handler(event, context):
    print("Received event: " + json.dumps(event))
    name = event["static_input"].get("name", "world")
    greetings = [output["msg"] for output in event["predecessor_outputs"].values() if "msg" in output]
    return {"msg": f"Hello {name}!", "heard": greetings}
