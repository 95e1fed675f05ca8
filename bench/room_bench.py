"""Benchmark of the live room: time to a connected call with frames flowing, and signalling relay latency.

    .venv/bin/python bench/room_bench.py [--runs 10] [--messages 1000]

Everything runs on loopback, in a dedicated database (dropped and recreated: `peerlearn_bench_room` by default):
1. migrates the bench database and creates a mentor, a student and a group session whose room is open;
2. starts Daphne (the production WebSocket server) on a free port, as tests/e2e/conftest.py does;
3. connect time: for each run, two headless Chromium pages with fake camera and microphone (mentor and student)
   open the room, pass the lobby (consent, join) and wait until each decodes a video frame from the other.
   Reported per run: the wall clock from opening the first page until both show remote frames, and, inside the
   page that joined second, the time from navigation start to its first decoded remote frame (the performance
   marks static/js/room/marks.js sets: socket open, peer connected, first frame). One warm-up run is not counted.
4. relay latency: two WebSocket clients (autobahn, as mentor and student) in one process send ICE messages to
   each other through Daphne and the Redis channel layer, one at a time and within the 50 messages/second limit;
   the time from send to receipt is measured on one clock.
Targets: connect median ≤ 1 s; relay p95 ≤ 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

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
MARKS = ("room:join", "room:socket-open", "room:peer-connected", "room:first-frame")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="connect-time runs (after one warm-up)")
    parser.add_argument("--messages", type=int, default=1000, help="relayed messages for the latency figure")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/peerlearn_bench_room")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("peerlearn_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must start with peerlearn_bench")
    connection = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    subprocess.run(["dropdb", "--if-exists", *connection, name], check=True)
    subprocess.run(["createdb", *connection, name], check=True)


def server_env(args: argparse.Namespace, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
        "PEERLEARN_ENV": "test",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "REQUIRE_MFA_FOR_STAFF": "false",
        "LOG_LEVEL": "WARNING",
    }


def create_room():
    """A mentor, a student and a group session that started two minutes ago; both have agreed to recording."""
    from django.utils import timezone

    from accounts.models import Language, User
    from sessions_app.models import Booking, RoomConsent, Session

    mentor = User.objects.create_user(
        "bench-mentor@example.test", "Bench!Passw0rd", full_name="Bench Mentor", role="mentor"
    )
    student = User.objects.create_user("bench-student@example.test", "Bench!Passw0rd", full_name="Bench Student")
    starts_at = timezone.now() - dt.timedelta(minutes=2)
    session = Session.objects.create(
        mentor=mentor,
        kind=Session.Kind.GROUP,
        title="Bench room",
        language=Language.objects.get(code="en"),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        time_zone="Asia/Kolkata",
        capacity=2,
        status=Session.Status.SCHEDULED,
        published_at=timezone.now(),
    )
    Booking.objects.create(
        session=session, student=student, price_paise=0, status=Booking.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    for user in (mentor, student):
        RoomConsent.objects.create(session=session, user=user)
    return session, mentor, student


def session_cookie(user) -> tuple[str, str]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/health/", timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Daphne did not start: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)


# --- connect time ----------------------------------------------------------------------------------------------


def open_and_join(page, room_url: str) -> None:
    """Open the room and pass the lobby at once (one step in the page, so automation adds no round trips)."""
    page.goto(room_url, wait_until="commit")
    page.wait_for_function(
        """() => {
            const consent = document.getElementById("recording-consent");
            const join = document.querySelector("[data-testid=join]");
            const room = document.querySelector("[data-testid=room]");
            if (!consent || !join || !room || !room._x_dataStack) return false;
            if (!consent.checked) consent.click();
            join.click();
            return true;
        }""",
        polling=10,
    )


def wait_for_remote_frames(page, timeout_ms: int = 20_000) -> None:
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=remote-tile] video');"
        " return v && v.videoWidth > 0 && document.querySelector('[data-frames=yes]'); }",
        timeout=timeout_ms,
    )


def page_marks(page) -> dict[str, float]:
    return page.evaluate(
        "(names) => Object.fromEntries(names.map(n => [n, (performance.getEntriesByName(n)[0] || {}).startTime]))",
        list(MARKS),
    )


def connect_once(browser, base_url: str, room_url: str, cookies: dict[str, tuple[str, str]]) -> dict:
    contexts = []
    pages = {}
    for who, (name, value) in cookies.items():
        context = browser.new_context(base_url=base_url)
        context.add_cookies([{"name": name, "value": value, "url": base_url}])
        contexts.append(context)
        pages[who] = context.new_page()
    started = time.perf_counter()
    open_and_join(pages["mentor"], room_url)
    open_and_join(pages["student"], room_url)
    for page in pages.values():
        wait_for_remote_frames(page)
    wall = time.perf_counter() - started
    second = page_marks(pages["student"])
    for context in contexts:
        context.close()
    time.sleep(0.3)  # let the server see both leave before the next run
    return {"wall": wall, "second_joiner": second}


def bench_connect(args, base_url: str, room_url: str, cookies) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        connect_once(browser, base_url, room_url, cookies)  # warm-up: Chromium, Daphne, imports
        for run in range(args.runs):
            result = connect_once(browser, base_url, room_url, cookies)
            marks = result["second_joiner"]
            print(
                f"  run {run + 1:2d}: both see frames {result['wall'] * 1000:6.0f} ms after opening the first page; "
                f"second joiner: join clicked {marks['room:join']:.0f} ms, socket {marks['room:socket-open']:.0f} ms, "
                f"connected "
                f"{marks['room:peer-connected']:.0f} ms, first frame {marks['room:first-frame']:.0f} ms "
                "after navigation start",
                flush=True,
            )
            results.append(result)
        browser.close()
    return results


# --- relay latency ---------------------------------------------------------------------------------------------


async def bench_relay(port: int, session_id: int, cookies: dict[str, tuple[str, str]], count: int) -> list[float]:
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    class Peer(WebSocketClientProtocol):
        def onMessage(self, payload, is_binary):  # noqa: N802 (autobahn's API)
            self.factory.inbox.put_nowait((time.perf_counter(), json.loads(payload)))

    loop = asyncio.get_running_loop()
    peers = {}
    for who, (name, value) in cookies.items():
        token = os.urandom(8).hex()
        factory = WebSocketClientFactory(
            f"ws://127.0.0.1:{port}/ws/sessions/{session_id}/?peer={token}",
            headers={"Cookie": f"{name}={value}", "Origin": f"http://127.0.0.1:{port}"},
        )
        factory.protocol = Peer
        factory.inbox = asyncio.Queue()
        _transport, protocol = await loop.create_connection(factory, "127.0.0.1", port)
        _at, welcome = await asyncio.wait_for(factory.inbox.get(), 10)
        assert welcome["type"] == "welcome", welcome
        peers[who] = (protocol, factory.inbox, welcome["peer_id"])
    await asyncio.sleep(0.5)  # presence of both is settled
    for _protocol, inbox, _peer_id in peers.values():
        while not inbox.empty():
            inbox.get_nowait()

    latencies = []
    pairs = [("mentor", "student"), ("student", "mentor")]
    # Alternating directions keeps each socket at ~40 messages a second, under the room's 50/s limit.
    interval = 1 / 80
    for index in range(count):
        sender, receiver = pairs[index % 2]
        protocol, _inbox, _own = peers[sender]
        _rp, inbox, target = peers[receiver]
        message = {
            "type": "ice",
            "to": target,
            "candidate": {"candidate": f"candidate:{index} 1 udp 1 127.0.0.1 9 typ host"},
        }
        sent = time.perf_counter()
        protocol.sendMessage(json.dumps(message).encode())
        while True:
            received, payload = await asyncio.wait_for(inbox.get(), 5)
            if payload.get("type") == "ice":
                break
        latencies.append(received - sent)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - sent)))
    for protocol, _inbox, _peer_id in peers.values():
        protocol.sendClose()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--relay-client":
        port, session_id, cookies, count = json.loads(sys.argv[2])
        print(json.dumps(asyncio.run(bench_relay(port, session_id, cookies, count))))
        return
    args = parse_args()
    port = free_port()
    env = server_env(args, port)
    print(f"bench database {args.database_url}; redis {args.redis_url}", flush=True)
    recreate_database(args.database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    os.environ.update(env)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    session, mentor, student = create_room()
    cookies = {"mentor": session_cookie(mentor), "student": session_cookie(student)}

    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mentorship.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, server)
        print(f"Daphne on 127.0.0.1:{port}; Chromium {CHROMIUM} (fake devices, loopback ICE)", flush=True)
        print(f"\nConnect time, {args.runs} runs (after one warm-up):", flush=True)
        runs = bench_connect(args, base_url, f"/sessions/{session.pk}/room/", cookies)
        print(
            f"\nRelay latency, {args.messages} ICE messages between two sockets through the channel layer:", flush=True
        )
        # autobahn's asyncio client cannot share a process with Twisted, which Django's `daphne` app has loaded.
        relay = subprocess.run(
            [sys.executable, __file__, "--relay-client", json.dumps([port, session.pk, cookies, args.messages])],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        latencies = json.loads(relay.stdout)
    finally:
        server.terminate()
        server.wait(timeout=10)

    walls = [run["wall"] * 1000 for run in runs]
    joiner = [run["second_joiner"]["room:first-frame"] for run in runs]
    setup = [run["second_joiner"]["room:first-frame"] - run["second_joiner"]["room:join"] for run in runs]
    relay_ms = [latency * 1000 for latency in latencies]
    print("\nSummary")
    print(f"  open → both see frames (pair):  median {statistics.median(walls):6.0f} ms, max {max(walls):6.0f} ms")
    print(
        f"  navigation → first frame (joiner):  median {statistics.median(joiner):6.0f} ms, "
        f"max {max(joiner):6.0f} ms (target median ≤ 1000 ms)"
    )
    print(f"  of which join → first frame:  median {statistics.median(setup):6.0f} ms, max {max(setup):6.0f} ms")
    print(
        f"  relay latency:  p50 {percentile(relay_ms, 0.50):.2f} ms   p95 {percentile(relay_ms, 0.95):.2f} ms   "
        f"max {max(relay_ms):.2f} ms   (target p95 ≤ 10 ms)"
    )


if __name__ == "__main__":
    main()
