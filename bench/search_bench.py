"""Benchmark of the mentor search page (`/mentors/`) at 1k, 10k and 100k approved mentors.

    .venv/bin/python bench/search_bench.py [--sizes 1000,10000,100000] [--requests 2000] [--clients 20]

What it does, all on loopback and in a dedicated database (dropped and recreated: `peerlearn_bench_search` by default):
1. migrates the bench database and collects static files into a temporary folder;
2. for each size, adds approved mentors (bulk inserts, then `search_documents_rebuild`, then VACUUM ANALYZE);
3. starts gunicorn (WSGI, sync workers, as in production) with production settings (DEBUG off, manifest static
   files) on a free port — once, it serves every size;
4. for each scenario (a visitor and a signed-in student, with a typical filter set), sends a fixed number of
   requests from N concurrent clients and reports p50 / p95 latency and throughput; counts the queries of the
   same request through Django's test client (CaptureQueriesContext); times the page's own SQL statements
   through a plain cursor and EXPLAIN ANALYZE.
Targets (issue 3): p95 ≤ 50 ms at 10k; p95 at 100k ≤ 1.5 × p95 at 1k; queries per request constant.
"""

from __future__ import annotations

import argparse
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

from bench.http_load import run_load  # noqa: E402

SCENARIOS = {
    # A visitor filtering by language and level with a minimum rating: rating-and-popularity order.
    "visitor": "/mentors/?language=te&level=school&rating=4",
    # The same filters for a signed-in Telugu school student: best match, the score computed in SQL.
    "student": "/mentors/?language=te&level=school&rating=4",
    # A signed-in student's text search (full text plus trigram typo tolerance) with a level filter.
    "student-text": "/mentors/?q=physics&level=school",
}
STUDENT_SCENARIOS = {"student", "student-text"}

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
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(args: argparse.Namespace, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
        "PEERLEARN_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-3c6f1f0e9d8b4a7c2e5f8a1b4c7d0e3f",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Plain HTTP on loopback: no TLS terminator in front of this server.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        # The web process's setting in production: sync workers keep their database connection.
        "DB_CONN_MAX_AGE": "60",
    }


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


# --- data ------------------------------------------------------------------------------------------


def add_mentors(count: int, start: int, rng: random.Random) -> None:
    """Insert `count` approved mentors (users, languages, profiles) in bulk, then index them."""
    from django.db import connection, transaction

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
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def bench_student() -> object:
    from accounts.models import Language, StudentProfile, User

    student = User.objects.create(
        email="bench-student@example.test",
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


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.2)


def main() -> None:
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(args.seed)
    static_root = tempfile.mkdtemp(prefix="peerlearn-bench-static-")
    env = server_env(args, static_root)
    print(f"bench database {args.database_url}; redis {args.redis_url}", flush=True)
    recreate_database(args.database_url)
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache

    student = bench_student()
    cookie = session_cookie(student)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "mentorship.wsgi:application", "--workers", str(args.workers),
            "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
        ],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    rows = []
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/health/", server)
        print(f"gunicorn {args.workers} sync workers on 127.0.0.1:{port}, production settings, DEBUG off", flush=True)
        seeded = 0
        for size in sizes:
            started = time.perf_counter()
            add_mentors(size - seeded, seeded, rng)
            seeded = size
            cache.clear()
            load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(
                f"\n{size:,} approved mentors indexed in {time.perf_counter() - started:.1f} s "
                f"(machine load average {load_average} on {os.cpu_count()} CPUs)",
                flush=True,
            )
            for scenario, path in SCENARIOS.items():
                signed_in = scenario in STUDENT_SCENARIOS
                headers = {"Cookie": cookie} if signed_in else {}
                run_load(
                    host="127.0.0.1", port=port, path=path, clients=args.clients, total_requests=200, headers=headers
                )
                load = run_load(
                    host="127.0.0.1", port=port, path=path, clients=args.clients, total_requests=args.requests,
                    headers=headers,
                )  # fmt: skip
                # The same request from a single client: the service time, without queueing for the two CPUs.
                alone = run_load(host="127.0.0.1", port=port, path=path, clients=1, total_requests=200, headers=headers)
                count, statements = queries_of(path, student if signed_in else None)
                search_sql = [sql for sql in statements if "matching_" in sql]
                sql_timings = time_sql(search_sql)
                row = {
                    "size": size, "scenario": scenario, "p50": load.p50, "p95": load.p95, "rps": load.throughput,
                    "errors": load.errors, "queries": count, "sql": sql_timings, "alone": alone.p50,
                }  # fmt: skip
                rows.append(row)
                sql_text = " + ".join(f"{median:.2f} ms (EXPLAIN {explain:.2f})" for median, explain in sql_timings)
                print(
                    f"  {scenario:<13} p50 {load.p50:6.1f} ms  p95 {load.p95:6.1f} ms  {load.throughput:6.0f} req/s  "
                    f"errors {load.errors}  1-client p50 {alone.p50:.1f} ms  queries/request {count}  SQL {sql_text}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(rows, sizes, args)


def report(rows: list[dict], sizes: list[int], args: argparse.Namespace) -> None:
    print(f"\nSummary ({args.clients} clients, {args.requests} requests per cell, gunicorn {args.workers} workers)")
    print(
        f"{'scenario':<13} {'mentors':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} {'1-client p50':>12} "
        f"{'queries':>7} {'SQL ms':>7}"
    )
    for row in rows:
        sql_ms = sum(median for median, _explain in row["sql"])
        print(
            f"{row['scenario']:<13} {row['size']:>8,} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['rps']:>6.0f} "
            f"{row['alone']:>12.1f} {row['queries']:>7} {sql_ms:>7.2f}"
        )
    print("\nTargets")
    for scenario in SCENARIOS:
        cells = {row["size"]: row for row in rows if row["scenario"] == scenario}
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
