"""Benchmark of live notifications: idle sockets one Daphne process holds, and fan-out latency to one user's tabs.

    .venv/bin/python bench/notifications_bench.py [--sockets 2000] [--users 200] [--events 300]

Everything runs on loopback, in a dedicated database (dropped and recreated: `peerlearn_bench_notifications`):
1. migrates it and creates ``--users`` users, each signed in once (a real session row, as after logging in);
2. starts one Daphne process (the production WebSocket server) as tests/e2e/conftest.py does;
3. idle sockets: opens ``--sockets`` notification sockets (/ws/notifications/, authenticated by the session cookie,
   spread evenly over the users: several tabs each), waits until every one has its unread count and the server
   is quiet, then reads Daphne's resident memory (VmRSS of its one process) against its RSS before any socket.
   Target: 2,000 idle sockets within 1 GB.
4. fan-out: while those sockets stay open, one user with 3 open tabs receives ``--events`` notifications raised
   through ``accounts.services.notification_raise`` (store, render in the user's language, unread count, push on
   the Redis channel layer), one at a time. Measured per event, on one clock: from the call to the moment the last
   of the 3 tabs has the message. The user's preferences keep the kind in-app only, so no email task is published.
   Target: p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# The room bench's loopback helpers: a free port, the bench database, the servers' environment.
from bench.room_bench import free_port, recreate_database, server_env  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000, help="idle notification sockets to hold")
    parser.add_argument("--users", type=int, default=200, help="users the idle sockets belong to")
    parser.add_argument("--events", type=int, default=300, help="notifications raised for the fan-out figure")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/peerlearn_bench_notifications")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return parser.parse_args()


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def create_users(count: int) -> list:
    """Users, each with a signed-in session (as django.contrib.auth.login leaves it), and in-app-only notices."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from accounts.models import NotificationPreference, User

    users = User.objects.bulk_create(
        [
            User(email=f"bench-{n}@example.test", full_name=f"Bench User {n}", password="!", ui_language="hi")
            for n in range(count)
        ]
    )
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, key="support", in_app=True, email=False, sms=False) for user in users]
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    # The backend login() would record: the first that can load a user (axes' only guards sign-in attempts).
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user"))
    cookies = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return list(zip(users, cookies, strict=True))


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/health/", timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("Daphne did not start") from None
            time.sleep(0.2)


async def open_socket(port: int, cookie: str):
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/notifications/",
        additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
    assert hello["type"] == "unread", hello
    return ws


async def open_many(port: int, cookies: list[str], total: int, concurrency: int = 50) -> list:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(index: int):
        async with semaphore:
            return await open_socket(port, cookies[index % len(cookies)])

    return await asyncio.gather(*(one(i) for i in range(total)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(title: str, seconds: list[float]) -> None:
    ms = [value * 1000 for value in seconds]
    p95 = percentile(ms, 0.95)
    print(
        f"\n{title}\n  median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.1f} ms; target p95 ≤ 20 ms: {'OK' if p95 <= 20 else 'OVER'}",
        flush=True,
    )


async def bench(args, port: int, server_pid: int, users_and_cookies) -> None:
    from accounts.models import Notification
    from accounts.notifications.services import notification_push
    from accounts.services import notification_raise

    cookies = [cookie for _user, cookie in users_and_cookies]
    owner, owner_cookie = users_and_cookies[0]
    baseline = rss_mib(server_pid)
    print(f"Daphne RSS before any socket: {baseline:.0f} MiB", flush=True)

    started = time.perf_counter()
    idle = await open_many(port, cookies[1:] or cookies, args.sockets - 3)
    tabs = [await open_socket(port, owner_cookie) for _ in range(3)]
    opened = time.perf_counter() - started
    await asyncio.sleep(5)  # let the server settle (thread pool, buffers)
    held = rss_mib(server_pid)
    total = len(idle) + len(tabs)
    print(
        f"\nIdle sockets: {total} open in {opened:.1f} s across {len(users_and_cookies)} users; "
        f"Daphne RSS {held:.0f} MiB (+{held - baseline:.0f} MiB, {(held - baseline) * 1024 / total:.1f} KiB a socket); "
        f"target ≤ 1024 MiB: {'OK' if held <= 1024 else 'OVER'}",
        flush=True,
    )

    def raise_one(n: int) -> None:
        notification_raise(
            recipient=owner, kind="support.reply", params={"ticket": n, "subject": "Bench", "reply": f"Reply {n}"}
        )

    async def last_tab_receives() -> float:
        arrivals = []
        for tab in tabs:
            while True:
                message = json.loads(await tab.recv())
                if message["type"] == "notification":
                    arrivals.append(time.perf_counter())
                    break
        return max(arrivals)

    for n in range(10):  # warm-up: imports, templates, connections
        waiter = asyncio.create_task(last_tab_receives())
        await asyncio.to_thread(raise_one, n)
        await waiter
    latencies = []
    for n in range(args.events):
        waiter = asyncio.create_task(last_tab_receives())
        sent = time.perf_counter()
        await asyncio.to_thread(raise_one, n)
        latencies.append((await asyncio.wait_for(waiter, 10)) - sent)
    report(
        f"Fan-out, {args.events} notifications to one user with 3 open tabs (while {total} sockets stay open), "
        "from the notification_raise() call (3 reads, insert, commit) to the last tab's receipt:",
        latencies,
    )

    # The push alone: a committed notification rendered for its reader, counted and sent to the 3 tabs.
    stored = await asyncio.to_thread(
        lambda: list(Notification.objects.filter(recipient=owner).select_related("recipient")[: args.events])
    )
    pushes = []
    for notification in stored:
        waiter = asyncio.create_task(last_tab_receives())
        sent = time.perf_counter()
        await asyncio.to_thread(notification_push, notification=notification)
        pushes.append((await asyncio.wait_for(waiter, 10)) - sent)
    report(
        f"Push stage alone, {len(pushes)} events (after commit: render in the reader's language, unread count, "
        "group_send on the Redis layer) to the last tab's receipt:",
        pushes,
    )
    load = os.getloadavg()
    print(
        f"Load average during the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores", flush=True
    )
    print(f"Daphne RSS at the end: {rss_mib(server_pid):.0f} MiB", flush=True)
    for ws in [*idle, *tabs]:
        await ws.close()


def main() -> None:
    args = parse_args()
    raise_fd_limit()
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
    import django

    django.setup()
    users_and_cookies = create_users(args.users)
    log_path = Path(tempfile.gettempdir()) / f"notifications-bench-daphne-{port}.log"
    server_log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "mentorship.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        preexec_fn=raise_fd_limit,  # noqa: PLW1509  (only raises the descriptor limit before exec)
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        print(f"Daphne (one process, pid {server.pid}) on 127.0.0.1:{port}", flush=True)
        asyncio.run(bench(args, port, server.pid, users_and_cookies))
    except Exception:
        print(f"Daphne's log ({log_path}):\n{log_path.read_text(errors='replace')[-3000:]}", flush=True)
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)
        server_log.close()


if __name__ == "__main__":
    main()
