"""Runs SQL through psql (no Python driver needed), for test assertions on stored state only."""
import subprocess


def query(url, sql, params=()):
    args = ["psql", url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
    for i, value in enumerate(params, 1):
        args += ["-v", f"p{i}={value}"]
    out = subprocess.check_output(args, input=sql, text=True)
    return [line.split("\t") for line in out.splitlines() if line]
