"""A Sweep workflow has exactly one start task: this one starts the two fetchers, which then run in parallel."""


def handler(event, context):
    return {}
