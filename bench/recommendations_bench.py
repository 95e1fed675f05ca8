"""Benchmark of the recommender: serving overhead on the dashboard, precompute throughput, one student's update.

    .venv/bin/python bench/recommendations_bench.py [--mentors 10000] [--students 500] [--sim-students 3000]

1. Database part (a dedicated database `peerlearn_bench_rec`, dropped and recreated): `--mentors` approved mentors
   (the search benchmark's generator), one onboarded Telugu school student and `--students` others with three
   bookings each in the interaction log. Measured in this process through Django's test client:
   - the dashboard's p50 / p95 with the recommendations panel, and the panel alone (its stored-list read and
     rendering: the time it adds to the dashboard), with the panel's query count;
   - one student's incremental update (`recommendations_refresh`, model already fitted): p50 / p95;
   - the model fit, and a full precompute of every student in the database (students per second).
2. In-memory part: the synthetic population of the offline evaluation at `--sim-mentors` × `--sim-students`,
   fitted and recommended in chunks of 500 (the precompute's path without the database), with peak memory; the
   time per student extrapolated linearly to 50k students.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.search_bench import add_mentors, bench_student, manage, recreate_database  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peerlearn_bench_rec"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def timed(function, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def database_part(args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "PEERLEARN_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
    }
    recreate_database(DATABASE_URL)
    manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Language, StudentProfile, User
    from matching import services
    from matching.models import Interaction, MentorSearchDocument
    from matching.recommender import precompute

    rng = random.Random(args.seed)
    started = time.perf_counter()
    add_mentors(args.mentors, 0, rng)
    student = bench_student()
    # Onboarded, so the dashboard renders instead of redirecting to the wizard.
    StudentProfile.objects.filter(user=student).update(onboarding_completed_at=timezone.now())
    mentor_ids = list(MentorSearchDocument.objects.values_list("mentor_id", flat=True))
    telugu = Language.objects.get(code="te")
    others = User.objects.bulk_create(
        [
            User(
                email=f"bench-{index}@example.test", full_name=f"Student {index}", password="!", primary_language=telugu
            )
            for index in range(args.students)
        ]
    )
    StudentProfile.objects.bulk_create(
        [StudentProfile(user=user, academic_level="school", class_grade=10, subjects=["Science"]) for user in others]
    )
    now = timezone.now()
    Interaction.objects.bulk_create(
        [
            Interaction(student=user, mentor_id=rng.choice(mentor_ids), kind="booking", created_at=now)
            for user in others
            for _ in range(3)
        ]
    )
    print(f"seeded {args.mentors} mentors and {args.students + 1} students in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    precompute.current_model()
    print(f"model fit: {time.perf_counter() - started:.2f} s")
    print("incremental update of one student:", percentiles(timed(
        lambda: services.recommendations_refresh(student_ids=[student.pk]), 30)))  # fmt: skip

    client = Client()
    client.force_login(student)
    client.get("/dashboard/")
    print("dashboard with recommendations:", percentiles(timed(lambda: client.get("/dashboard/"), args.requests)))
    request = RequestFactory().get("/dashboard/")
    request.user = student
    panel = Template("{% load recommendations %}{% recommended_mentors_panel %}")
    with CaptureQueriesContext(connection) as queries:
        panel.render(Context({"request": request}))
    print(f"recommendations panel alone ({len(queries)} queries):",
          percentiles(timed(lambda: panel.render(Context({"request": request})), args.requests)))  # fmt: skip

    started = time.perf_counter()
    written = services.recommendations_precompute_all()
    elapsed = time.perf_counter() - started
    print(f"full precompute (database, fit included): {written} students in {elapsed:.1f} s, "
          f"{written / elapsed:.0f} students/s")  # fmt: skip


def memory_part(args: argparse.Namespace) -> None:
    import datetime as dt

    from matching.recommender import evaluation, hybrid

    started = time.perf_counter()
    population = evaluation.synthetic_population(mentors=args.sim_mentors, students=args.sim_students, seed=args.seed)
    print(f"synthetic population {args.sim_mentors} × {args.sim_students}: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    model = hybrid.HybridModel(population.catalogue, population.students, population.training, population.now)
    fit = time.perf_counter() - started
    histories = evaluation._histories(population.training)
    started = time.perf_counter()
    for start in range(0, len(population.students), 500):
        chunk = population.students[start : start + 500]
        model.recommend(chunk, histories=histories, dismissed={}, at=population.now + dt.timedelta(0))
    per_student = (time.perf_counter() - started) / len(population.students)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"in memory: fit {fit:.1f} s, {per_student * 1000:.1f} ms per student (one core), peak RSS {peak_mb:.0f} MB")
    print(f"extrapolated to 50k students: {fit + per_student * 50_000:.0f} s on one core, "
          f"{fit + per_student * 25_000:.0f} s with two workers")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sim-mentors", type=int, default=10_000)
    parser.add_argument("--sim-students", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--part", choices=["all", "database", "memory"], default="all")
    args = parser.parse_args()
    if args.part in {"all", "database"}:
        database_part(args)
    if args.part in {"all", "memory"}:
        if args.part == "memory":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
            import django

            django.setup()
        memory_part(args)


if __name__ == "__main__":
    main()
