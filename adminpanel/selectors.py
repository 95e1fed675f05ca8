"""Reads of the staff side and of the help centre; each page a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from adminpanel.models import (
    AccountAction,
    DailyMetric,
    ModerationReport,
    PlatformFeedback,
    QualityReview,
    Ticket,
    TicketMessage,
)
from payments.models import Payment, Refund
from sessions_app.models import Booking, Dispute

LINKED_ROWS = 10


def ticket_queue(
    *,
    status: str | None = None,
    priority: int | None = None,
    category: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    language_code: str | None = None,
    breached: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Ticket]:
    """The staff queue: emergencies first, then by priority and how soon the first response is due.
    Without a status: everything not yet closed or resolved."""
    now = now or timezone.now()
    tickets = Ticket.objects.select_related("requester", "assignee")
    if status:
        tickets = tickets.filter(status=status)
    else:
        tickets = tickets.filter(status__in=[Ticket.Status.OPEN, Ticket.Status.WAITING_ON_USER])
    if priority:
        tickets = tickets.filter(priority=priority)
    if category:
        tickets = tickets.filter(category=category)
    if unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee_id:
        tickets = tickets.filter(assignee_id=assignee_id)
    if language_code:
        tickets = tickets.filter(language_code=language_code)
    if breached:
        tickets = tickets.filter(Ticket.breached_q(now))
    return tickets.order_by("-is_emergency", "priority", "first_response_due_at", "pk")


def support_staff() -> QuerySet[User]:
    return User.objects.filter(is_staff=True, is_active=True, role__in=[User.Role.SUPPORT, User.Role.ADMIN]).order_by(
        "full_name"
    )


def _messages(*, include_internal: bool) -> Prefetch:
    messages = TicketMessage.objects.select_related("author").prefetch_related("attachments")
    if not include_internal:
        messages = messages.filter(is_internal=False)
    return Prefetch("messages", queryset=messages)


def ticket_for_staff(ticket_id: int) -> Ticket:
    try:
        return (
            Ticket.objects.select_related("requester", "assignee", "booking__session", "payment", "session")
            .prefetch_related(_messages(include_internal=True))
            .get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise Http404 from None


def tickets_for_user(user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(requester=user).order_by("-created_at")


def ticket_for_user(user: User, ticket_uuid) -> Ticket:
    """A requester's own ticket, without staff notes; 404 for anyone else's (never reveal that it exists)."""
    ticket = (
        Ticket.objects.filter(requester=user, uuid=ticket_uuid)
        .select_related("booking__session", "payment")
        .prefetch_related(_messages(include_internal=False))
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@dataclass
class RequesterLinks:
    bookings: list[Booking]
    payments: list[Payment]
    tickets: list[Ticket]
    actions: list[AccountAction]


def requester_links(user: User | None, *, exclude_ticket_id: int) -> RequesterLinks:
    """What support needs about the requester: their recent bookings, payments (amounts and states only, never
    payout details) and earlier tickets."""
    if user is None:
        return RequesterLinks([], [], [], [])
    return RequesterLinks(
        bookings=list(
            Booking.objects.filter(Q(student=user) | Q(session__mentor=user))
            .select_related("session", "student")
            .order_by("-created_at")[:LINKED_ROWS]
        ),
        payments=list(Payment.objects.filter(payer=user).order_by("-created_at")[:LINKED_ROWS]),
        tickets=list(tickets_for_user(user).exclude(pk=exclude_ticket_id)[:LINKED_ROWS]),
        actions=list(AccountAction.objects.filter(user=user).select_related("actor")[:LINKED_ROWS]),
    )


def user_bookings_for_tickets(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(student=user).select_related("session").order_by("-created_at")[:20]


def user_payments_for_tickets(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(payer=user).order_by("-created_at")[:20]


def support_counts(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    waiting = Q(status__in=[Ticket.Status.OPEN, Ticket.Status.WAITING_ON_USER])
    return Ticket.objects.aggregate(
        open=Count("pk", filter=Q(status=Ticket.Status.OPEN)),
        emergencies=Count("pk", filter=waiting & Q(is_emergency=True)),
        breached=Count("pk", filter=waiting & Ticket.breached_q(now)),
    ) | {
        "quality": QualityReview.objects.filter(decided_at__isnull=True).count(),
        "reports": ModerationReport.objects.filter(status=ModerationReport.Status.OPEN).count(),
    }


# --- quality reviews -----------------------------------------------------------------------------


def quality_queue(*, decided: bool = False) -> QuerySet[QualityReview]:
    return (
        QualityReview.objects.filter(decided_at__isnull=not decided)
        .select_related("mentor", "session")
        .order_by("created_at", "pk")
    )


def quality_review_detail(review_id: int) -> QualityReview:
    try:
        return QualityReview.objects.select_related("mentor", "session", "decided_by").get(pk=review_id)
    except QualityReview.DoesNotExist:
        raise Http404 from None


def mentor_quality_metrics(mentor: User, now: dt.datetime | None = None) -> dict:
    """The numbers a reviewer weighs: rating trend, completion, no-shows, complaints and refunds (30 days)."""
    from adminpanel.services.quality import PERIOD, completion_counts, no_show_counts, recent_ratings

    now = now or timezone.now()
    since = now - PERIOD
    ratings = recent_ratings([mentor.pk]).get(mentor.pk, [])
    counts = completion_counts(since, now, [mentor.pk]).get(mentor.pk, {"held": 0, "lost": 0})
    total = counts["held"] + counts["lost"]
    return {
        "ratings": list(reversed(ratings)),
        "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "held": counts["held"],
        "lost": counts["lost"],
        "completion_rate": round(100 * counts["held"] / total) if total else None,
        "no_shows": no_show_counts(since, [mentor.pk]).get(mentor.pk, 0),
        "complaints": Dispute.objects.filter(booking__session__mentor=mentor, created_at__gte=since).count(),
        "refunds": Refund.objects.filter(payment__payee=mentor, created_at__gte=since).count(),
    }


def open_actions_for(mentor: User) -> list[QualityReview]:
    """Warnings and training requirements the mentor has not acknowledged yet (shown on their dashboard)."""
    return list(
        QualityReview.objects.filter(
            mentor=mentor,
            outcome__in=[QualityReview.Outcome.WARNING, QualityReview.Outcome.TRAINING],
            decided_at__isnull=False,
            acknowledged_at__isnull=True,
        ).order_by("-decided_at")
    )


def recent_feedback() -> QuerySet[PlatformFeedback]:
    return PlatformFeedback.objects.select_related("user", "session").order_by("-created_at")


def moderation_queue(*, status: str = "open") -> QuerySet[ModerationReport]:
    return (
        ModerationReport.objects.filter(status=status)
        .select_related("reporter", "reported_user", "review", "message", "direct_message")
        .order_by("created_at", "pk")
    )


def moderation_report(report_id: int) -> ModerationReport:
    try:
        return ModerationReport.objects.select_related(
            "reporter",
            "reported_user",
            "review__session",
            "message__session",
            "direct_message__thread__student",
            "direct_message__thread__mentor",
            "decided_by",
        ).get(pk=report_id)
    except ModerationReport.DoesNotExist:
        raise Http404 from None


# --- analytics (reads only the daily rollups) ----------------------------------------------------

SUMMED_METRICS = (
    "signups",
    "verified",
    "onboarded",
    "first_booking",
    "second_booking",
    "active_students",
    "active_mentors",
    "bookings",
    "completed",
    "cancelled",
    "no_shows",
    "mentor_no_shows",
    "gross_paise",
    "platform_paise",
    "refunds_paise",
    "tips_paise",
    "payouts_paise",
    "tickets",
    "tickets_breached",
)
SERIES_METRICS = ("signups", "bookings", "completed", "cancelled", "gross_paise", "refunds_paise")
PERIOD_SEGMENTS = ("ratings", "demand_language", "demand_level", "demand_subject")
SNAPSHOT_SEGMENTS = ("supply_language", "supply_level", "supply_subject")


@dataclass
class AnalyticsReport:
    start: dt.date
    end: dt.date
    days: int
    totals: dict[str, tuple[int, int]]  # metric -> (this period, previous period)
    series: dict[str, list[int]]  # metric -> one value per day of the period
    segments: dict[str, dict[str, int]]  # metric -> segment -> value

    @property
    def day_labels(self) -> list[str]:
        return [(self.start + dt.timedelta(days=n)).isoformat() for n in range(self.days)]


def analytics_report(*, end: dt.date, days: int, language_code: str = "", state: str = "") -> AnalyticsReport:
    """Four queries over `DailyMetric`, whatever the size of the live tables; without a filter they read only the
    "every language, every state" rows."""
    from adminpanel.services.analytics import ALL

    start = end - dt.timedelta(days=days - 1)
    previous_start = start - dt.timedelta(days=days)
    rows = DailyMetric.objects.filter(language_code=language_code or ALL, state=state or ALL)
    totals = {
        r["metric"]: (r["current"] or 0, r["previous"] or 0)
        for r in rows.filter(metric__in=SUMMED_METRICS, day__gte=previous_start, day__lte=end)
        .values("metric")
        .annotate(current=Sum("value", filter=Q(day__gte=start)), previous=Sum("value", filter=Q(day__lt=start)))
        .order_by()
    }
    series = {metric: [0] * days for metric in SERIES_METRICS}
    for r in (
        rows.filter(metric__in=SERIES_METRICS, day__gte=start, day__lte=end)
        .values("metric", "day")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        series[r["metric"]][(r["day"] - start).days] = r["v"]
    segments: dict[str, dict[str, int]] = {metric: {} for metric in (*PERIOD_SEGMENTS, *SNAPSHOT_SEGMENTS)}
    for r in (
        rows.filter(metric__in=PERIOD_SEGMENTS, day__gte=start, day__lte=end)
        .values("metric", "segment")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        segments[r["metric"]][r["segment"]] = r["v"]
    # Supply is a daily snapshot: the last rolled-up day of the period, not a sum.
    supply = rows.filter(metric__in=SNAPSHOT_SEGMENTS, day__gte=start, day__lte=end)
    latest = DailyMetric.objects.filter(
        metric="supply_language", language_code=ALL, state=ALL, day__gte=start, day__lte=end
    ).order_by("-day")
    for r in (
        supply.filter(day=Subquery(latest.values("day")[:1]))
        .values("metric", "segment")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        segments[r["metric"]][r["segment"]] = r["v"]
    return AnalyticsReport(start=start, end=end, days=days, totals=totals, series=series, segments=segments)
