"""Browser journeys: a real Daphne serving the test database, driven by a real Chromium through Playwright."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test thread; the ORM calls in these tests are deliberate."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true but no Chromium at {CHROMIUM}: browser tests cannot run.")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (set PLAYWRIGHT_CHROMIUM)")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, mail_dir: Path, log_path: Path, private_root: Path) -> None:
        self.url = url
        self.mail_dir = mail_dir
        self.log_path = log_path
        # The server's private storage (recordings, invoices), apart from this process's.
        self.private_root = private_root

    def sms_codes(self, to: str) -> list[str]:
        """The one-time codes texted to ``to``, oldest first (the console SMS backend writes to the server log)."""
        pattern = rf"SMS to {re.escape(to)}: .*?(\d{{6}})"
        return re.findall(pattern, self.log_path.read_text(encoding="utf-8", errors="replace"))

    def outbox(self) -> list[EmailMessage]:
        """Every email the server sent, oldest first (the file backend writes one file per connection)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_bytes().split(b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk, policy=policy.default))
        return messages

    def clear_outbox(self) -> None:
        for path in self.mail_dir.glob("*.log"):
            path.unlink()


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """Daphne in a subprocess (HTTP and WebSockets, as in production) on the test database."""
    port = _free_port()
    mail_dir = tmp_path_factory.mktemp("mail")
    private_root = tmp_path_factory.mktemp("private")
    database = settings.DATABASES["default"]
    db_url = f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}"
    if database["PORT"]:
        db_url += f":{database['PORT']}"
    db_url += f"/{database['NAME']}"
    if database["HOST"].startswith("/"):
        db_url = f"postgres://{database['USER'] or 'postgres'}@/{database['NAME']}?host={database['HOST']}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "PEERLEARN_ENV": "test",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "REQUIRE_MFA_FOR_STAFF": "false",
        "PRIVATE_MEDIA_ROOT": str(private_root),
    }
    # A file, not a pipe: an unread pipe fills up with the server's log and blocks it.
    log_path = tmp_path_factory.mktemp("daphne") / "server.log"
    server_log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mentorship.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/health/", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Daphne did not start: {log_path.read_text()[-3000:]}") from None
            time.sleep(0.2)
    yield LiveServer(url, mail_dir, log_path, private_root)
    process.terminate()
    process.wait(timeout=10)
    server_log.close()


@pytest.fixture(autouse=True)
def _live_server_helper():
    """pytest-django's autouse helper expects its own live server class; ours is a Daphne subprocess."""
    yield


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Chromium, started after the test database exists (its creation must not run inside Playwright's loop)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    page = context.new_page()
    live_server.clear_outbox()
    yield page
    context.close()
