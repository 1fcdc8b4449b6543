"""ColonyOS `fetch_a()`: one of two parallel fetchers."""


def handler(event, context):
    return {"source": "A", "value": 10}
