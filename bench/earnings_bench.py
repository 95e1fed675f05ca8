"""Benchmark of the mentor's earnings page with 10k ledger lines for one mentor (target: p95 ≤ 50 ms), and of the
monthly statement PDF.

    .venv/bin/python bench/earnings_bench.py [--requests 1000] [--clients 10] [--lines 10000] [--other-mentors 50]

All on loopback, in a dedicated database (`peerlearn_bench_earnings`, dropped and recreated):
1. migrated and filled in bulk through the ORM: the bench mentor with a year of paid sessions, each captured into
   escrow, released (70/30) and taxed (TDS at 0.1 %, the mentor has a PAN), plus a tip every tenth session, until
   the mentor's own accounts hold `--lines` ledger entries; `--other-mentors` mentors with a few hundred lines each,
   so the ledger is not the bench mentor's alone; VACUUM ANALYZE;
2. one gunicorn (WSGI, sync workers, production settings, DEBUG off, persistent database connections), as the
   other benches run it;
3. for each scenario (the earnings page, a later page of its lines as the htmx partial, and a bare view as the
   floor): p50 / p95 latency and throughput of N concurrent clients over HTTP, in interleaved rounds, and the
   gunicorn workers' CPU per request; the queries of one request through Django's test client;
4. the statement of the mentor's busiest month: its snapshot, then its PDF rendered `--statements` times with
   WeasyPrint in one process, as the worker does (first render apart from the steady state).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.http_load import LoadResult, run_load  # noqa: E402
from bench.search_bench import (  # noqa: E402
    free_port,
    manage,
    recreate_database,
    server_env,
    session_cookie,
    workers_cpu_s,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peerlearn_bench_earnings"
MENTOR_EMAIL = "bench-earnings-mentor@example.test"
SCENARIOS = {
    "bare": ("/bench/bare/", {}),
    "earnings": ("/payments/earnings/", {}),
    "earnings-lines-p5": ("/payments/earnings/?page=5", {"HX-Request": "true"}),
}
TARGET_P95_MS = 50
PRICE_PAISE = 80_000
TIP_PAISE = 10_000


def wait_until_up(url: str, process: subprocess.Popen, *, seconds: float = 180) -> None:
    """Like search_bench's, with a longer wait: on a loaded 2-core machine four workers can take over 30 s to boot
    (and a live server's stderr is never read, which would block)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a fixed loopback URL
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}") from None
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer in time") from None
            time.sleep(0.5)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the requests are split into")
    parser.add_argument("--lines", type=int, default=10_000, help="ledger entries on the bench mentor's accounts")
    parser.add_argument("--other-mentors", type=int, default=50)
    parser.add_argument("--statements", type=int, default=10, help="statement PDFs rendered for the timing")
    parser.add_argument("--reuse-database", action="store_true", help="keep the database a previous run seeded")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument(
        "--role", choices=["orchestrate", "seed", "probe"], default="orchestrate", help=argparse.SUPPRESS
    )
    return parser.parse_args()


def _seed_mentor(mentor, students, *, lines: int, now) -> int:
    """Sessions (capture, release, TDS: five entries on the mentor's accounts each) and tips (tip, TDS: three), over
    a year."""
    import datetime as dt
    import uuid

    from payments.ledger import ledger_account, mentor_share
    from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment
    from payments.tax import tds_amount

    kind, txn_kind = LedgerAccount.Kind, LedgerTransaction.Kind
    gateway, revenue = ledger_account(kind.GATEWAY), ledger_account(kind.PLATFORM_REVENUE)
    escrow, payable = ledger_account(kind.ESCROW, mentor), ledger_account(kind.MENTOR_PAYABLE, mentor)
    tds_payable = ledger_account(kind.TDS_PAYABLE, mentor)
    plans, count = [], 0
    while count < lines:
        is_tip = len(plans) % 10 == 9
        plans.append(is_tip)
        count += 3 if is_tip else 5
    step = dt.timedelta(days=365) / len(plans)
    payments = Payment.objects.bulk_create(
        [
            Payment(
                payer=students[index % len(students)],
                payee=mentor,
                purpose="tip" if is_tip else "booking",
                reference_id=index + 1,
                description="Tip" if is_tip else "Career counselling",
                amount_paise=TIP_PAISE if is_tip else PRICE_PAISE,
                holds_in_escrow=not is_tip,
                receipt=f"bench_{uuid.uuid4().hex}"[:40],
                razorpay_order_id=f"order_{uuid.uuid4().hex}"[:40],
                razorpay_payment_id=f"pay_{uuid.uuid4().hex}"[:40],
                status=Payment.Status.CAPTURED,
                captured_at=now - step * (len(plans) - index),
            )
            for index, is_tip in enumerate(plans)
        ]
    )
    txns, legs = [], []
    for payment in payments:
        price, share = payment.amount_paise, mentor_share(payment.amount_paise)
        withheld = tds_amount(share, 10)
        if payment.holds_in_escrow:
            steps = [
                (txn_kind.CAPTURE, [(gateway, price), (escrow, -price)]),
                (txn_kind.RELEASE, [(escrow, price), (payable, -share), (revenue, share - price)]),
                (txn_kind.TDS, [(payable, withheld), (tds_payable, -withheld)]),
            ]
        else:
            withheld = tds_amount(price, 10)
            steps = [
                (txn_kind.TIP, [(gateway, price), (payable, -price)]),
                (txn_kind.TDS, [(payable, withheld), (tds_payable, -withheld)]),
            ]
        for offset, (txn, entries) in enumerate(steps):
            txns.append(LedgerTransaction(kind=txn, payment=payment, memo="bench"))
            legs.append((entries, payment.captured_at + dt.timedelta(hours=offset)))
    created = LedgerTransaction.objects.bulk_create(txns)
    for txn, (_entries, at) in zip(created, legs, strict=True):
        txn.created_at = at
    LedgerTransaction.objects.bulk_update(created, ["created_at"], batch_size=2000)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=txn, account=account, amount_paise=amount)
            for txn, (entries, _at) in zip(created, legs, strict=True)
            for account, amount in entries
        ],
        batch_size=5000,
    )
    return LedgerEntry.objects.filter(account__owner=mentor).count()


def seed_role(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from payments.models import MentorPayoutDetails
    from tests.factories import MentorProfileFactory, UserFactory

    started = time.perf_counter()
    now = timezone.now()
    students = [UserFactory() for _ in range(40)]
    mentor = MentorProfileFactory(user__email=MENTOR_EMAIL, user__full_name="రవి కుమార్", user__ui_language="en").user
    MentorPayoutDetails.objects.create(
        mentor=mentor, account_holder_name="Ravi", upi_id="ravi@okaxis", pan="ABCPE1234F"
    )
    lines = _seed_mentor(mentor, students, lines=args.lines, now=now)
    for _ in range(args.other_mentors):
        _seed_mentor(MentorProfileFactory().user, students, lines=300, now=now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: the bench mentor with {lines} ledger lines over a year; "
        f"{args.other_mentors} other mentors with ~300 each",
        flush=True,
    )


def probe_role(args: argparse.Namespace) -> None:
    """With the server's settings: the cookie, each scenario's queries, and the statement PDF timings, as JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from payments.models import LedgerEntry
    from payments.statements import IST, statement_generate, statement_pdf_bytes

    mentor = User.objects.get(email=MENTOR_EMAIL)
    result: dict = {"cookie": session_cookie(mentor), "queries": {}}
    for scenario, (path, headers) in SCENARIOS.items():
        client = Client()
        client.force_login(mentor)
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        result["queries"][scenario] = len(queries)

    busiest = (
        LedgerEntry.objects.filter(account__owner=mentor, transaction__created_at__lt=timezone.now().replace(day=1))
        .annotate(month=TruncMonth("transaction__created_at", tzinfo=IST))
        .values("month")
        .annotate(lines=Count("id"))
        .order_by("-lines")
        .first()
    )
    month = busiest["month"].date()
    started = time.perf_counter()
    statement = statement_generate(mentor=mentor, month=month)
    snapshot_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    size = len(statement_pdf_bytes(statement))
    first_ms = (time.perf_counter() - started) * 1000
    timings, cpu = [], []
    for _ in range(args.statements):
        started, started_cpu = time.perf_counter(), time.process_time()
        statement_pdf_bytes(statement)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    result["statement"] = {
        "month": month.isoformat(),
        "lines": len(statement.data["lines"]),
        "snapshot_ms": snapshot_ms,
        "size_kib": size / 1024,
        "first_ms": first_ms,
        "mean_ms": statistics.mean(timings),
        "max_ms": max(timings),
        "cpu_ms": statistics.mean(cpu),
    }
    print(json.dumps(result))


def child(env: dict[str, str], role: str, args: argparse.Namespace) -> str:
    command = [
        sys.executable, __file__, "--role", role, "--lines", str(args.lines),
        "--other-mentors", str(args.other_mentors), "--statements", str(args.statements),
    ]  # fmt: skip
    return subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    args = parse_args()
    if args.role == "seed":
        return seed_role(args)
    if args.role == "probe":
        return probe_role(args)
    static_root = tempfile.mkdtemp(prefix="peerlearn-bench-static-")
    env = server_env(argparse.Namespace(database_url="", redis_url=args.redis_url), static_root, 0)
    env.update(DATABASE_URL=DATABASE_URL, CACHE_KEY_PREFIX="peerlearn-bench-earnings")
    print(f"database {DATABASE_URL}; redis {args.redis_url}; {os.cpu_count()} CPUs", flush=True)
    if not args.reuse_database:
        recreate_database(DATABASE_URL)
        manage(env, "migrate", "--no-input")
        seed_env = {**env, "PEERLEARN_ENV": "test", "DJANGO_SETTINGS_MODULE": "mentorship.settings"}
        print(child(seed_env, "seed", args).strip(), flush=True)
    manage(env, "collectstatic", "--no-input")
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
        results: dict[str, list[LoadResult]] = {scenario: [] for scenario in SCENARIOS}
        cpu: dict[str, float] = dict.fromkeys(SCENARIOS, 0.0)
        per_round = max(1, args.requests // args.rounds)
        for _scenario, (path, extra) in SCENARIOS.items():  # warm every worker's connections and templates
            headers = {"Cookie": probe["cookie"], **extra}
            run_load(host="127.0.0.1", port=port, path=path, clients=args.clients, total_requests=50, headers=headers)
        for _round in range(args.rounds):
            for scenario, (path, extra) in SCENARIOS.items():
                headers = {"Cookie": probe["cookie"], **extra}
                before = workers_cpu_s(server.pid)
                results[scenario].append(
                    run_load(
                        host="127.0.0.1",
                        port=port,
                        path=path,
                        clients=args.clients,
                        total_requests=per_round,
                        headers=headers,
                    )
                )
                cpu[scenario] += workers_cpu_s(server.pid) - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{'scenario':<20} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'CPU ms':>8} {'queries':>8} {'errors':>7}")
    verdicts = []
    for scenario, rounds in results.items():
        merged = LoadResult(
            latencies_ms=[ms for result in rounds for ms in result.latencies_ms],
            errors=sum(result.errors for result in rounds),
            elapsed_s=sum(result.elapsed_s for result in rounds),
        )
        print(
            f"{scenario:<20} {merged.p50:8.1f} {merged.p95:8.1f} {merged.throughput:8.0f} "
            f"{cpu[scenario] * 1000 / max(1, merged.requests):8.1f} {probe['queries'][scenario]:8d} {merged.errors:7d}"
        )
        if scenario != "bare":
            verdicts.append((scenario, merged.p95))
    for scenario, p95 in verdicts:
        print(f"{scenario}: p95 {p95:.1f} ms {'≤' if p95 <= TARGET_P95_MS else '>'} {TARGET_P95_MS} ms target")
    s = probe["statement"]
    print(
        f"statement PDF for {s['month'][:7]} ({s['lines']} lines, {s['size_kib']:.1f} KiB): snapshot "
        f"{s['snapshot_ms']:.0f} ms; first render {s['first_ms']:.0f} ms; then mean {s['mean_ms']:.0f} ms, "
        f"max {s['max_ms']:.0f} ms per PDF (CPU {s['cpu_ms']:.0f} ms)"
    )
    print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
