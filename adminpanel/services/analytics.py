"""The daily analytics rollup: each day's numbers computed from the live tables once, into `DailyMetric`.

Idempotent (a day's rows are replaced in one transaction) and backfillable (`analytics_backfill`). Days are
calendar days in India (the platform's market), whatever the server's zone.
"""

import datetime as dt
import zoneinfo
from collections import Counter
from typing import cast

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import User
from adminpanel.models import DailyMetric, Ticket
from matching.models import MentorSearchDocument
from payments.models import Payout
from sessions_app.models import Booking, MentorNoShow, Review, Session, Tip

ANALYTICS_ZONE = zoneinfo.ZoneInfo("Asia/Kolkata")
CANCELLATIONS = [
    Booking.CancelReason.STUDENT,
    Booking.CancelReason.MENTOR,
    Booking.CancelReason.SUPPORT,
    Booking.CancelReason.SESSION_CANCELLED,
]
HELD = [Booking.Status.CONFIRMED, Booking.Status.COMPLETED]
# Rows for "every language" and "every state" are written too, so the dashboard reads a handful of rows per day
# instead of summing thousands of language × state rows per request.
ALL = "*"
DISTINCT_METRICS = ("active_students", "active_mentors")


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=ANALYTICS_ZONE)
    return start, start + dt.timedelta(days=1)


def _grouped(day, metric, queryset, *, language, state, segment=None, value=None) -> list[DailyMetric]:
    """One row per (language, state, segment) group of `queryset`, valued by `value` (a count by default)."""
    text = CharField()
    annotated = queryset.annotate(
        dim_l=Coalesce(language, Value(""), output_field=text),
        dim_s=Coalesce(state, Value(""), output_field=text),
        dim_g=Coalesce(Cast(segment, text), Value("")) if segment is not None else Value("", output_field=text),
    ).values("dim_l", "dim_s", "dim_g")
    rows = annotated.annotate(dim_v=value if value is not None else Count("pk")).order_by()
    return [
        DailyMetric(
            day=day, metric=metric, language_code=r["dim_l"], state=r["dim_s"], segment=r["dim_g"], value=r["dim_v"]
        )
        for r in rows
        if r["dim_v"]
    ]


def _signup_funnel(day: dt.date, start: dt.datetime, end: dt.datetime) -> list[DailyMetric]:
    """The cohort of students who signed up that day, and how far each has got by now."""
    held_bookings = (
        Booking.objects.filter(student=OuterRef("pk"), status__in=HELD)
        .order_by()
        .values("student")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cohort = (
        User.objects.filter(role=User.Role.STUDENT, date_joined__gte=start, date_joined__lt=end)
        .annotate(
            verified=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            held=Coalesce(Subquery(held_bookings, output_field=IntegerField()), 0),
        )
        .annotate(dim_l=Coalesce(F("primary_language__code"), Value("")), dim_s=F("state"))
        .values("dim_l", "dim_s")
        .annotate(
            signups=Count("pk"),
            verified_n=Count("pk", filter=Q(verified=True)),
            onboarded=Count("pk", filter=Q(student_profile__onboarding_completed_at__isnull=False)),
            first_booking=Count("pk", filter=Q(held__gte=1)),
            second_booking=Count("pk", filter=Q(held__gte=2)),
        )
        .order_by()
    )
    rows = []
    for group in cohort:
        counts = cast(dict[str, int], group)
        for metric, key in (
            ("signups", "signups"),
            ("verified", "verified_n"),
            ("onboarded", "onboarded"),
            ("first_booking", "first_booking"),
            ("second_booking", "second_booking"),
        ):
            if counts[key]:
                rows.append(
                    DailyMetric(
                        day=day, metric=metric, language_code=group["dim_l"], state=group["dim_s"], value=counts[key]
                    )
                )
    return rows


def _supply(day: dt.date) -> list[DailyMetric]:
    """Listed mentors that day (a snapshot: backfilled days get today's supply)."""
    counts: Counter = Counter()
    for languages, levels, subjects, state in MentorSearchDocument.objects.values_list(
        "languages", "levels_served", "subjects", "mentor__user__state"
    ).iterator():
        for code in set(languages):
            counts[("supply_language", code, state, code)] += 1
        for level in set(levels):
            counts[("supply_level", "", state, level)] += 1
        for subject in set(subjects):
            counts[("supply_subject", "", state, subject[:40])] += 1
    return [
        DailyMetric(day=day, metric=metric, language_code=code, state=state, segment=segment, value=n)
        for (metric, code, state, segment), n in counts.items()
    ]


def _platform_share():
    # Mirrors the ledger's split: the mentor gets total * 70 // 100, the platform the remainder.
    return Sum(F("price_paise") - F("price_paise") * 70 / 100)


def analytics_rows_for(day: dt.date, *, now: dt.datetime | None = None) -> list[DailyMetric]:
    now = now or timezone.now()
    start, end = day_bounds(day)
    session_lang, student_state = F("session__language__code"), F("student__state")
    confirmed = Booking.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end)
    completed = Booking.objects.filter(status=Booking.Status.COMPLETED, completed_at__gte=start, completed_at__lt=end)
    on_day = {"session__starts_at__gte": start, "session__starts_at__lt": end}
    rows = _signup_funnel(day, start, end)
    every = Value(ALL)
    active_students = Booking.objects.filter(status__in=HELD, **on_day)
    active_mentors = Session.objects.filter(
        status__in=[Session.Status.SCHEDULED, Session.Status.LIVE, Session.Status.COMPLETED],
        starts_at__gte=start,
        starts_at__lt=end,
    )
    # Distinct people cannot be added up across groups: each grouping is counted on its own.
    for language, state in (
        (session_lang, student_state),
        (session_lang, every),
        (every, student_state),
        (every, every),
    ):
        rows += _grouped(
            day,
            "active_students",
            active_students,
            language=language,
            state=state,
            value=Count("student", distinct=True),
        )
    mentor_lang, mentor_state = F("language__code"), F("mentor__state")
    for language, state in ((mentor_lang, mentor_state), (mentor_lang, every), (every, mentor_state), (every, every)):
        rows += _grouped(
            day,
            "active_mentors",
            active_mentors,
            language=language,
            state=state,
            value=Count("mentor", distinct=True),
        )
    rows += _grouped(day, "bookings", confirmed, language=session_lang, state=student_state)
    rows += _grouped(day, "completed", completed, language=session_lang, state=student_state)
    rows += _grouped(
        day,
        "cancelled",
        Booking.objects.filter(cancelled_at__gte=start, cancelled_at__lt=end, cancellation_reason__in=CANCELLATIONS),
        language=session_lang,
        state=student_state,
    )
    rows += _grouped(
        day,
        "no_shows",
        Booking.objects.filter(status=Booking.Status.NO_SHOW, **on_day),
        language=session_lang,
        state=student_state,
    )
    rows += _grouped(
        day,
        "mentor_no_shows",
        MentorNoShow.objects.filter(**on_day),
        language=session_lang,
        state=F("mentor__state"),
    )
    rows += _grouped(
        day,
        "gross_paise",
        confirmed.filter(price_paise__gt=0),
        language=session_lang,
        state=student_state,
        value=Sum("price_paise"),
    )
    rows += _grouped(
        day, "platform_paise", completed, language=session_lang, state=student_state, value=_platform_share()
    )
    rows += _grouped(
        day,
        "refunds_paise",
        Booking.objects.filter(refunded_at__gte=start, refunded_at__lt=end),
        language=session_lang,
        state=student_state,
        value=Sum("refund_paise"),
    )
    rows += _grouped(
        day,
        "tips_paise",
        Tip.objects.filter(status=Tip.Status.PAID, paid_at__gte=start, paid_at__lt=end),
        language=session_lang,
        state=student_state,
        value=Sum("amount_paise"),
    )
    rows += _grouped(
        day,
        "payouts_paise",
        Payout.objects.filter(status=Payout.Status.PROCESSED, processed_at__gte=start, processed_at__lt=end),
        language=Value(""),
        state=F("mentor__state"),
        value=Sum("amount_paise"),
    )
    rows += _grouped(
        day,
        "ratings",
        Review.objects.filter(created_at__gte=start, created_at__lt=end, hidden_at__isnull=True),
        language=F("language__code"),
        state=student_state,
        segment=F("rating"),
    )
    rows += _grouped(
        day, "demand_language", confirmed, language=session_lang, state=student_state, segment=session_lang
    )
    rows += _grouped(
        day,
        "demand_level",
        confirmed,
        language=Value(""),
        state=student_state,
        segment=F("student__student_profile__academic_level"),
    )
    rows += _grouped(
        day, "demand_subject", confirmed, language=Value(""), state=student_state, segment=F("session__category")
    )
    rows += _supply(day)
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    ticket_dims = {"language": F("language_code"), "state": F("requester__state")}
    rows += _grouped(day, "tickets", tickets, **ticket_dims)
    rows += _grouped(day, "tickets_breached", tickets.filter(Ticket.breached_q(now)), **ticket_dims)
    return rows + _totals(day, rows)


def _totals(day: dt.date, rows: list[DailyMetric]) -> list[DailyMetric]:
    """The "every language" / "every state" rows of the additive metrics."""
    sums: Counter = Counter()
    for row in rows:
        if row.metric in DISTINCT_METRICS:
            continue
        for language, state in ((ALL, row.state), (row.language_code, ALL), (ALL, ALL)):
            sums[(row.metric, language, state, row.segment)] += row.value
    return [
        DailyMetric(day=day, metric=metric, language_code=language, state=state, segment=segment, value=value)
        for (metric, language, state, segment), value in sums.items()
    ]


def analytics_rollup_day(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """Replace the day's rows (safe to run any number of times, for any past day)."""
    rows = analytics_rows_for(day, now=now)
    with transaction.atomic():
        DailyMetric.objects.filter(day=day).delete()
        DailyMetric.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def analytics_backfill(*, start: dt.date, end: dt.date) -> int:
    """Roll up every day from `start` to `end` inclusive."""
    written = 0
    day = start
    while day <= end:
        written += analytics_rollup_day(day=day)
        day += dt.timedelta(days=1)
    return written


def analytics_rollup_recent(*, days: int = 30, now: dt.datetime | None = None) -> int:
    """The nightly run: the last `days` days again, because signup cohorts keep moving down the funnel and
    ticket SLA breaches become known after the day they were opened."""
    today = (now or timezone.now()).astimezone(ANALYTICS_ZONE).date()
    return analytics_backfill(start=today - dt.timedelta(days=days), end=today)
