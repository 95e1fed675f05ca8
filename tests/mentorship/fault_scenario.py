"""The money flows of the fault-injection suite, run inside the app's own environment (private PostgreSQL and Redis):
``python manage.py shell -c "from tests.mentorship.fault_scenario import run; run('<step>', '<json args>')"``.
Each step prints one JSON line for the test to read."""

import datetime as dt
import json
import os
import urllib.request
import zoneinfo

from django.db.models import Count, Sum

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def _checkout(order_id: str) -> dict:
    """The customer pays in (the fake) Checkout: an authorised attempt, signed as Razorpay signs it."""
    request = urllib.request.Request(
        f"{os.environ['RAZORPAY_BASE_URL']}/_test/orders/{order_id}/pay",
        data=b"{}",
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def book(count: int) -> dict:
    """A mentor and ``count`` students, each with a confirmed 1:1 booking paid through the SDK."""
    from django.utils import timezone

    from payments.services import payment_verify_callback
    from sessions_app import services
    from tests.factories import language, mentor_with_weekly_hours, student_with_profile

    mentor = mentor_with_weekly_hours()
    day = timezone.now().astimezone(KOLKATA).date() + dt.timedelta(days=3)
    bookings = []
    for index in range(count):
        start = dt.datetime.combine(day + dt.timedelta(days=index // 6), dt.time(10 + index % 6), tzinfo=KOLKATA)
        booking = services.booking_hold_one_to_one(
            student=student_with_profile(languages=("hi",)),
            mentor=mentor,
            starts_at=start.astimezone(dt.UTC),
            duration_minutes=60,
            session_type="career_counselling",
            language=language("hi"),
            questionnaire=services.Questionnaire(purpose="Maths"),
        )
        payment = services.booking_start_payment(booking=booking)
        payment_verify_callback(payment=payment, **_checkout(payment.razorpay_order_id))
        bookings.append(booking.pk)
    return {"bookings": bookings, "mentor": mentor.slug}


def cancel(bookings: list[int]) -> dict:
    """The students cancel days ahead: a full refund each, and notices to both sides."""
    from sessions_app import services
    from sessions_app.models import Booking

    for booking in Booking.objects.filter(pk__in=bookings).select_related("student", "session"):
        services.booking_cancel(booking=booking, actor=booking.student)
    return {"cancelled": bookings}


def report() -> dict:
    from accounts.models import Notification
    from outbox.models import OutboxMessage
    from payments.models import LedgerAccount, LedgerEntry, Payment, Refund
    from sessions_app.models import Booking

    duplicates = (
        Notification.objects.values("recipient", "kind", "params", "link")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    gateway = LedgerEntry.objects.filter(account__kind=LedgerAccount.Kind.GATEWAY).aggregate(t=Sum("amount_paise"))
    return {
        "pending": OutboxMessage.objects.filter(done_at__isnull=True).count(),
        "failed": OutboxMessage.objects.filter(failed_at__isnull=False).count(),
        "notifications": Notification.objects.count(),
        "duplicate_notifications": duplicates,
        "cancelled": list(
            Booking.objects.filter(status__in=[Booking.Status.CANCELLED, Booking.Status.REFUNDED]).values_list(
                "pk", flat=True
            )
        ),
        "refunds": list(Refund.objects.values_list("payment__reference_id", "amount_paise", "status")),
        "refund_due": dict(Booking.objects.filter(refund_paise__gt=0).values_list("pk", "refund_paise")),
        "captured_paise": Payment.objects.filter(status="captured").aggregate(t=Sum("amount_paise"))["t"] or 0,
        "ledger_sum": LedgerEntry.objects.aggregate(t=Sum("amount_paise"))["t"] or 0,
        "gateway_balance": gateway["t"] or 0,
    }


def run(step: str, arguments: str = "null") -> None:
    steps = {"book": book, "cancel": cancel, "report": report}
    args = json.loads(arguments)
    result = steps[step](args) if args is not None else steps[step]()
    print("RESULT " + json.dumps(result, default=str), flush=True)
