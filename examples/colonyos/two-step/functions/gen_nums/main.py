"""ColonyOS `gen_nums()`: produces the data `sum_nums` consumes (ColonyOS returns the tuple (1, 2))."""


def handler(event, context):
    return {"n1": 1, "n2": 2}
