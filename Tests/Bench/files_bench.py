"""make bench --only files: a 200 MB artifact up and down through nginx and the worker, with the worker's resident
memory sampled throughout (streaming must keep it under 150 MB), beside nginx serving the same file statically."""
import os
import subprocess
import threading
import time

SIZE_MB = int(os.environ.get("SWEEP_BENCH_FILE_MB", "200"))
RSS_LIMIT_MB = 150


def static_server(port, root):
    """An nginx server block that serves `root` statically, for the comparison."""
    return f"""
    server {{
        listen 127.0.0.1:{port};
        access_log off;
        root {root};
    }}
"""


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RSSSampler:
    """Samples a process's resident set every 20 ms in a thread; `peak_mb` is the largest seen."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak / 1024


def curl(*args):
    """Runs curl; returns (seconds, http status)."""
    out = subprocess.check_output(["curl", "-sS", "-o", "/dev/null", "-w", "%{time_total} %{http_code}", *args], text=True)
    seconds, status = out.split()
    return float(seconds), int(status)


def make_file(path, size_mb):
    with open(path, "wb") as f:
        for _ in range(size_mb):
            f.write(os.urandom(1 << 20))
    os.chmod(path, 0o644)


def files(stack, client, static_dir, static_port):
    path = os.path.join(static_dir, "artifact.bin")
    make_file(path, SIZE_MB)
    size = os.path.getsize(path)
    mb = size / (1 << 20)
    worker = stack.workers[0].pid
    auth = ["-H", f"Authorization: Bearer {client.key}"]
    url = stack.url + "/api/v1/artifacts/bench.bin"
    print(f"== files: a {mb:.0f} MiB artifact through nginx and the worker ({SIZE_MB} x 1 MiB random)", flush=True)
    baseline = rss_kb(worker) / 1024

    sampler = RSSSampler(worker)
    up_s, status = curl("-T", path, "-H", "Content-Type: application/octet-stream", *auth, url)
    up_peak = sampler.stop()
    assert status == 201, f"upload answered {status}"

    sampler = RSSSampler(worker)
    down_s, status = curl(*auth, url)
    down_peak = sampler.stop()
    assert status == 200, f"download answered {status}"

    static_s = min(curl(f"http://127.0.0.1:{static_port}/artifact.bin")[0] for _ in range(2))
    client.delete("/api/v1/artifacts/bench.bin")
    os.remove(path)

    peak = max(up_peak, down_peak)
    print(f"   worker RSS: {baseline:.0f} MB before, peak {up_peak:.0f} MB uploading, {down_peak:.0f} MB downloading "
          f"(limit {RSS_LIMIT_MB} MB: {'ok' if peak < RSS_LIMIT_MB else 'OVER'})", flush=True)
    print(f"   upload   {mb / up_s:8.1f} MiB/s  ({up_s:.2f} s)", flush=True)
    print(f"   download {mb / down_s:8.1f} MiB/s  ({down_s:.2f} s)", flush=True)
    print(f"   nginx static download of the same file {mb / static_s:8.1f} MiB/s  ({static_s:.2f} s)", flush=True)
    return dict(file_mb=mb, rss_before_mb=baseline, rss_peak_upload_mb=up_peak, rss_peak_download_mb=down_peak,
                upload_mib_s=mb / up_s, download_mib_s=mb / down_s, nginx_static_mib_s=mb / static_s,
                rss_under_limit=peak < RSS_LIMIT_MB)
