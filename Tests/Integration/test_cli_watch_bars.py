"""`sweep watch` on a terminal: one progress bar per task from the status's task_counts, plus a total."""
import os
import pty
import re
import select
import subprocess
import time

from test_cli import CLI, cli, register_examples  # noqa: F401  (cli is a fixture)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_on_a_terminal(cli, *args, timeout=120):
    """Runs the CLI with stdout on a pseudo-terminal; returns (exit code, everything it wrote)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([cli.stack.binary("sweep"), *args], env=cli.env(), stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=10), out.decode(errors="replace")


def test_watch_draws_a_bar_per_task_on_a_terminal(cli):
    register_examples(cli)
    lid = cli.json("launch", "scatter")["launch_id"]
    code, out = run_on_a_terminal(cli, "watch", lid)
    assert code == 0, out
    counts = cli.json("status", lid)["task_counts"]
    lines = [ANSI.sub("", l).strip() for l in out.replace("\r", "\n").splitlines()]
    # The final block: a finished bar for every task with its run count, then the total.
    for task, by_state in counts.items():
        n = sum(by_state.values())
        assert any(re.fullmatch(rf"{re.escape(task)}\s+\[#{{30}}\] {n}/{n}", l) for l in lines), (task, lines[-8:])
    total = sum(sum(c.values()) for c in counts.values())
    assert any(re.fullmatch(rf"total\s+\[#{{30}}\] {total}/{total} runs finished", l) for l in lines), lines[-8:]
