"""A private Sweep stack for tests and benchmarks: PostgreSQL cluster, API worker(s), scheduler(s) and nginx,
all real processes on free loopback ports, started from the built binaries and stopped by PID."""
import os
import shutil
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
    def __init__(self, bin_dir=None, workdir=None, worker_threads=8, extra_nginx=None, env=None, supervised=False):
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
        # nginx's unix socket for sandboxed tasks, and this stack's own podman storage.
        self.api_socket = os.path.join(self.workdir, "sweep-api.sock")
        self.podman_root = os.path.join(self.workdir, "containers")
        self.podman_runroot = tempfile.mkdtemp(prefix="sweep-podman-", dir="/tmp")  # podman: at most 50 characters
        self.workers = []
        self.schedulers = []
        self.nginx_started = False
        self.database_url = None
        self.owner_url = None
        # The key that seals destination credentials: private to this stack, mode 0600 like make run's.
        self.secret_key_file = os.path.join(self.workdir, "secret.key")
        if not os.path.exists(self.secret_key_file):
            fd = os.open(self.secret_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(os.urandom(32).hex() + "\n")
        # supervised: the worker, the schedulers and nginx run under scripts/supervise.sh (as `make run` runs them),
        # which restarts whichever dies; their pids are in WORKDIR/NAME.pid (see service_pid).
        self.supervised = supervised
        self.supervisor = None

    # --- lifecycle -------------------------------------------------------------------------------------------
    def start(self, schedulers=1):
        self.database_url = subprocess.check_output(
            [os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", os.path.join(self.workdir, "pg"), str(self.pg_port)],
            text=True).strip()
        # The app's URL (sweep_app) goes to the worker and the schedulers; only migrations and assertions use the owner's.
        self.owner_url = subprocess.check_output(
            [os.path.join(ROOT, "scripts", "pg-cluster.sh"), "owner-url", os.path.join(self.workdir, "pg"), str(self.pg_port)],
            text=True).strip()
        subprocess.check_call([self.binary("sweep-api"), "migrate"], env=self.env(SWEEP_DATABASE_OWNER_URL=self.owner_url),
                              stdout=subprocess.DEVNULL)
        if not self.supervised:
            self.start_worker()
        extra = None
        if self.extra_nginx:
            extra = os.path.join(self.workdir, "extra-nginx.conf")
            with open(extra, "w") as f:
                f.write(self.extra_nginx)
        env = dict(os.environ, SWEEP_LOGIN_RATE=os.environ.get("SWEEP_LOGIN_RATE", "10r/s"),
                   SWEEP_LOGIN_BURST=os.environ.get("SWEEP_LOGIN_BURST", "30"), SWEEP_API_SOCKET=self.api_socket)
        # Settings nginx shares with the worker (SWEEP_LIMIT_STORED_BYTES) must reach the rendering too.
        env.update(self.extra_env)
        args = [os.path.join(ROOT, "scripts", "render-nginx.sh"), self.workdir, str(self.port), self.socket]
        if extra:
            args.append(extra)
        subprocess.check_call(args, env=env, stdout=subprocess.DEVNULL)
        if self.supervised:
            return self.start_supervisor(schedulers)
        subprocess.check_call(["nginx", "-c", os.path.join(self.workdir, "nginx.conf"), "-p", self.workdir])
        self.nginx_started = True
        self.wait_healthy()
        for _ in range(schedulers):
            self.start_scheduler()
        return self

    def start_supervisor(self, schedulers):
        names = ["api"] + [f"scheduler-{i}" for i in range(schedulers)] + ["nginx"]
        services = os.path.join(self.workdir, "services")
        with open(services, "w") as f:
            f.write(f"api {self.binary('sweep-api')} serve --socket {self.socket} --threads {self.worker_threads}\n")
            for name in names[1:-1]:
                f.write(f"{name} {self.binary('sweep-scheduler')}\n")
            f.write(f"nginx {os.path.join(ROOT, 'scripts', 'nginx-foreground.sh')} {self.workdir}\n")
        log = open(os.path.join(self.workdir, "supervisor.log"), "ab")
        self.supervisor = subprocess.Popen([os.path.join(ROOT, "scripts", "supervise.sh"), self.workdir, services],
                                           env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        for name in names:
            wait_until(lambda: self.service_pid(name), what=f"supervised {name} to start")
        self.wait_healthy()
        return self

    def service_pid(self, name):
        """The pid of a supervised service (api, scheduler-N, nginx), or None while it is down."""
        try:
            with open(os.path.join(self.workdir, f"{name}.pid")) as f:
                pid = int(f.read().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def env(self, **more):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "SWEEP_DATABASE_URL": self.database_url,
            "SWEEP_MIGRATIONS": os.path.join(ROOT, "migrations"),
            "SWEEP_API_URL": self.url,
            "SWEEP_LOG_LEVEL": os.environ.get("SWEEP_LOG_LEVEL", "info"),
            "SWEEP_LOCAL_EXEC": "1",
            # Tests reach their HTTP functions on 127.0.0.1 only; every other special address stays refused.
            "SWEEP_EGRESS_ALLOW": "127.0.0.1/32",
            "SWEEP_SECRET_KEY_FILE": self.secret_key_file,
            "SWEEP_API_SOCKET": self.api_socket,
            "SWEEP_PODMAN_ROOT": self.podman_root,
            "SWEEP_PODMAN_RUNROOT": self.podman_runroot,
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
        if self.supervisor is not None and self.supervisor.poll() is None:
            # The supervisor stops its services (TERM, then KILL after its grace period) and then itself.
            self.supervisor.send_signal(signal.SIGTERM)
            try:
                self.supervisor.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.supervisor.kill()
                self.supervisor.wait()
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
        shutil.rmtree(self.podman_runroot, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------------------------
    def create_user(self, username, admin=False):
        args = [self.binary("sweep-api"), "create-user", username] + (["--admin"] if admin else [])
        out = subprocess.check_output(args, env=self.env(), text=True)
        values = dict(line.split("=", 1) for line in out.strip().splitlines())
        return Client(self.url, values["SWEEP_API_KEY"], username=username, password=values["SWEEP_PASSWORD"])

    def psql(self, sql, *params):
        """Runs SQL as the database owner (for assertions on stored state)."""
        import psycopg_shim
        return psycopg_shim.query(self.owner_url, sql, params)


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
