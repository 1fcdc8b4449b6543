"""A psql session a test drives statement by statement, to hold locks or a transaction open across API calls."""
import subprocess


class Session:
    """One long-lived psql session, driven statement by statement."""

    def __init__(self, url):
        self.proc = subprocess.Popen(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.marks = 0

    def run(self, sql):
        self.marks += 1
        mark = f"-- done {self.marks}"
        self.proc.stdin.write(f"{sql}\n\\echo '{mark}'\n")
        self.proc.stdin.flush()
        lines = []
        for line in self.proc.stdout:
            if line.strip() == mark:
                return lines
            lines.append(line.strip())
        raise AssertionError("psql ended: " + "\n".join(lines))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
