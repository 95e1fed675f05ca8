"""Scale-out on one machine: the compose nginx configuration (deploy/nginx.conf) in front of two gunicorns and two
Daphnes, as two web nodes and two WebSocket nodes would run.

The configuration is the deployed one with only what differs on loopback changed: the upstreams point at local
ports, a plain listener stands in for TLS (and the HTTP-to-HTTPS redirect server is left out). nginx comes from
Debian (`deploy/system-packages.sh` installs it). Checks that a room's two peers on different Daphne processes
still signal and chat through the Redis channel layer, and that restarting the web nodes one at a time under load
(a graceful reload, then a stop and start of each) fails no request.
"""

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import live_group_session, room_consent, room_member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{url} never answered:\n{log.read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.2)


def nginx_config(*, root: Path, port: int, web_ports: list[int], ws_ports: list[int]) -> str:
    """deploy/nginx.conf with local upstreams and a plain loopback listener, inside a minimal main context."""
    deployed = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    # The plain-HTTP server only redirects to HTTPS: left out.
    start = deployed.index("server {\n    listen 80")
    deployed = deployed[:start] + deployed[deployed.index("server {", start + 1) :]
    deployed, listeners = re.subn(
        r"    listen 443 ssl.*?ssl_session_timeout [^;]+;\n", f"    listen 127.0.0.1:{port};\n", deployed, flags=re.S
    )
    deployed, webs = re.subn(
        r"server web:8000([^;]*);",
        lambda m: "\n    ".join(f"server 127.0.0.1:{p}{m.group(1)};" for p in web_ports),
        deployed,
    )
    deployed, wss = re.subn(
        r"server ws:8001([^;]*);",
        lambda m: "\n    ".join(f"server 127.0.0.1:{p}{m.group(1)};" for p in ws_ports),
        deployed,
    )
    assert (listeners, webs, wss) == (1, 1, 1), "deploy/nginx.conf changed shape: update this test's rewrite"
    deployed = deployed.replace("root /srv;", f"root {root};")
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers read this test's private temp folder
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
{temp}
    log_format upstreams '$request_uri|$status|$upstream_addr|$request_time|$upstream_response_time|$time_local';
    access_log {root / "access.log"} upstreams;
{deployed}
}}
"""


class Cluster:
    """Two gunicorns and two Daphnes on the test database and Redis, nginx in front."""

    def __init__(self, root: Path) -> None:
        self.root = root
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mentorship.settings",
            "PEERLEARN_ENV": "test",
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
        }
        self.web_ports = [_free_port(), _free_port()]
        self.ws_ports = [_free_port(), _free_port()]
        self.port = _free_port()
        self.web: list[subprocess.Popen | None] = [None, None]
        self.ws: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.root / f"{name}.log").open("ab")
        return subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        process = self._spawn(
            f"web{index}",
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "20", "mentorship.wsgi:application"],
        )  # fmt: skip
        self.web[index] = process
        _wait_until_up(f"http://127.0.0.1:{port}/api/health/", process, self.root / f"web{index}.log")

    def stop_web(self, index: int) -> None:
        process = self.web[index]
        assert process is not None
        process.send_signal(signal.SIGTERM)  # graceful: stops accepting, finishes what it accepted
        process.wait(timeout=60)
        self.web[index] = None

    def start(self) -> None:
        for index, port in enumerate(self.ws_ports):
            process = self._spawn(
                f"ws{index}",
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--proxy-headers",
                 "mentorship.asgi:application"],
            )  # fmt: skip
            self.ws.append(process)
        for index in range(2):
            self.start_web(index)
        for index, port in enumerate(self.ws_ports):
            _wait_until_up(f"http://127.0.0.1:{port}/api/health/", self.ws[index], self.root / f"ws{index}.log")
        config = self.root / "nginx.conf"
        config.write_text(
            nginx_config(root=self.root, port=self.port, web_ports=self.web_ports, ws_ports=self.ws_ports)
        )
        self.nginx = self._spawn("nginx", [NGINX, "-p", str(self.root), "-c", str(config), "-g", "daemon off;"])
        _wait_until_up(f"http://127.0.0.1:{self.port}/api/health/", self.nginx, self.root / "error.log")

    def stop(self) -> None:
        for process in [self.nginx, *self.web, *self.ws]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)  # quick shutdown
        for process in [self.nginx, *self.web, *self.ws]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    def wait_until_served_by(self, port: int, timeout: float = 60) -> None:
        """Until nginx has sent a new request to `port` and it answered 200."""
        seen = len(self.access_log())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(
                status == "200" and upstream.split(", ")[-1] == f"127.0.0.1:{port}"
                for _path, status, upstream in self.access_log()[seen:]
            ):
                return
            time.sleep(0.2)
        raise AssertionError(f"nginx never sent a request to 127.0.0.1:{port} again")

    def access_log(self) -> list[tuple[str, str, str]]:
        """(path, status, upstream addresses) of every request nginx finished."""
        lines = (self.root / "access.log").read_text().splitlines()
        return [tuple(line.split("|")[:3]) for line in lines]  # type: ignore[misc]


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (deploy/system-packages.sh installs it)")
    root = tmp_path_factory.mktemp("scale-out")
    with django_db_blocker.unblock():
        nodes = Cluster(root)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _next_of_type(socket, kind: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if message["type"] == kind:
            return message


def test_peers_on_two_daphne_nodes_signal_and_chat_through_nginx(cluster):
    session = live_group_session(starts_in_minutes=-5)
    room_consent(session, session.mentor)
    student = room_member(session)
    url = f"ws://127.0.0.1:{cluster.port}/ws/sessions/{session.pk}/"
    origin = f"http://127.0.0.1:{cluster.port}"
    mentor_cookie, student_cookie = _session_cookie(session.mentor), _session_cookie(student)

    async def scenario() -> None:
        async with websockets.connect(
            f"{url}?peer={secrets.token_hex(8)}", origin=origin, additional_headers={"Cookie": mentor_cookie}
        ) as mentor_socket:
            mentor_welcome = await _next_of_type(mentor_socket, "welcome")
            async with websockets.connect(
                f"{url}?peer={secrets.token_hex(8)}", origin=origin, additional_headers={"Cookie": student_cookie}
            ) as student_socket:
                student_welcome = await _next_of_type(student_socket, "welcome")
                assert [peer["peer_id"] for peer in student_welcome["peers"]] == [mentor_welcome["peer_id"]]
                joined = await _next_of_type(mentor_socket, "peer_joined")
                assert joined["peer"]["peer_id"] == student_welcome["peer_id"]

                sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"
                await student_socket.send(json.dumps({"type": "offer", "to": mentor_welcome["peer_id"], "sdp": sdp}))
                offer = await _next_of_type(mentor_socket, "offer")
                assert offer == {"type": "offer", "sdp": sdp, "from": student_welcome["peer_id"]}
                await mentor_socket.send(json.dumps({"type": "answer", "to": student_welcome["peer_id"], "sdp": sdp}))
                assert (await _next_of_type(student_socket, "answer"))["from"] == mentor_welcome["peer_id"]

                await mentor_socket.send(json.dumps({"type": "chat", "text": "Across two nodes"}))
                assert (await _next_of_type(student_socket, "chat"))["message"]["text"] == "Across two nodes"
                await student_socket.send(json.dumps({"type": "leave"}))
                assert (await _next_of_type(mentor_socket, "peer_left"))["peer_id"] == student_welcome["peer_id"]

    asyncio.run(scenario())
    # nginx logs a WebSocket when it closes: the two sockets were served by the two Daphne processes.
    deadline = time.monotonic() + 10
    while True:
        nodes = {upstream for path, _status, upstream in cluster.access_log() if path.startswith("/ws/sessions/")}
        if len(nodes) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert nodes == {f"127.0.0.1:{port}" for port in cluster.ws_ports}


def test_restarting_the_web_nodes_one_at_a_time_under_load_fails_no_request(cluster):
    paths = ["/api/health/", "/mentors/?q=physics", "/"]
    outcomes: list[int | str] = []
    stop = threading.Event()

    def client(offset: int) -> None:
        number = offset
        while not stop.is_set():
            path = paths[number % len(paths)]
            number += 1
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{cluster.port}{path}", timeout=30) as response:
                    response.read()
                    outcomes.append(response.status)
            except urllib.error.HTTPError as error:
                outcomes.append(error.code)
            except OSError as error:
                outcomes.append(f"{path}: {error!r}")

    clients = [threading.Thread(target=client, args=(offset,)) for offset in range(4)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(2)
        # A graceful reload (new code): the master replaces its workers while the socket stays open.
        cluster.web[0].send_signal(signal.SIGHUP)
        time.sleep(3)
        # Then each node in turn is stopped and started again while nginx routes to the other.
        for index in range(2):
            cluster.stop_web(index)
            during = len(outcomes)
            time.sleep(2)
            assert len(outcomes) > during, "requests kept being served while one node was down"
            cluster.start_web(index)
            # nginx takes a node that refused connections back after fail_timeout (5 s): only once it serves
            # again may the next one stop, or both would be out of rotation at once.
            cluster.wait_until_served_by(cluster.web_ports[index])
        time.sleep(2)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)

    failures = [outcome for outcome in outcomes if outcome != 200]
    log = "\n".join(line for line in (cluster.root / "access.log").read_text().splitlines() if "|200|" not in line)
    assert failures == [], f"{log}\n{(cluster.root / 'error.log').read_text()[-4000:]}"

    assert len(outcomes) > 50
    served_by = {upstream.split(", ")[-1] for path, _status, upstream in cluster.access_log() if path in paths}
    assert served_by == {f"127.0.0.1:{port}" for port in cluster.web_ports}
