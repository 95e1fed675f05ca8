"""Benchmark of the admin analytics page (`/panel/analytics/`) over the rollups of 1M bookings.

    .venv/bin/python bench/analytics_bench.py [--bookings 1000000] [--days 365] [--requests 200]

1. a dedicated database (`peerlearn_bench_analytics`, dropped and recreated) is migrated and filled, in SQL, with
   the `DailyMetric` rows the nightly rollup writes for `--bookings` bookings spread over `--days` days: every
   metric for each of 12 languages × 36 states, plus the "every language" / "every state" rows, the ratings
   distribution and supply and demand by language (several million rows; VACUUM ANALYZE after);
2. the page is requested in-process through Django's test client as a signed-in admin (templates, middleware and
   all queries included; no HTTP server), for three views: 30 days, 90 days, and 30 days filtered by language and
   state, each computed from the rollups (cache cleared before every request) and served from the five-minute
   cache; p50 / p95 / max per view and the number of queries per request.
Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DB_NAME = "peerlearn_bench_analytics"
LANGUAGES = ["hi", "en", "te", "ta", "kn", "ml", "mr", "bn", "gu", "pa", "or", "ur"]
STATES = [
    "Andhra Pradesh",
    "Arunachal Pradesh",
    "Assam",
    "Bihar",
    "Chhattisgarh",
    "Goa",
    "Gujarat",
    "Haryana",
    "Himachal Pradesh",
    "Jharkhand",
    "Karnataka",
    "Kerala",
    "Madhya Pradesh",
    "Maharashtra",
    "Manipur",
    "Meghalaya",
    "Mizoram",
    "Nagaland",
    "Odisha",
    "Punjab",
    "Rajasthan",
    "Sikkim",
    "Tamil Nadu",
    "Telangana",
    "Tripura",
    "Uttar Pradesh",
    "Uttarakhand",
    "West Bengal",
    "Delhi",
    "Jammu and Kashmir",
    "Ladakh",
    "Puducherry",
    "Chandigarh",
    "Lakshadweep",
    "Andaman and Nicobar Islands",
    "Dadra and Nagar Haveli and Daman and Diu",
]
# metric -> value per booking (on average, per day and group)
PER_BOOKING = {
    "bookings": 1.0,
    "completed": 0.85,
    "cancelled": 0.1,
    "no_shows": 0.03,
    "mentor_no_shows": 0.01,
    "signups": 0.6,
    "verified": 0.5,
    "onboarded": 0.4,
    "first_booking": 0.3,
    "second_booking": 0.15,
    "active_students": 0.9,
    "active_mentors": 0.3,
    "gross_paise": 80_000,
    "platform_paise": 20_000,
    "refunds_paise": 6_000,
    "tips_paise": 1_500,
    "payouts_paise": 50_000,
    "tickets": 0.05,
    "tickets_breached": 0.005,
}


def psql(database: str, sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
    )


def fill(bookings: int, days: int) -> int:
    per_group_day = bookings / days / (len(LANGUAGES) * len(STATES))
    values = ",".join(f"('{m}', {v * per_group_day})" for m, v in PER_BOOKING.items())
    languages = ",".join(f"('{code}')" for code in [*LANGUAGES, "*"])
    states = ",".join("('" + s.replace("'", "''") + "')" for s in [*STATES, "*"])
    # A "*" row is the sum over the groups it stands for; random noise keeps the planner honest.
    psql(
        DB_NAME,
        f"""
        INSERT INTO adminpanel_dailymetric (day, metric, language_code, state, segment, value)
        SELECT d::date, m.metric, l.code, s.state, '',
               GREATEST(1, round(m.base * (CASE WHEN l.code = '*' THEN {len(LANGUAGES)} ELSE 1 END)
                                        * (CASE WHEN s.state = '*' THEN {len(STATES)} ELSE 1 END)
                                        * (0.5 + random())))::bigint
        FROM generate_series(current_date - {days - 1}, current_date, interval '1 day') AS d,
             (VALUES {values}) AS m(metric, base),
             (VALUES {languages}) AS l(code),
             (VALUES {states}) AS s(state);
        INSERT INTO adminpanel_dailymetric (day, metric, language_code, state, segment, value)
        SELECT d::date, 'ratings', l.code, s.state, r::text, GREATEST(1, round(random() * 10))::bigint
        FROM generate_series(current_date - {days - 1}, current_date, interval '1 day') AS d,
             generate_series(1, 5) AS r, (VALUES {languages}) AS l(code), (VALUES {states}) AS s(state);
        INSERT INTO adminpanel_dailymetric (day, metric, language_code, state, segment, value)
        SELECT d::date, k.metric, '*', s.state, l.code, GREATEST(1, round(random() * 40))::bigint
        FROM generate_series(current_date - {days - 1}, current_date, interval '1 day') AS d,
             (VALUES ('supply_language'), ('demand_language')) AS k(metric),
             (VALUES {languages}) AS l(code), (VALUES {states}) AS s(state) WHERE l.code <> '*';
    """,  # noqa: S608 (built from this script's constants, no input)
    )
    psql(DB_NAME, "VACUUM ANALYZE adminpanel_dailymetric")
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            DB_NAME,
            "-At",
            "-c",
            "SELECT count(*) FROM adminpanel_dailymetric",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep-data", action="store_true", help="measure again on the database of the last run")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", "PEERLEARN_ENV": "test"}
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    if not args.keep_data:
        psql("postgres", f"DROP DATABASE IF EXISTS {DB_NAME}")
        psql("postgres", f"CREATE DATABASE {DB_NAME}")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
        started = time.perf_counter()
        rows = fill(args.bookings, args.days)
        print(
            f"{rows:,} rollup rows for {args.bookings:,} bookings over {args.days} days "
            f"(filled in {time.perf_counter() - started:.0f} s)"
        )

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentorship.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.models import User

    setup_test_environment()
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    admin, _ = User.objects.get_or_create(
        email="bench-admin@example.test", defaults={"full_name": "Bench Admin", "role": "admin", "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    views = {
        "30 days": "/panel/analytics/?days=30",
        "90 days": "/panel/analytics/?days=90",
        "30 days, te + Telangana": "/panel/analytics/?days=30&language=te&state=Telangana",
    }
    from django.core.cache import cache

    print(f"{'view':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for name, url in views.items():
        for cold in (True, False):
            for _ in range(5):
                client.get(url)  # warm up connections and template caches
            times = []
            for _ in range(args.requests):
                if cold:
                    cache.clear()  # the tables cached for five minutes are computed again from the rollups
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            label = f"{name} ({'computed' if cold else 'cached'})"
            print(f"{label:<34} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f} {len(queries):8d}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
