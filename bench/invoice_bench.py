"""Benchmark of invoice PDFs: milliseconds to render one tax invoice with WeasyPrint, as the Celery worker does.

    .venv/bin/python bench/invoice_bench.py [--documents 50] [--language hi]

Builds the snapshot of a ₹1,23,456 booking paid by a student with a Devanagari name to a mentor with a Telugu one
(the same code as a capture, ``payments.invoices``, on unsaved rows: no database), then renders it to PDF bytes
``--documents`` times in this process, as a long-lived worker would. The first render (fonts loaded, Pango warmed
up) is reported apart from the steady state, and CPU time beside wall time, since on a shared machine the wall
time mostly measures the wait for a core. Target: ≤ 300 ms per invoice PDF in the worker.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
os.environ.setdefault("PEERLEARN_ENV", "test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--language", default="hi", choices=["en", "hi", "te"])
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from payments.invoices import _snapshot, invoice_pdf_bytes
    from payments.models import Invoice, Payment

    buyer = User(full_name="प्रिया सिंह", email="priya@example.com", state="Maharashtra")
    mentor = User(full_name="రవి కుమార్", email="ravi@example.com")
    payment = Payment(
        payer=buyer,
        payee=mentor,
        purpose="booking",
        description="Career counselling with రవి కుమార్",
        amount_paise=1_23_456_00,
        razorpay_payment_id="pay_BenchInvoice0001",
    )
    now = timezone.now()
    number = "PL/2026-27/000123"
    invoice = Invoice(
        kind=Invoice.Kind.INVOICE,
        number=number,
        language=args.language,
        total_paise=payment.amount_paise,
        issued_at=now,
        data=_snapshot(payment=payment, amount_paise=payment.amount_paise, number=number, issued_at=now,
                       extra={"kind": Invoice.Kind.INVOICE}),
    )

    started = time.perf_counter()
    size = len(invoice_pdf_bytes(invoice))
    first_ms = (time.perf_counter() - started) * 1000
    timings, cpu = [], []
    for _ in range(args.documents):
        started, started_cpu = time.perf_counter(), time.process_time()
        invoice_pdf_bytes(invoice)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"invoice PDF ({args.language}, {size / 1024:.1f} KiB): first {first_ms:.0f} ms; "
          f"then {args.documents} renders: mean {statistics.mean(timings):.0f} ms, "
          f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms per PDF; "
          f"CPU time mean {statistics.mean(cpu):.0f} ms per PDF (wall time includes waiting for a busy CPU)")


if __name__ == "__main__":
    main()
