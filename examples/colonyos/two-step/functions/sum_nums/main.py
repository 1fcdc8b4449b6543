"""ColonyOS `sum_nums(n1, n2)`: its arguments are its predecessor's output."""


def handler(event, context):
    nums = event["predecessor_outputs"]["gen_nums"]
    return {"sum": nums["n1"] + nums["n2"]}
