"""Benchmark of the two dashboards with a year of data for one mentor (target: p95 ≤ 60 ms at 20 clients).

    .venv/bin/python bench/dashboard_bench.py [--requests 1000] [--clients 20] [--other-mentors 200]
    .venv/bin/python bench/dashboard_bench.py --quick --reuse-database --static-root DIR   # a few minutes
    .venv/bin/python bench/dashboard_bench.py --reuse-database --profile 200 --requests 0   # only the profile

All on loopback, in a dedicated database (`peerlearn_bench_dashboard`, dropped and recreated):
1. migrated and filled through the ORM: the bench mentor with a year of held group sessions (five a week, four of
   40 students each; every booking completed, reviewed and paid, the mentor's share released in the ledger), a
   fortnight of upcoming sessions with fresh bookings and open questions in message threads; `--other-mentors`
   mentors with a year of weekly sessions each, so the tables are not the bench mentor's alone; VACUUM ANALYZE;
2. one gunicorn (WSGI, sync workers, production settings, DEBUG off, persistent database connections), as the
   other benches run it;
3. for each scenario (the mentor's dashboard, its new-bookings partial, the student's dashboard, and a bare view
   as the floor): p50 / p95 latency and throughput of N concurrent clients over HTTP and of a single client, in
   interleaved rounds; the gunicorn workers' CPU per request (also as a multiple of the bare view's) and the load
   generator's own CPU; the queries of one request through Django's test client;
4. with `--profile N`: N requests of each scenario in one process under cProfile (bench/profiling.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.http_load import LoadResult, run_load  # noqa: E402
from bench.search_bench import (  # noqa: E402
    collect_static,
    database_exists,
    free_port,
    manage,
    recreate_database,
    server_env,
    session_cookie,
    static_root,
    wait_until_up,
    workers_cpu_s,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peerlearn_bench_dashboard"
MENTOR_EMAIL = "bench-mentor@example.test"
STUDENT_EMAIL = "bench-student@example.test"
SCENARIOS = {
    "bare": ("/bench/bare/", None),
    "mentor-dashboard": ("/mentor-dashboard/", "mentor"),
    "new-bookings": ("/mentor-dashboard/new-bookings/", "mentor"),
    "student-dashboard": ("/dashboard/", "student"),
}
TARGET_P95_MS = 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the requests are split into")
    parser.add_argument("--other-mentors", type=int, default=200)
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--reuse-database", action="store_true", help="keep the database a previous run seeded")
    parser.add_argument("--static-root", default="", help="reuse static files collected there by an earlier run")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--single", type=int, default=20, help="requests from a single client per scenario and round")
    parser.add_argument("--profile", type=int, default=0, help="profile N requests of each scenario (cProfile)")
    parser.add_argument("--quick", action="store_true", help="a short run: 300 requests in 3 rounds")
    parser.add_argument(
        "--role", choices=["orchestrate", "seed", "probe", "profile"], default="orchestrate", help=argparse.SUPPRESS
    )
    return parser.parse_args()


def seed_role(args: argparse.Namespace) -> None:
    """In a child process on the bench database: the mentor's year, the student, the other mentors."""
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from matching.services import recommendations_refresh
    from sessions_app.dashboards.history import mentor_history_create
    from sessions_app.messaging.services import thread_ask
    from tests.factories import (
        BookingFactory,
        GroupSessionFactory,
        MentorProfileFactory,
        UserFactory,
        language,
        student_with_profile,
    )

    started = time.perf_counter()
    now = timezone.now()
    english = language("en")
    mentor = MentorProfileFactory(user__email=MENTOR_EMAIL, user__full_name="Bench Mentor", user__ui_language="en")
    student = student_with_profile(
        languages=("en", "hi"), user_fields={"email": STUDENT_EMAIL, "full_name": "Bench Student"}
    )
    students = [student, *(UserFactory() for _ in range(39))]
    held = mentor_history_create(
        mentor_user=mentor.user, students=students, language=english, now=now, weeks=52, sessions_per_week=5
    )
    for day in range(1, 15):
        session = GroupSessionFactory(
            mentor=mentor.user, starts_at=(now + dt.timedelta(days=day)).replace(minute=0, second=0, microsecond=0)
        )
        for seat in range(3):
            BookingFactory(session=session, student=students[(day * 3 + seat) % len(students)])
    for asking in students[1:6]:
        thread_ask(student=asking, mentor=mentor.user, text="Could we talk about my JEE preparation plan?")
    for index in range(args.other_mentors):
        other = MentorProfileFactory()
        mentor_history_create(
            mentor_user=other.user,
            students=students[index % 40 : index % 40 + 2] or students[:2],
            language=english,
            now=now - dt.timedelta(hours=index % 48),
            weeks=52,
            sessions_per_week=1,
            seats=2,
        )
    # In production the worker computes each student's recommendations; without one here every dashboard would
    # rank all mentors live (the cold-start path) and queue the same refresh again.
    recommendations_refresh(student_ids=[student.pk])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: the bench mentor with {held} held sessions "
        f"(a year), 14 upcoming, 40 students; {args.other_mentors} other mentors with a year each",
        flush=True,
    )


def probe_role(args: argparse.Namespace) -> None:
    """In a child process with the server's settings: the two cookies and each scenario's queries, as JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    users = {"mentor": User.objects.get(email=MENTOR_EMAIL), "student": User.objects.get(email=STUDENT_EMAIL)}
    result: dict = {"cookies": {who: session_cookie(user) for who, user in users.items()}, "queries": {}}
    for scenario, (path, who) in SCENARIOS.items():
        client = Client()
        if who:
            client.force_login(users[who])
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        result["queries"][scenario] = len(queries)
    print(json.dumps(result))


def profile_role(args: argparse.Namespace) -> None:
    """In a child process with the server's settings: each dashboard's CPU per request and its cProfile top."""
    import django

    django.setup()
    from accounts.models import User
    from bench.profiling import profile_pages

    users = {"mentor": User.objects.get(email=MENTOR_EMAIL), "student": User.objects.get(email=STUDENT_EMAIL)}
    profile_pages(
        [(scenario, path, users[who] if who else None) for scenario, (path, who) in SCENARIOS.items()], args.profile
    )


def child(env: dict[str, str], role: str, args: argparse.Namespace) -> str:
    command = [sys.executable, __file__, "--role", role, "--other-mentors", str(args.other_mentors),
               "--profile", str(args.profile)]  # fmt: skip
    return subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    args = parse_args()
    if args.role == "seed":
        return seed_role(args)
    if args.role == "probe":
        return probe_role(args)
    if args.role == "profile":
        return profile_role(args)
    if args.quick:
        args.requests, args.rounds, args.single = min(args.requests, 300), min(args.rounds, 3), min(args.single, 10)
    env = server_env(argparse.Namespace(database_url="", redis_url=args.redis_url), static_root(args.static_root), 0)
    env.update(DATABASE_URL=args.database_url, CACHE_KEY_PREFIX="peerlearn-bench-dashboard")
    print(f"database {args.database_url}; redis {args.redis_url}; {os.cpu_count()} CPUs", flush=True)
    if not (args.reuse_database and database_exists(args.database_url)):
        recreate_database(args.database_url)
        manage(env, "migrate", "--no-input")
        seed_env = {**env, "PEERLEARN_ENV": "test", "DJANGO_SETTINGS_MODULE": "mentorship.settings"}
        print(child(seed_env, "seed", args).strip(), flush=True)
    else:
        manage(env, "migrate", "--no-input")
    collect_static(env)
    if args.profile:
        print(f"\nProfile ({args.profile} requests per scenario, in-process)", flush=True)
        print(child(env, "profile", args), flush=True)
    if not args.requests:
        return
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "mentorship.wsgi:application", "--workers", str(args.workers),
            "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/health/", server)
        probe = json.loads(child(env, "probe", args))
        print(f"gunicorn, {args.workers} sync workers, production settings, DEBUG off; {args.clients} clients")
        loaded: dict[str, list[LoadResult]] = {scenario: [] for scenario in SCENARIOS}
        alone: dict[str, list[LoadResult]] = {scenario: [] for scenario in SCENARIOS}
        cpu: dict[str, float] = dict.fromkeys(SCENARIOS, 0.0)
        per_round = max(1, args.requests // args.rounds)

        def load(path: str, who: str | None, clients: int, requests: int) -> LoadResult:
            headers = {"Cookie": probe["cookies"][who]} if who else {}
            return run_load(
                host="127.0.0.1", port=port, path=path, clients=clients, total_requests=requests, headers=headers
            )

        for path, who in SCENARIOS.values():  # warm every worker's connections and templates
            load(path, who, args.clients, 50)
        for round_number in range(args.rounds):
            for scenario, (path, who) in SCENARIOS.items():
                before = workers_cpu_s(server.pid)
                loaded[scenario].append(load(path, who, args.clients, per_round))
                cpu[scenario] += workers_cpu_s(server.pid) - before
                alone[scenario].append(load(path, who, 1, args.single))
            load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"round {round_number + 1}/{args.rounds} done (load average {load_average})", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(loaded, alone, cpu, probe, args)


def merged(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        latencies_ms=[ms for result in results for ms in result.latencies_ms],
        errors=sum(result.errors for result in results),
        elapsed_s=sum(result.elapsed_s for result in results),
        client_cpu_s=sum(result.client_cpu_s for result in results),
    )


def report(
    loaded: dict[str, list[LoadResult]],
    alone: dict[str, list[LoadResult]],
    cpu: dict[str, float],
    probe: dict,
    args: argparse.Namespace,
) -> None:
    print(
        f"\nSummary ({args.clients} clients, {args.requests} requests per scenario in {args.rounds} rounds, "
        f"{args.single} from a single client per round; gunicorn {args.workers} workers)"
    )
    print(
        "CPU ms = the gunicorn workers' CPU per request (the service time, the least noisy figure on a shared "
        "machine); × bare = as a multiple of the bare view's in the same run; client = the load generator's own CPU "
        "per request; 1-client = the latency of one client alone (no queueing)."
    )
    print(
        f"{'scenario':<18} {'1-client p50':>12} {'1-client p95':>12} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} "
        f"{'CPU ms':>7} {'× bare':>7} {'client':>7} {'queries':>7} {'errors':>6}"
    )
    rows = {scenario: (merged(loaded[scenario]), merged(alone[scenario])) for scenario in SCENARIOS}
    floor = cpu["bare"] * 1000 / max(1, rows["bare"][0].requests)
    for scenario, (under_load, single) in rows.items():
        served = max(1, under_load.requests + under_load.errors)
        cpu_ms = cpu[scenario] * 1000 / served
        ratio = f"{cpu_ms / floor:.1f}" if floor else "-"
        print(
            f"{scenario:<18} {single.p50:12.1f} {single.p95:12.1f} {under_load.p50:7.1f} {under_load.p95:7.1f} "
            f"{under_load.throughput:6.0f} {cpu_ms:7.2f} {ratio:>7} {under_load.client_cpu_ms_per_request:7.2f} "
            f"{probe['queries'][scenario]:7d} {under_load.errors + single.errors:6d}"
        )
    print(f"\nTargets (p95 ≤ {TARGET_P95_MS} ms)")
    for scenario, (under_load, single) in rows.items():
        if scenario == "bare":
            continue
        for what, result in ((f"{args.clients} clients", under_load), ("1 client", single)):
            verdict = "PASS" if result.p95 <= TARGET_P95_MS else "FAIL"
            print(f"  {scenario:<18} {verdict}  p95 at {what} = {result.p95:.1f} ms")
    print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
