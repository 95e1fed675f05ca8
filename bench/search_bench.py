"""Benchmark of the mentor search page (`/mentors/`) at 1k, 10k and 100k approved mentors, and of the pages
around it (a mentor's profile, the student dashboard, the booking page) against a bare Django view as the floor.

    .venv/bin/python bench/search_bench.py [--sizes 1000,10000,100000] [--requests 2000] [--clients 20]
    .venv/bin/python bench/search_bench.py --sizes 10000 --profile 200 --requests 0   # only the profile
    .venv/bin/python bench/search_bench.py --quick --reuse-databases --static-root DIR   # a few minutes

All on loopback, in dedicated databases (dropped and recreated: `peerlearn_bench_search_<size>`):
1. one database per size, migrated and filled with approved mentors (bulk inserts, `search_documents_rebuild`,
   VACUUM ANALYZE) and one onboarded Telugu school student; static files collected into a temporary folder;
2. one gunicorn per size (WSGI, sync workers, as in production) with production settings (DEBUG off, manifest
   static files, persistent database connections), each on a free port and its own cache key prefix;
3. for each scenario (a visitor and a signed-in student, with a typical filter set) and size: p50 / p95 latency and
   throughput of N concurrent clients over HTTP (an asyncio client; its own CPU is printed), the single-client
   latency, and the gunicorn workers' CPU per request (the service time, read from /proc: the least noisy figure on
   a shared machine). The sizes and scenarios are measured in interleaved rounds: a burst of load on another
   process slows every cell alike instead of whichever happened to be running. Every page is also given as a
   ratio to the bare view (`bench/urls.py`) measured in the same rounds;
4. in the same run, per size: the queries of the same request through Django's test client (CaptureQueriesContext)
   and the page's own SQL statements timed through a cursor and EXPLAIN ANALYZE.
5. with `--profile N`: N requests of each scenario in one process through Django's test client under cProfile;
   the top of the profile (own time and cumulative) is printed.
Targets: search p95 ≤ 50 ms at 10k; p95 at 100k ≤ 1.5 × p95 at 1k; queries per request constant.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.http_load import LoadResult, run_load  # noqa: E402

SCENARIOS = {
    # The floor: a view that returns two bytes through every middleware (bench/urls.py).
    "bare": "/bench/bare/",
    # A visitor filtering by language and level with a minimum rating: rating-and-popularity order.
    "visitor": "/mentors/?language=te&level=school&rating=4",
    # The same filters for a signed-in Telugu school student: best match, the score computed in SQL.
    "student": "/mentors/?language=te&level=school&rating=4",
    # A signed-in student's text search (full text plus trigram typo tolerance) with a level filter.
    "student-text": "/mentors/?q=physics&level=school",
    # The pages a student goes through next, signed in.
    "profile": "/mentor/bench-mentor-1/",
    "dashboard": "/dashboard/",
    "booking-page": "/mentor/bench-mentor-1/book/",
}
STUDENT_SCENARIOS = {"student", "student-text", "profile", "dashboard", "booking-page"}
SEARCH_SCENARIOS = ("visitor", "student", "student-text")
STUDENT_EMAIL = "bench-student@example.test"

# fmt: off
FIRST_NAMES = [
    "Aarav", "Priya", "Ravi", "Lakshmi", "Arjun", "Divya", "Karthik", "Sneha", "Vikram", "Ananya", "Rahul", "Meera",
    "Suresh", "Kavya", "Nikhil", "Pooja", "Sanjay", "Deepa", "Rohan", "Asha", "Venkat", "Swathi", "Imran", "Fatima",
    "Harpreet", "Gurpreet", "Sourav", "Rituparna", "Mahesh", "Sunita", "Joseph", "Mary",
]
LAST_NAMES = [
    "Sharma", "Kumar", "Reddy", "Rao", "Iyer", "Nair", "Das", "Banerjee", "Patil", "Deshmukh", "Singh", "Gill",
    "Khan", "Menon", "Pillai", "Gupta", "Verma", "Joshi", "Chatterjee", "Naidu", "Shetty", "Kulkarni", "Mishra",
    "Yadav", "Bose", "Fernandes",
]
PLACES = [
    ("Hyderabad", "Telangana", 10), ("Warangal", "Telangana", 3), ("Vijayawada", "Andhra Pradesh", 5),
    ("Visakhapatnam", "Andhra Pradesh", 4), ("Chennai", "Tamil Nadu", 8), ("Coimbatore", "Tamil Nadu", 3),
    ("Bengaluru", "Karnataka", 10), ("Mumbai", "Maharashtra", 10), ("Pune", "Maharashtra", 6),
    ("Delhi", "Delhi", 12), ("Lucknow", "Uttar Pradesh", 5), ("Jaipur", "Rajasthan", 4),
    ("Kolkata", "West Bengal", 7), ("Kochi", "Kerala", 4), ("Ahmedabad", "Gujarat", 5), ("Chandigarh", "Punjab", 3),
]
ABROAD = [
    ("London", "England", "Europe/London"), ("Dubai", "Dubai", "Asia/Dubai"),
    ("Singapore", "Singapore", "Asia/Singapore"),
]
REGIONAL_LANGUAGE = {
    "Telangana": "te", "Andhra Pradesh": "te", "Tamil Nadu": "ta", "Karnataka": "kn", "Maharashtra": "mr",
    "West Bengal": "bn", "Kerala": "ml", "Gujarat": "gu", "Punjab": "pa",
}
SUBJECTS = [
    "Mathematics", "Physics", "Chemistry", "Biology", "Computer Science", "Economics", "Accountancy",
    "Business Studies", "English", "History", "Geography", "Political Science", "Psychology", "Statistics",
    "Electronics", "Mechanical Engineering", "Civil Engineering", "Hindi",
]
SPECIALIZATIONS = [
    "NEET preparation", "JEE Physics", "JEE Mathematics", "JEE Chemistry", "Data Science", "Machine Learning",
    "Web development", "Board exam preparation", "CUET preparation", "UPSC guidance", "CA foundation",
    "Study abroad applications", "Olympiad mathematics", "Spoken English", "Career counselling", "GATE preparation",
    "CAT preparation", "Resume and interviews",
]
EXPERTISE = [
    "Software engineering", "Medicine", "Product management", "Finance", "Civil services", "Research", "Teaching",
    "Design", "Entrepreneurship", "Law", "Mechanical design", "Consulting",
]
INDUSTRIES = [
    "Technology", "Healthcare", "Finance", "Government", "Education", "Manufacturing", "Media", "Consulting",
]
TITLES = [
    "Senior Software Engineer", "Physics Lecturer", "Doctor (MBBS, MD)", "Chartered Accountant", "Data Scientist",
    "Mathematics Teacher", "IAS aspirant mentor", "Product Manager", "Research Scholar", "Career Counsellor",
]
# fmt: on


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario and size (bounded)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/peerlearn_bench_search")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds the requests are split into")
    parser.add_argument("--reuse-databases", action="store_true", help="keep databases a previous run seeded")
    parser.add_argument("--static-root", default="", help="reuse static files collected there by an earlier run")
    # Internal: the same script, run against one size's database, seeds it or measures its queries.
    parser.add_argument(
        "--role", choices=["orchestrate", "seed", "probe", "profile"], default="orchestrate", help=argparse.SUPPRESS
    )
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, help="profile N requests of each scenario (cProfile)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of scenarios")
    parser.add_argument("--quick", action="store_true", help="a short run: 10k mentors, 400 requests in 4 rounds")
    args = parser.parse_args()
    if args.quick and args.role == "orchestrate":
        args.sizes, args.requests, args.rounds = "10000", min(args.requests, 400), min(args.rounds, 4)
    return args


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(args: argparse.Namespace, size: int) -> str:
    return f"{args.database_url}_{size}"


def server_env(args: argparse.Namespace, static_root: str, size: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PEERLEARN_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-3c6f1f0e9d8b4a7c2e5f8a1b4c7d0e3f",
        # Production settings require the at-rest encryption keys (payout details); a bench-only key.
        "FIELD_ENCRYPTION_KEYS": "bench1:YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Plain HTTP on loopback: no TLS terminator in front of this server.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(args, size),
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"peerlearn-bench-search-{size}",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        # The web process's setting in production: sync workers keep their database connection.
        "DB_CONN_MAX_AGE": "60",
    }


def database_exists(url: str) -> bool:
    parts = urlsplit(url)
    listing = subprocess.run(
        ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
         "-Atc", "SELECT datname FROM pg_database"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return parts.path.lstrip("/") in listing.split()


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


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL
    )


def static_root(given: str) -> str:
    """The folder the server's static files are collected into: `--static-root` or a new temporary one."""
    return given or tempfile.mkdtemp(prefix="peerlearn-bench-static-")


def collect_static(env: dict[str, str]) -> None:
    """collectstatic with the server's settings (hashing and compressing takes minutes on a busy machine), skipped
    when the folder already holds a collection (`--static-root` of an earlier run: the static files must not have
    changed since)."""
    if (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
        print(f"reusing the static files collected in {env['STATIC_ROOT']}", flush=True)
        return
    manage(env, "collectstatic", "--no-input")


# --- data ------------------------------------------------------------------------------------------


def add_mentors(count: int, start: int, rng: random.Random) -> None:
    """Insert `count` approved mentors (users, languages, profiles) in bulk, then index them."""
    from django.db import transaction

    from accounts.models import Language, User
    from mentors.models import MentorProfile

    languages = dict(Language.objects.values_list("code", "pk"))
    weights = [weight for _city, _state, weight in PLACES]
    users, spoken, profiles = [], [], []
    for index in range(start, start + count):
        if rng.random() < 0.05:
            city, state, zone = rng.choice(ABROAD)
        else:
            city, state, _weight = rng.choices(PLACES, weights)[0]
            zone = "Asia/Kolkata"
        regional = REGIONAL_LANGUAGE.get(state, "hi")
        primary = rng.choices([regional, "hi", "en"], [0.55, 0.3, 0.15])[0]
        codes = {primary, "en"} if rng.random() < 0.9 else {primary}
        if rng.random() < 0.35:
            codes.add(rng.choice(["hi", "te", "ta", "kn", "mr", "bn"]))
        users.append(
            User(
                email=f"bench-mentor-{index}@example.test",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                password="!",  # unusable
                city=city,
                state=state,
                time_zone=zone,
                role=User.Role.MENTOR,
                primary_language_id=languages[primary],
            )
        )
        spoken.append(codes)
        ratings = rng.choice([0, 0, rng.randint(1, 15), rng.randint(10, 300)])
        profiles.append(
            dict(
                slug=f"bench-mentor-{index}",
                title=rng.choice(TITLES),
                university=rng.choice(["IIT Madras", "Osmania University", "Delhi University", "NIT Warangal", ""]),
                company=rng.choice(["Infosys", "TCS", "AIIMS", "Deloitte", "Google", ""]),
                years_experience=rng.randint(0, 30),
                bio=(
                    f"I have taught {rng.choice(SUBJECTS)} and {rng.choice(SUBJECTS)} for years and guide students "
                    f"through {rng.choice(SPECIALIZATIONS)}. Sessions are friendly, practical and exam-focused."
                ),
                expertise_areas=rng.sample(EXPERTISE, 2),
                specializations=rng.sample(SPECIALIZATIONS, rng.randint(1, 3)),
                industry_focus=rng.sample(INDUSTRIES, 1),
                subjects=rng.sample(SUBJECTS, rng.randint(1, 3)),
                levels_served=rng.choice([["school"], ["college"], ["school", "college"]]),
                hourly_rate_paise=rng.randrange(300, 5000, 50) * 100,
                offered_durations=[30, 60, 90],
                verification_status="approved",
                is_active=True,
                average_rating=round(rng.uniform(3.0, 5.0), 2) if ratings else 0,
                rating_count=ratings,
                total_sessions=ratings + rng.randint(0, 50),
                response_time_minutes=rng.choice([None, rng.randint(5, 3000)]),
            )
        )
    with transaction.atomic():
        created = User.objects.bulk_create(users, batch_size=2000)
        through = User.languages.through
        through.objects.bulk_create(
            [
                through(user_id=user.pk, language_id=languages[code])
                for user, codes in zip(created, spoken, strict=True)
                for code in codes
            ],
            batch_size=5000,
        )
        MentorProfile.objects.bulk_create(
            [MentorProfile(user_id=user.pk, **fields) for user, fields in zip(created, profiles, strict=True)],
            batch_size=2000,
        )
    from matching.services import search_documents_rebuild

    search_documents_rebuild(batch_size=2000)


def bench_student():
    from django.utils import timezone

    from accounts.models import Language, StudentProfile, User

    student = User.objects.create(
        email=STUDENT_EMAIL,
        full_name="Bench Student",
        password="!",
        city="Hyderabad",
        state="Telangana",
        primary_language=Language.objects.get(code="te"),
    )
    student.languages.set(Language.objects.filter(code__in=["te", "en"]))
    StudentProfile.objects.create(
        user=student,
        academic_level="school",
        class_grade=11,
        stream="science_pcb",
        subjects=["Physics", "Chemistry", "Biology"],
        industries=["healthcare"],
        challenges=["exam_preparation"],
        onboarding_step=7,
        onboarding_completed_at=timezone.now(),
    )
    return student


# --- measurements --------------------------------------------------------------------------------


def queries_of(path: str, student) -> tuple[int, list[str]]:
    """Queries of one request through Django's test client (same settings, same database)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if student is not None:
        client.force_login(student)
    client.get(path)  # the filter-option cache is warm on the server too
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: status {response.status_code}")
    return len(captured), [query["sql"] for query in captured.captured_queries]


def time_sql(statements: list[str], repeats: int = 30) -> list[tuple[float, float]]:
    """(median ms through a cursor, execution ms per EXPLAIN ANALYZE) for each search statement."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        for sql in statements:
            took = []
            for _ in range(repeats):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                took.append((time.perf_counter() - started) * 1000)
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            timings.append((statistics.median(took), plan["Execution Time"]))
    return timings


def session_cookie(student) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(student)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    """Wait for the server to answer `url` (importing the app takes a minute on a busy machine); if it exits or
    never answers, stop it and show the end of its error output."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                # Reading a live process's stderr to its end would wait for ever: stop it first.
                process.kill()
                _out, errors = process.communicate(timeout=30)
                raise SystemExit(f"gunicorn did not start: {errors.decode()[-2000:]}") from None
            time.sleep(0.2)


def seed_role(args: argparse.Namespace) -> None:
    """In a child process set up for one size's database: fill it."""
    import django

    django.setup()
    from django.db import connection

    add_mentors(args.size, 0, random.Random(args.seed))
    student = bench_student()
    # The worker computes a student's recommendations in production (the dashboard scenario shows them); without
    # one here every dashboard would rank all mentors live and queue the same refresh again.
    from matching.services import recommendations_refresh

    recommendations_refresh(student_ids=[student.pk])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def probe_role(args: argparse.Namespace) -> None:
    """In a child process set up for one size's database: print the student's cookie, and per scenario the
    queries of one request and the timings of its search SQL, as JSON."""
    import django

    django.setup()
    from accounts.models import User

    student = User.objects.get(email=STUDENT_EMAIL)
    result = {"cookie": session_cookie(student), "scenarios": {}}
    for scenario in chosen_scenarios(args):
        path = SCENARIOS[scenario]
        count, statements = queries_of(path, student if scenario in STUDENT_SCENARIOS else None)
        sql = [statement for statement in statements if "matching_" in statement]
        result["scenarios"][scenario] = {"queries": count, "sql": time_sql(sql)}
    print(json.dumps(result))


def profile_role(args: argparse.Namespace) -> None:
    """In a child process set up for one size's database: N requests of each scenario under cProfile (after one
    warm-up request), printed as the top functions by own time and by cumulative time (bench/profiling.py)."""
    import django

    django.setup()
    from accounts.models import User
    from bench.profiling import profile_pages

    student = User.objects.get(email=STUDENT_EMAIL)
    pages = [
        (scenario, SCENARIOS[scenario], student if scenario in STUDENT_SCENARIOS else None)
        for scenario in chosen_scenarios(args)
    ]
    profile_pages(pages, args.profile)


def chosen_scenarios(args: argparse.Namespace) -> list[str]:
    names = [name for name in args.scenarios.split(",") if name]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    return names


def workers_cpu_s(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, …; utime and stime are fields 14 and 15 of stat(5).
        if int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def prepare(args: argparse.Namespace, size: int, static_root: str) -> dict[str, str]:
    env = server_env(args, static_root, size)
    if args.reuse_databases and database_exists(env["DATABASE_URL"]):
        manage(env, "migrate", "--no-input")
        print(f"{size:>7,} mentors: reusing {env['DATABASE_URL']}", flush=True)
        return env
    recreate_database(env["DATABASE_URL"])
    manage(env, "migrate", "--no-input")
    started = time.perf_counter()
    child(args, env, "seed", size)
    print(f"{size:>7,} approved mentors seeded and indexed in {time.perf_counter() - started:.1f} s", flush=True)
    return env


def child(args: argparse.Namespace, env: dict[str, str], role: str, size: int) -> str:
    command = [sys.executable, __file__, "--role", role, "--size", str(size), "--seed", str(args.seed),
               "--profile", str(args.profile), "--scenarios", args.scenarios]  # fmt: skip
    return subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True).stdout


def start_server(args: argparse.Namespace, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "mentorship.wsgi:application", "--workers", str(args.workers),
            "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        ],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_until_up(f"http://127.0.0.1:{port}/api/health/", server)
    return server, port


def main() -> None:
    args = parse_args()
    if args.role == "seed":
        return seed_role(args)
    if args.role == "probe":
        return probe_role(args)
    if args.role == "profile":
        return profile_role(args)
    sizes = [int(size) for size in args.sizes.split(",")]
    scenarios = chosen_scenarios(args)
    collected = static_root(args.static_root)
    print(f"databases {args.database_url}_<size>; redis {args.redis_url}; {os.cpu_count()} CPUs", flush=True)
    envs = {size: prepare(args, size, collected) for size in sizes}
    collect_static(envs[sizes[0]])
    if args.profile:
        for size in sizes:
            print(f"\nProfile at {size:,} mentors ({args.profile} requests per scenario, in-process)", flush=True)
            print(child(args, envs[size], "profile", size), flush=True)
    if not args.requests:
        return
    servers: dict[int, tuple[subprocess.Popen, int]] = {}
    try:
        for size in sizes:
            servers[size] = start_server(args, envs[size])
        probes = {size: json.loads(child(args, envs[size], "probe", size)) for size in sizes}
        print(f"gunicorn, {args.workers} sync workers per size, production settings, DEBUG off", flush=True)
        cells = [(scenario, size) for scenario in scenarios for size in sizes]
        latencies = {cell: [] for cell in cells}
        alone = {cell: [] for cell in cells}
        errors = dict.fromkeys(cells, 0)
        busy = dict.fromkeys(cells, 0.0)
        server_cpu = dict.fromkeys(cells, 0.0)
        client_cpu = dict.fromkeys(cells, 0.0)

        def load(cell, clients, requests):
            scenario, size = cell
            headers = {"Cookie": probes[size]["cookie"]} if scenario in STUDENT_SCENARIOS else {}
            path = SCENARIOS[scenario]
            return run_load(
                host="127.0.0.1", port=servers[size][1], path=path, clients=clients, total_requests=requests,
                headers=headers,
            )  # fmt: skip

        for cell in cells:
            load(cell, args.clients, 200)  # warm caches, connections and the database's buffers
        order = random.Random(args.seed)
        for round_number in range(args.rounds):
            for cell in order.sample(cells, len(cells)):
                master = servers[cell[1]][0].pid
                cpu_before = workers_cpu_s(master)
                result = load(cell, args.clients, args.requests // args.rounds)
                server_cpu[cell] += workers_cpu_s(master) - cpu_before
                latencies[cell] += result.latencies_ms
                errors[cell] += result.errors
                busy[cell] += result.elapsed_s
                client_cpu[cell] += result.client_cpu_s
                alone[cell] += load(cell, 1, 20).latencies_ms
            load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"round {round_number + 1}/{args.rounds} done (load average {load_average})", flush=True)
    finally:
        for server, _port in servers.values():
            server.terminate()
            server.wait(timeout=20)
    rows = []
    for scenario, size in cells:
        cell = (scenario, size)
        measured = LoadResult(latencies_ms=latencies[cell], errors=errors[cell], elapsed_s=busy[cell])
        probe = probes[size]["scenarios"][scenario]
        served = max(1, measured.requests + measured.errors)
        rows.append(
            {
                "size": size, "scenario": scenario, "p50": measured.p50, "p95": measured.p95,
                "rps": measured.throughput, "errors": measured.errors, "queries": probe["queries"],
                "sql": probe["sql"], "alone": statistics.median(alone[cell]),
                "cpu_ms": server_cpu[cell] * 1000 / served, "client_cpu_ms": client_cpu[cell] * 1000 / served,
            }
        )  # fmt: skip
    report(rows, sizes, args)


def report(rows: list[dict], sizes: list[int], args: argparse.Namespace) -> None:
    print(f"\nSummary ({args.clients} clients, {args.requests} requests per cell, gunicorn {args.workers} workers)")
    print(
        "CPU ms = the gunicorn workers' CPU per request (the service time; PostgreSQL's and Redis's CPU not "
        "included); × bare = that CPU and the p95 as multiples of the bare view's in the same run; client = the "
        "load generator's own CPU per request."
    )
    print(
        f"{'scenario':<13} {'mentors':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} {'1-client':>8} {'CPU ms':>7} "
        f"{'× bare':>7} {'p95×bare':>8} {'client':>7} {'queries':>7} {'SQL ms':>7} {'errors':>6}"
    )
    floor = {row["size"]: row for row in rows if row["scenario"] == "bare"}
    for row in rows:
        sql_ms = sum(median for median, _explain in row["sql"])
        bare = floor.get(row["size"])
        cpu_ratio = f"{row['cpu_ms'] / bare['cpu_ms']:.1f}" if bare and bare["cpu_ms"] else "-"
        p95_ratio = f"{row['p95'] / bare['p95']:.1f}" if bare else "-"
        print(
            f"{row['scenario']:<13} {row['size']:>8,} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['rps']:>6.0f} "
            f"{row['alone']:>8.1f} {row['cpu_ms']:>7.2f} {cpu_ratio:>7} {p95_ratio:>8} {row['client_cpu_ms']:>7.2f} "
            f"{row['queries']:>7} {sql_ms:>7.2f} {row['errors']:>6}"
        )
    print("\nTargets")
    for scenario in SEARCH_SCENARIOS:
        cells = {row["size"]: row for row in rows if row["scenario"] == scenario}
        if not cells:
            continue
        checks = []
        if 10_000 in cells:
            checks.append((f"p95 at 10k = {cells[10_000]['p95']:.1f} ms ≤ 50 ms", cells[10_000]["p95"] <= 50))
        if 1_000 in cells and 100_000 in cells:
            ratio = cells[100_000]["p95"] / cells[1_000]["p95"]
            checks.append((f"p95 100k / 1k = {ratio:.2f} ≤ 1.5", ratio <= 1.5))
        counts = {row["queries"] for row in cells.values()}
        checks.append((f"queries per request {sorted(counts)} constant", len(counts) == 1))
        for text, ok in checks:
            print(f"  {scenario:<13} {'PASS' if ok else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
