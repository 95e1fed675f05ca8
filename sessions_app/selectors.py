"""Reads of sessions and bookings: permission-checked fetches, listings and histories.

Who may be in the live room, and when, is `sessions_app.room.services.room_access_check`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Language, User
from payments.charges import charge_for
from sessions_app import ics, policy
from sessions_app.models import Booking, Dispute, RescheduleRequest, Session, WaitlistEntry

# The purpose of booking payments and charges in `payments`.
PAYMENT_PURPOSE = "booking"

Interval = tuple[dt.datetime, dt.datetime]

def held_seat_q(now: dt.datetime, prefix: str = "") -> Q:
    """Bookings holding a seat or slot: confirmed, or waiting for payment within their hold."""
    return Q(**{f"{prefix}status": Booking.Status.CONFIRMED}) | Q(
        **{f"{prefix}status": Booking.Status.PENDING_PAYMENT, f"{prefix}hold_expires_at__gt": now}
    )


def occupying_sessions(now: dt.datetime) -> QuerySet[Session]:
    """Sessions that take their mentor's time: scheduled or live, and 1:1 slots held for a payment in time."""
    live_hold = Booking.objects.filter(
        session=OuterRef("pk"), status=Booking.Status.PENDING_PAYMENT, hold_expires_at__gt=now
    )
    return Session.objects.filter(
        Q(status__in=Session.OCCUPYING_STATUSES) | Q(kind=Session.Kind.ONE_TO_ONE, status=Session.Status.DRAFT)
    ).filter(~Q(status=Session.Status.DRAFT) | Exists(live_hold))


def mentor_busy_intervals(
    mentor_ids: list[int], start: dt.datetime, end: dt.datetime, exclude_session_ids: frozenset[int]
) -> dict[int, list[Interval]]:
    """The slot service's busy-intervals provider: keyed by mentor *profile* id, in UTC."""
    rows = (
        occupying_sessions(timezone.now())
        .filter(mentor__mentor_profile__in=mentor_ids, starts_at__lt=end, ends_at__gt=start)
        .exclude(pk__in=exclude_session_ids)
        .values_list("mentor__mentor_profile__id", "starts_at", "ends_at")
    )
    busy: dict[int, list[Interval]] = defaultdict(list)
    for mentor_id, starts_at, ends_at in rows:
        busy[mentor_id].append((starts_at, ends_at))
    return dict(busy)


def seats_taken(session: Session, now: dt.datetime) -> int:
    return session.bookings.filter(held_seat_q(now)).count()


def with_seats_taken(queryset: QuerySet[Session], now: dt.datetime) -> QuerySet[Session]:
    return queryset.annotate(seats_taken=Count("bookings", filter=held_seat_q(now, "bookings__")))


# --- the room ------------------------------------------------------------------------------------


# --- permission-checked fetches ---------------------------------------------------------------


def _booking_queryset() -> QuerySet[Booking]:
    return Booking.objects.select_related(
        "session", "session__mentor", "session__mentor__mentor_profile", "session__language", "student", "payment"
    )


def get_booking_for_user(user: User, booking_uuid) -> Booking:
    """The booking, if `user` is its student, the session's mentor or support staff; 404 / 403 otherwise."""
    try:
        booking = _booking_queryset().get(uuid=booking_uuid)
    except Booking.DoesNotExist:
        raise Http404 from None
    if user.pk not in (booking.student_id, booking.session.mentor_id) and not user.is_support_staff:
        raise PermissionDenied
    return booking


def get_hosted_session(user: User, session_uuid) -> Session:
    """A session the user hosts (or any session, for support staff)."""
    try:
        session = Session.objects.select_related("mentor", "language").get(uuid=session_uuid)
    except Session.DoesNotExist:
        raise Http404 from None
    if session.mentor_id != user.pk and not user.is_support_staff:
        raise PermissionDenied
    return session


def get_public_group_session(session_uuid, now: dt.datetime) -> Session:
    """A group session anyone may see: published (scheduled, live, completed or cancelled), never a draft."""
    queryset = with_seats_taken(
        Session.objects.filter(kind=Session.Kind.GROUP).exclude(status=Session.Status.DRAFT), now
    ).select_related("mentor", "mentor__mentor_profile", "language")
    try:
        return queryset.get(uuid=session_uuid)
    except Session.DoesNotExist:
        raise Http404 from None


# --- listings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSessionFilters:
    category: str = ""
    language: str = ""
    price: str = ""  # "free", "paid" or ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    query: str = ""


def group_sessions_listing(filters: GroupSessionFilters, *, now: dt.datetime, tz: dt.tzinfo) -> QuerySet[Session]:
    """Upcoming published group sessions, soonest first, with `seats_taken`."""
    queryset = Session.objects.filter(
        kind=Session.Kind.GROUP, status__in=Session.OCCUPYING_STATUSES, ends_at__gt=now
    ).select_related("mentor", "mentor__mentor_profile", "language")
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.language:
        queryset = queryset.filter(language__code=filters.language)
    if filters.price == "free":
        queryset = queryset.filter(price_paise=0)
    elif filters.price == "paid":
        queryset = queryset.filter(price_paise__gt=0)
    if filters.date_from:
        queryset = queryset.filter(starts_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(starts_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=tz))
    if filters.query:
        queryset = queryset.filter(
            Q(title__icontains=filters.query)
            | Q(skills__icontains=filters.query)
            | Q(description__icontains=filters.query)
        )
    return with_seats_taken(queryset, now).order_by("starts_at", "pk")


def _history_queryset() -> QuerySet[Booking]:
    return _booking_queryset().prefetch_related(
        Prefetch(
            "reschedule_requests",
            queryset=RescheduleRequest.objects.filter(status=RescheduleRequest.Status.PENDING),
            to_attr="pending_reschedules",
        ),
        Prefetch("disputes", queryset=Dispute.objects.filter(status=Dispute.Status.OPEN), to_attr="open_disputes"),
    )


def student_upcoming_bookings(student: User, now: dt.datetime) -> QuerySet[Booking]:
    """A student's active bookings that have not ended yet, soonest first."""
    return (
        _history_queryset()
        .filter(student=student, status__in=Booking.ACTIVE_STATUSES, session__ends_at__gt=now)
        .filter(held_seat_q(now))
        .order_by("session__starts_at")
    )


def student_bookings(student: User, now: dt.datetime) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, past) bookings of a student: upcoming are active ones not yet ended, soonest first."""
    bookings = _history_queryset().filter(student=student)
    upcoming = student_upcoming_bookings(student, now)
    past = bookings.exclude(pk__in=upcoming.values("pk")).exclude(
        status=Booking.Status.CANCELLED, cancellation_reason__in=[Booking.CancelReason.HOLD_EXPIRED]
    ).order_by("-session__starts_at")[:100]
    return list(upcoming), list(past)


def mentor_bookings(mentor: User, now: dt.datetime) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, past) bookings of the sessions a mentor hosts (held ones are not shown until paid)."""
    bookings = _history_queryset().filter(session__mentor=mentor).exclude(status=Booking.Status.PENDING_PAYMENT)
    upcoming = bookings.filter(status=Booking.Status.CONFIRMED, session__ends_at__gt=now).order_by(
        "session__starts_at"
    )
    past = (
        bookings.exclude(pk__in=upcoming.values("pk"))
        .exclude(status=Booking.Status.CANCELLED, confirmed_at__isnull=True)
        .order_by("-session__starts_at")[:100]
    )
    return list(upcoming), list(past)


def mentor_group_sessions(mentor: User, now: dt.datetime) -> list[Session]:
    queryset = Session.objects.filter(mentor=mentor, kind=Session.Kind.GROUP).select_related("language")
    return list(with_seats_taken(queryset, now).order_by("-starts_at")[:200])


def session_roster(session: Session) -> list[Booking]:
    """Confirmed (and finished) bookings of a session, for its mentor."""
    return list(
        session.bookings.filter(
            status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW]
        ).select_related("student").order_by("student__full_name")
    )


def waiting_count(session: Session) -> int:
    return session.waitlist_entries.filter(status=WaitlistEntry.Status.WAITING).count()


def open_waitlist_entry(session: Session, student: User) -> WaitlistEntry | None:
    return session.waitlist_entries.filter(
        student=student, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
    ).first()


def active_booking_of(session: Session, student: User) -> Booking | None:
    return session.bookings.filter(student=student, status__in=Booking.ACTIVE_STATUSES).first()


def previous_bookings_with(student: User, mentor: User) -> list[Booking]:
    """Completed bookings of the student with this mentor, newest first: what a new booking may follow up on."""
    return list(
        Booking.objects.filter(student=student, session__mentor=mentor, status=Booking.Status.COMPLETED)
        .select_related("session")
        .order_by("-session__starts_at")[:20]
    )


def common_languages(student: User, mentor: User) -> list[Language]:
    """Languages both speak (primary language included), mentor's first; all the mentor's if the student named none."""
    mentor_languages = {lang.pk: lang for lang in mentor.languages.all()}
    if mentor.primary_language_id and mentor.primary_language:
        mentor_languages.setdefault(mentor.primary_language_id, mentor.primary_language)
    student_ids = {lang.pk for lang in student.languages.all()}
    if student.primary_language_id:
        student_ids.add(student.primary_language_id)
    if not student_ids:
        return sorted(mentor_languages.values(), key=lambda lang: (lang.sort_order, lang.name))
    shared = [lang for pk, lang in mentor_languages.items() if pk in student_ids]
    return sorted(shared, key=lambda lang: (lang.sort_order, lang.name))


def default_language(student: User, languages: list[Language]) -> Language | None:
    """The student's primary language if both speak it, else the first language they share."""
    for lang in languages:
        if lang.pk == student.primary_language_id:
            return lang
    return languages[0] if languages else None


def feed_entries(user: User, now: dt.datetime) -> tuple[list[Booking], list[tuple[Session, str]]]:
    """What a user's calendar feed shows: their bookings and hosted sessions from 30 days ago on."""
    since = now - dt.timedelta(days=30)
    bookings = list(
        _booking_queryset().filter(
            student=user,
            session__starts_at__gte=since,
            status__in=[
                Booking.Status.CONFIRMED,
                Booking.Status.COMPLETED,
                Booking.Status.NO_SHOW,
                Booking.Status.CANCELLED,
                Booking.Status.REFUNDED,
            ],
            confirmed_at__isnull=False,
        )
    )
    hosted_sessions = list(
        Session.objects.filter(mentor=user, starts_at__gte=since)
        .exclude(status=Session.Status.DRAFT)
        .select_related("mentor")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(confirmed_at__isnull=False).select_related("student"),
                to_attr="confirmed_bookings",
            )
        )
    )
    hosted: list[tuple[Session, str]] = []
    for session in hosted_sessions:
        if not session.is_group and not session.confirmed_bookings:
            continue
        counterpart = "" if session.is_group else session.confirmed_bookings[0].student.full_name
        hosted.append((session, counterpart))
    return bookings, hosted


def refund_decision(booking: Booking, *, actor: User, now: dt.datetime) -> policy.RefundQuote:
    """What cancelling the booking now refunds: what `booking_cancel` applies and what the pages show before the
    user confirms."""
    if booking.status != Booking.Status.CONFIRMED or not booking.is_paid:
        return policy.RefundQuote(tier=policy.RefundTier.NONE, amount_paise=0)
    by_host = actor.pk == booking.session.mentor_id or actor.is_support_staff
    # Money comes back out of what was paid in cash; credits and a discount that covered the rest come back
    # through `payments.charges.charge_cancel` by the same tier.
    charge = charge_for(PAYMENT_PURPOSE, booking.pk)
    paid = charge.cash_paise if charge is not None else booking.price_paise
    return policy.refund_quote(paid_paise=paid, starts_at=booking.session.starts_at, now=now, by_host=by_host)


def mentor_session_stats(mentor_profile_id: int) -> dict[str, int]:
    """The mentors app's stats provider: sessions this mentor has completed."""
    completed = Session.objects.filter(
        mentor__mentor_profile=mentor_profile_id, status=Session.Status.COMPLETED
    ).count()
    return {"total_sessions": completed}


def session_heading(session: Session, *, viewer: User, student: User | None = None) -> str:
    """The session's title as `viewer` reads it, in the active language: a group session's own (typed) title; for a
    1:1 session its type with the other person's name (the student for the mentor, the mentor for the student).
    Pass the 1:1 session's `student` when at hand to save the mentor's view a query."""
    if session.is_group:
        return session.title
    counterpart: User | None = session.mentor
    if viewer.pk == session.mentor_id:
        counterpart = student or None
        if counterpart is None:
            booking = session.bookings.select_related("student").order_by("-created_at").first()
            counterpart = booking.student if booking else None
    return ics.session_summary(session, counterpart_name=counterpart.full_name if counterpart else "")
