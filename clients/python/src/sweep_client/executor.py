"""Remote executors: a process anywhere that can reach Sweep's API pulls runs of its type and executes them
(ColonyOS executors, pyflow activity workers).

    from sweep_client.executor import Executor

    executor = Executor("http://127.0.0.1:8080", api_key, type="python-executor", name="laptop")

    @executor.function("gen_nums")
    def gen_nums(ti, n):
        return {"value": n}

    executor.run()

A handler gets `ti` (a `TaskInstance`: `ti.input`, `ti.push/pull`, `ti.add_children`, `ti.progress`, …) and the
execution configuration's `args`; what it returns is the run's output (a dict; anything else becomes
`{"result": value}`); what it raises fails the run (an exception with `retryable = False` asks for no retry).
`run()` registers the executor, long-polls for assignments, renews each run's lease from a heartbeat thread,
reports results, and reconnects with a capped backoff when the API cannot be reached."""
import argparse
import datetime
import importlib
import logging
import os
import sys
import threading
import time
import traceback

from .errors import SweepConnectionError, SweepError
from .task import TaskInstance, send_user_task_sse
from .transport import Transport

log = logging.getLogger("sweep_client.executor")


def _seconds_until(timestamp):
    """Seconds from now until an RFC 3339 UTC timestamp (`2026-11-28T02:30:00.123456Z`)."""
    text = timestamp.rstrip("Z")
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S")
    return (moment.replace(tzinfo=datetime.timezone.utc) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


class Executor:
    """Pulls runs of `type` for the user of `api_key` and runs them with the registered handlers.

    `concurrency` runs execute at once (threads); `wait` is the long-poll in seconds (at most 60); `executor_id`
    reuses a registered executor instead of registering a new one."""

    def __init__(self, url, api_key, type, name=None, concurrency=1, wait=30, executor_id=None, timeout=90.0,
                 max_backoff=30.0):
        self.url = url.rstrip("/")
        self.type = type
        self.name = name or f"{type}@{os.uname().nodename}:{os.getpid()}"
        self.concurrency = max(1, int(concurrency))
        self.wait = max(0, min(60, int(wait)))
        self.id = executor_id
        self.max_backoff = max_backoff
        self.handlers = {}
        # The long-poll outlives `wait`: the transport's timeout is longer.
        self._http = Transport(self.url, api_key=api_key, timeout=max(timeout, self.wait + 30))
        self._stop = threading.Event()
        # Wakes the heartbeat thread when runs arrive: idle, it sleeps up to 5 s, longer than a short lease.
        self._new_runs = threading.Event()
        self._running = {}  # token -> TaskInstance
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(self.concurrency)
        self.completed = 0

    # --- handlers ----------------------------------------------------------------------------------------------
    def function(self, name=None):
        """Decorator: `@executor.function("gen_nums")` registers the handler for execution configurations whose
        `function` is that name (default: the Python function's name)."""
        def register(handler):
            self.handlers[name or handler.__name__] = handler
            return handler
        return register

    def register_function(self, handler, name=None):
        self.handlers[name or handler.__name__] = handler
        return handler

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def register(self):
        """Registers this executor (once); returns its id."""
        if self.id is None:
            self.id = self._http.request("POST", "/api/v1/executors", json_body={"name": self.name, "type": self.type})["id"]
            log.info("registered executor %s (%s, type %s)", self.id, self.name, self.type)
        return self.id

    def unregister(self):
        if self.id is not None:
            try:
                self._http.request("DELETE", f"/api/v1/executors/{self.id}")
            except SweepError as error:
                if error.status != 404:
                    raise
            self.id = None

    def stop(self):
        """Asks `run()` to return once the runs in hand are reported."""
        self._stop.set()
        self._new_runs.set()

    def run(self, max_runs=None):
        """Serves until `stop()` (or until `max_runs` runs were reported)."""
        backoff = 0.5
        heartbeats = threading.Thread(target=self._heartbeat_loop, name="sweep-executor-heartbeat", daemon=True)
        heartbeats.start()
        workers = []
        try:
            while not self._stop.is_set():
                if max_runs is not None and self.completed >= max_runs:
                    break
                try:
                    self.register()
                    self._slots.acquire()
                    free = 1
                    while free < self.concurrency and self._slots.acquire(blocking=False):
                        free += 1
                    try:
                        items = self._http.request("POST", f"/api/v1/executors/{self.id}/assignments",
                                                   json_body={"wait": self.wait, "max": free})["items"]
                    except BaseException:
                        for _ in range(free):
                            self._slots.release()
                        raise
                    for _ in range(free - len(items)):
                        self._slots.release()
                    backoff = 0.5
                except SweepConnectionError as error:
                    log.warning("cannot reach Sweep (%s); retrying in %.1f s", error.message, backoff)
                    self._stop.wait(backoff)
                    backoff = min(self.max_backoff, backoff * 2)
                    continue
                except SweepError as error:
                    if error.status == 404 and error.code == "not_found":
                        log.warning("executor %s is gone; registering again", self.id)
                        self.id = None
                        continue
                    if error.status is not None and (error.status >= 500 or error.status == 429):
                        delay = error.retry_after or backoff
                        log.warning("Sweep answered %s; retrying in %.1f s", error, delay)
                        self._stop.wait(delay)
                        backoff = min(self.max_backoff, backoff * 2)
                        continue
                    raise
                for item in items:
                    ti = TaskInstance(self.url, item["token"], item)
                    with self._lock:
                        self._running[item["token"]] = ti
                    self._new_runs.set()
                    if self.concurrency == 1:
                        self._execute(ti)
                    else:
                        worker = threading.Thread(target=self._execute, args=(ti,), daemon=True)
                        worker.start()
                        workers.append(worker)
                workers = [w for w in workers if w.is_alive()]
        finally:
            for worker in workers:
                worker.join()
            self._stop.set()
            self._new_runs.set()
            heartbeats.join(timeout=5)

    # --- one run -----------------------------------------------------------------------------------------------
    def _execute(self, ti):
        try:
            handler = self.handlers.get(ti.function)
            try:
                if handler is None:
                    raise LookupError(f"executor {self.name} has no function {ti.function!r} (it has: "
                                      f"{', '.join(sorted(self.handlers)) or 'none'})")
                args = ti.args if isinstance(ti.args, list) else []
                value = handler(ti, *args)
                output = value if isinstance(value, dict) else ({} if value is None else {"result": value})
                report = lambda: ti.succeed(output)  # noqa: E731
            except Exception as error:  # the task's own failure: reported, never fatal to the executor
                log.info("run %s of launch %s failed: %s", ti.run_id, ti.launch_id, error)
                message = f"{type(error).__name__}: {error}\n" + "".join(traceback.format_exc(limit=5))[-2000:]
                retryable = getattr(error, "retryable", None)
                report = lambda: ti.fail(message, retryable=retryable)  # noqa: E731
            self._report(ti, report)
        finally:
            with self._lock:
                self._running.pop(ti.token, None)
            self.completed += 1
            self._slots.release()

    def _report(self, ti, report):
        """Reports a result, retrying while the API cannot be reached; a 409 `lease_lost` discards it."""
        delay = 0.5
        while True:
            try:
                report()
                return
            except SweepError as error:
                if error.status == 409:
                    log.warning("run %s attempt %s lost its lease; its result was discarded", ti.run_id, ti.attempt)
                    return
                if error.status == 401:
                    log.warning("run %s attempt %s is no longer running; its result was discarded", ti.run_id, ti.attempt)
                    return
                if error.status is None or error.status >= 500 or error.status == 429:
                    if self._stop.is_set() and delay > self.max_backoff:
                        return
                    time.sleep(delay)
                    delay = min(self.max_backoff, delay * 2)
                    continue
                log.error("Sweep refused the result of run %s: %s", ti.run_id, error)
                return

    def _heartbeat_loop(self):
        """Renews every run in hand at a third of its lease (so two lost heartbeats in a row still keep it)."""
        while not self._stop.is_set():
            with self._lock:
                running = list(self._running.values())
            pause = 5.0
            for ti in running:
                left = _seconds_until(ti.lease_expires_at) if ti.lease_expires_at else 30.0
                lease = getattr(ti, "_lease", None) or max(1.0, left)
                ti._lease = lease
                if left <= lease * 2 / 3:
                    try:
                        ti.assignment["lease_expires_at"] = ti.heartbeat()
                    except SweepError as error:
                        if error.status in (401, 409):
                            ti.lease_lost = True
                            with self._lock:
                                self._running.pop(ti.token, None)
                        continue
                    left = lease
                pause = min(pause, max(0.05, left - lease * 2 / 3))
            self._new_runs.wait(pause)
            self._new_runs.clear()


def main(argv=None):
    """`sweep-executor --type python-executor module:function …`: serves the named Python functions."""
    parser = argparse.ArgumentParser(prog="sweep-executor", description="Run a Sweep remote executor.")
    parser.add_argument("functions", nargs="+", metavar="module:function[=name]",
                        help="handlers to serve; each is called with (ti, *args); =name serves it under another name")
    parser.add_argument("--type", required=True, help="the executor type runs name in executor_type")
    parser.add_argument("--name", help="this executor's name (default: type@host:pid)")
    parser.add_argument("--url", default=os.environ.get("SWEEP_URL"), help="Sweep's URL (default: $SWEEP_URL)")
    parser.add_argument("--api-key", default=os.environ.get("SWEEP_API_KEY"), help="an API key (default: $SWEEP_API_KEY)")
    parser.add_argument("--concurrency", type=int, default=1, help="runs executed at once (default 1)")
    parser.add_argument("--wait", type=int, default=30, help="long-poll seconds, at most 60 (default 30)")
    parser.add_argument("--max-runs", type=int, help="exit after this many runs (default: serve until stopped)")
    parser.add_argument("--log-level", default=os.environ.get("SWEEP_LOG_LEVEL", "info"))
    args = parser.parse_args(argv)
    if not args.url or not args.api_key:
        parser.error("--url and --api-key (or SWEEP_URL and SWEEP_API_KEY) are required")
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sys.path.insert(0, os.getcwd())
    executor = Executor(args.url, args.api_key, type=args.type, name=args.name, concurrency=args.concurrency,
                        wait=args.wait)
    for spec in args.functions:
        target, _, alias = spec.partition("=")
        module_name, _, function_name = target.partition(":")
        if not function_name:
            parser.error(f"{spec}: expected module:function")
        handler = getattr(importlib.import_module(module_name), function_name)
        executor.register_function(handler, alias or function_name)
    import signal
    signal.signal(signal.SIGTERM, lambda *_: executor.stop())
    try:
        executor.run(max_runs=args.max_runs)
    except KeyboardInterrupt:
        executor.stop()
    return 0


__all__ = ["Executor", "TaskInstance", "send_user_task_sse", "main"]
