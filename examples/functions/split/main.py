"""Splits the work into tiles: task 2 of the scatter workflow runs once per tile."""


def handler(event, context):
    # event = {"predecessor_outputs": {...}, "static_input": {...}}; the launch input is available here too.
    return {"tile": [{"tile_id": 1}, {"tile_id": 2}, {"tile_id": 3}]}
