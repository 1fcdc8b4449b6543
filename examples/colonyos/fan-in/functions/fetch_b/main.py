"""ColonyOS `fetch_b()`: the other parallel fetcher."""


def handler(event, context):
    return {"source": "B", "value": 20}
