"""ColonyOS `merge(a, b)`: runs once both fetchers succeeded, with both outputs."""


def handler(event, context):
    outputs = event["predecessor_outputs"]
    return {"result": outputs["fetch_a"]["value"] + outputs["fetch_b"]["value"]}
