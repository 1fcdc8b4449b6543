"""A private Sweep stack for tests and benchmarks: PostgreSQL cluster, API worker(s), scheduler(s) and nginx,
all real processes on free loopback ports, started from the built binaries and stopped by PID."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=30.0, interval=0.02, what="condition"):
    """Polls a readiness predicate (a server accepting, a state reached); fails loudly at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Stack:
    def __init__(self, bin_dir=None, workdir=None, worker_threads=8, extra_nginx=None, env=None):
        self.bin_dir = bin_dir or os.environ.get("SWEEP_BIN") or subprocess.check_output(
            ["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
        base = os.environ.get("SWEEP_TEST_OUTPUT")
        if base:
            os.makedirs(base, exist_ok=True)
        self.workdir = workdir or tempfile.mkdtemp(prefix="sweep-stack-", dir=base)
        os.makedirs(self.workdir, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        self.worker_threads = worker_threads
        self.extra_nginx = extra_nginx
        self.extra_env = env or {}
        self.port = free_port()
        self.pg_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket = os.path.join(self.workdir, "api.sock")
        self.workers = []
        self.schedulers = []
        self.nginx_started = False
        self.database_url = None

    # --- lifecycle -------------------------------------------------------------------------------------------
    def start(self, schedulers=1):
        self.database_url = subprocess.check_output(
            [os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", os.path.join(self.workdir, "pg"), str(self.pg_port)],
            text=True).strip()
        subprocess.check_call([self.binary("sweep-api"), "migrate"], env=self.env(), stdout=subprocess.DEVNULL)
        self.start_worker()
        extra = None
        if self.extra_nginx:
            extra = os.path.join(self.workdir, "extra-nginx.conf")
            with open(extra, "w") as f:
                f.write(self.extra_nginx)
        env = dict(os.environ, SWEEP_LOGIN_RATE=os.environ.get("SWEEP_LOGIN_RATE", "10r/s"),
                   SWEEP_LOGIN_BURST=os.environ.get("SWEEP_LOGIN_BURST", "30"))
        # Settings nginx shares with the worker (SWEEP_LIMIT_STORED_BYTES) must reach the rendering too.
        env.update(self.extra_env)
        args = [os.path.join(ROOT, "scripts", "render-nginx.sh"), self.workdir, str(self.port), self.socket]
        if extra:
            args.append(extra)
        subprocess.check_call(args, env=env, stdout=subprocess.DEVNULL)
        subprocess.check_call(["nginx", "-c", os.path.join(self.workdir, "nginx.conf"), "-p", self.workdir])
        self.nginx_started = True
        self.wait_healthy()
        for _ in range(schedulers):
            self.start_scheduler()
        return self

    def env(self, **more):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "SWEEP_DATABASE_URL": self.database_url,
            "SWEEP_MIGRATIONS": os.path.join(ROOT, "migrations"),
            "SWEEP_API_URL": self.url,
            "SWEEP_LOG_LEVEL": os.environ.get("SWEEP_LOG_LEVEL", "info"),
            "SWEEP_LOCAL_EXEC": "1",
        }
        env.update(self.extra_env)
        env.update(more)
        return env

    def binary(self, name):
        return os.path.join(self.bin_dir, name)

    def start_worker(self):
        log = open(os.path.join(self.workdir, f"api-{len(self.workers)}.log"), "ab")
        proc = subprocess.Popen([self.binary("sweep-api"), "serve", "--socket", self.socket,
                                 "--threads", str(self.worker_threads)],
                                env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        wait_until(lambda: os.path.exists(self.socket) or proc.poll() is not None, what="worker socket")
        assert proc.poll() is None, "sweep-api exited at start; see " + log.name
        return proc

    def start_scheduler(self, **env):
        log = open(os.path.join(self.workdir, f"scheduler-{len(self.schedulers)}.log"), "ab")
        proc = subprocess.Popen([self.binary("sweep-scheduler")], env=self.env(**env), stdout=log, stderr=subprocess.STDOUT)
        self.schedulers.append(proc)
        return proc

    def wait_healthy(self, timeout=30):
        def ok():
            try:
                return requests.get(self.url + "/api/v1/health", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_until(ok, timeout=timeout, what="API health through nginx")

    def stop(self):
        for proc in self.schedulers + self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.schedulers + self.workers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.nginx_started:
            subprocess.call(["nginx", "-c", os.path.join(self.workdir, "nginx.conf"), "-p", self.workdir, "-s", "quit"],
                            stderr=subprocess.DEVNULL)
            pidfile = os.path.join(self.workdir, "nginx.pid")
            wait_until(lambda: not os.path.exists(pidfile), timeout=10, what="nginx to stop")
        if self.database_url:
            subprocess.call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", os.path.join(self.workdir, "pg")])

    # --- helpers ---------------------------------------------------------------------------------------------
    def create_user(self, username, admin=False):
        args = [self.binary("sweep-api"), "create-user", username] + (["--admin"] if admin else [])
        out = subprocess.check_output(args, env=self.env(), text=True)
        values = dict(line.split("=", 1) for line in out.strip().splitlines())
        return Client(self.url, values["SWEEP_API_KEY"], username=username, password=values["SWEEP_PASSWORD"])

    def psql(self, sql, *params):
        """Runs SQL as the database owner (for assertions on stored state)."""
        import psycopg_shim
        return psycopg_shim.query(self.database_url, sql, params)


class Client:
    """An API client holding one user's key (or a session)."""

    def __init__(self, url, key=None, username=None, password=None):
        self.url = url
        self.key = key
        self.username = username
        self.password = password
        self.session = requests.Session()
        if key:
            self.session.headers["Authorization"] = "Bearer " + key

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 30)
        return self.session.request(method, self.url + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)
