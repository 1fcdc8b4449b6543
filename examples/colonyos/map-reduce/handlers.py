"""ColonyOS's map-reduce example as Sweep executor handlers (run them with `sweep-executor`, see README.md).

`map_nums` adds `count` children, each running `gen_nums` with one number, before the `reduce` task (ColonyOS
`add_child`); `reduce` receives their outputs in `predecessor_outputs` and sums them: 1 + 2 + 3 + 4 + 5 = 15."""


def map_nums(ti, count):
    children = [{"name": f"gen_nums_{n}",
                 "execution_configurations": [{"executor_type": "python-executor", "function": "gen_nums", "args": [n]}]}
                for n in range(1, count + 1)]
    ti.add_children(children, before="reduce")
    return {"children": count}


def gen_nums(ti, n):
    ti.progress(f"generating {n}")
    return {"value": n}


def reduce(ti):
    outputs = ti.input["predecessor_outputs"]
    total = sum(output["value"] for name, output in outputs.items() if name.startswith("gen_nums_"))
    return {"sum": total}
