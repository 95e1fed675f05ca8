"""The JSON API against the HTML pages for the same data, in one run: mentor search (a visitor and a signed-in
student) and a mentor's profile, p50 / p95 at N concurrent clients through gunicorn (WSGI sync workers, production
settings), with the workers' CPU per request.

    .venv/bin/python bench/api_bench.py [--size 10000] [--requests 2000] [--clients 20] [--reuse-database]

The data, the server and the load generator are those of bench/search_bench.py (its seeding, settings and
`bench/http_load.py`): one database `peerlearn_bench_search_<size>` (reused with --reuse-database), one gunicorn.
The student's requests carry their session cookie (HTML) and the same session as an app token (`X-Session-Token`,
allauth headless's session-token strategy) for the API. Pairs are measured in interleaved rounds so a burst of
load elsewhere slows both sides alike. The API's rate limits are raised for the run (one client IP, one user).
Target: the API's p95 ≤ the HTML page's p95 for each pair.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import search_bench  # noqa: E402
from bench.http_load import LoadResult, run_load  # noqa: E402

QUERY = "language=te&level=school&rating=4"
# (name, who, HTML path, API path)
PAIRS = [
    ("search (visitor)", "visitor", f"/mentors/?{QUERY}", f"/api/v1/mentors?{QUERY}"),
    ("search (student)", "student", f"/mentors/?{QUERY}", f"/api/v1/mentors?{QUERY}"),
    ("search text (student)", "student", "/mentors/?q=physics&level=school", "/api/v1/mentors?q=physics&level=school"),
    ("mentor profile (visitor)", "visitor", "/mentor/bench-mentor-1/", "/api/v1/mentors/bench-mentor-1"),
    ("mentor profile (student)", "student", "/mentor/bench-mentor-1/", "/api/v1/mentors/bench-mentor-1"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="approved mentors in the database")
    parser.add_argument("--requests", type=int, default=2000, help="requests per page and side")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/peerlearn_bench_search")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--reuse-database", action="store_true", help="keep the database a previous run seeded")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--role", choices=["orchestrate", "probe"], default="orchestrate", help=argparse.SUPPRESS)
    return parser.parse_args()


def probe_role() -> None:
    """In a child process on the bench database: the student's session cookie and key, and the queries of one
    request of each page (Django's test client, same settings)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    student = User.objects.get(email=search_bench.STUDENT_EMAIL)
    cookie = search_bench.session_cookie(student)
    key = cookie.split("=", 1)[1]
    queries = {}
    for name, who, html, api in PAIRS:
        for side, path in (("html", html), ("api", api)):
            client = Client()
            headers = {}
            if who == "student":
                client.cookies[settings.SESSION_COOKIE_NAME] = key
                if side == "api":
                    client.cookies.pop(settings.SESSION_COOKIE_NAME)
                    headers = {"X-Session-Token": key}
            client.get(path, headers=headers)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{path}: status {response.status_code}")
            queries[f"{name}|{side}"] = len(captured)
    print(json.dumps({"cookie": cookie, "key": key, "queries": queries}))


def main() -> None:
    args = parse_args()
    if args.role == "probe":
        return probe_role()
    static_root = tempfile.mkdtemp(prefix="peerlearn-bench-static-")
    # Production settings require an encryption key for payout details (none are read here).
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "bench1:YmVuY2gtb25seS1rZXktbm90LWZvci1yZWFsLXVzZTA")
    search_args = argparse.Namespace(database_url=args.database_url, redis_url=args.redis_url,
                                     reuse_databases=args.reuse_database, seed=args.seed, profile=0,
                                     scenarios="visitor", workers=args.workers)  # fmt: skip
    env = search_bench.prepare(search_args, args.size, static_root)
    # One load generator is one IP and one user: the API's per-minute limits would cut the run short.
    env.update(API_RATE_LIMIT_PER_USER="100000000", API_RATE_LIMIT_PER_IP="100000000",
               CACHE_KEY_PREFIX=f"peerlearn-bench-api-{args.size}")  # fmt: skip
    search_bench.manage(env, "collectstatic", "--no-input")
    probe = json.loads(subprocess.run(
        [sys.executable, __file__, "--role", "probe"], cwd=BASE_DIR, env=env, check=True, capture_output=True,
        text=True,
    ).stdout)  # fmt: skip
    server, port = search_bench.start_server(search_args, env)
    cells = [(name, side) for name, *_ in PAIRS for side in ("html", "api")]
    by_name = {name: (who, html, api) for name, who, html, api in PAIRS}
    latencies = {cell: [] for cell in cells}
    errors = dict.fromkeys(cells, 0)
    busy = dict.fromkeys(cells, 0.0)
    cpu = dict.fromkeys(cells, 0.0)

    def load(cell, clients, requests):
        name, side = cell
        who, html, api = by_name[name]
        headers = {}
        if who == "student":
            headers = {"Cookie": probe["cookie"]} if side == "html" else {"X-Session-Token": probe["key"]}
        return run_load(host="127.0.0.1", port=port, path=html if side == "html" else api, clients=clients,
                        total_requests=requests, headers=headers)  # fmt: skip

    try:
        for cell in cells:
            load(cell, args.clients, 200)  # warm caches, connections and the database's buffers
        order = random.Random(args.seed)
        for round_number in range(args.rounds):
            for cell in order.sample(cells, len(cells)):
                before = search_bench.workers_cpu_s(server.pid)
                result = load(cell, args.clients, args.requests // args.rounds)
                cpu[cell] += search_bench.workers_cpu_s(server.pid) - before
                latencies[cell] += result.latencies_ms
                errors[cell] += result.errors
                busy[cell] += result.elapsed_s
            print(f"round {round_number + 1}/{args.rounds} (load average {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"\n{args.size:,} mentors; {args.clients} clients; {args.requests} requests per cell; gunicorn "
          f"{args.workers} sync workers, production settings; {os.cpu_count()} CPUs shared")  # fmt: skip
    print(
        f"{'page':<26} {'side':<5} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} {'CPU ms':>7} {'queries':>7} {'errors':>6}"
    )
    verdicts = []
    for name, *_ in PAIRS:
        p95 = {}
        for side in ("html", "api"):
            cell = (name, side)
            measured = LoadResult(latencies_ms=latencies[cell], errors=errors[cell], elapsed_s=busy[cell])
            served = max(1, measured.requests + measured.errors)
            p95[side] = measured.p95
            print(
                f"{name:<26} {side:<5} {measured.p50:>7.1f} {measured.p95:>7.1f} {measured.throughput:>6.0f} "
                f"{cpu[cell] * 1000 / served:>7.2f} {probe['queries'][f'{name}|{side}']:>7} {measured.errors:>6}"
            )
        verdicts.append((name, p95["api"], p95["html"]))
    print("\nTarget: API p95 ≤ HTML p95")
    for name, api, html in verdicts:
        print(f"  {'PASS' if api <= html else 'FAIL'}  {name}: {api:.1f} ms vs {html:.1f} ms")


if __name__ == "__main__":
    main()
