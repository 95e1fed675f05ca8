"""Who hears about what: booking events, group session events, reminders and reports (as notifications, which
reach each person in the app, by email or SMS as their preferences say)."""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Notification, User
from accounts.services import notification_raise
from outbox.services import effect_once
from sessions_app.models import Booking, Dispute, SentReminder, Session
from sessions_app.notification_kinds import booking_link, booking_params, hosted_link, session_params

REMINDER_LEADS = {
    SentReminder.Kind.DAY_BEFORE: dt.timedelta(hours=24),
    SentReminder.Kind.HOUR_BEFORE: dt.timedelta(hours=1),
}


def _raise(user: User, kind: str, params: dict, link: str, **options) -> None:
    """Raise a notification (the recipient's preferences pick its channels), once per recipient however often the
    task delivering it runs."""
    with effect_once(f"notice:{user.pk}:{kind}") as first:
        if first:
            notification_raise(recipient=user, kind=kind, params=params, link=link, **options)


def _student_kind(booking: Booking, event: str) -> tuple[str, dict] | None:
    extra: dict = {}
    if event == "cancelled":
        if booking.cancellation_note and booking.cancellation_reason != Booking.CancelReason.STUDENT:
            extra["reason"] = booking.cancellation_note
        if booking.refund_paise:
            extra["refund"] = booking.refund_paise
    elif event in ("waitlist_offer", "payment_failed"):
        extra["deadline"] = booking.hold_expires_at.isoformat() if booking.hold_expires_at else ""
    elif event in ("refunded", "late_payment_refunded"):
        extra = {"amount": booking.refund_paise, "late": event == "late_payment_refunded"}
    kinds = {
        "confirmed": "sessions.booking_confirmed",
        "rescheduled": "sessions.booking_rescheduled",
        "cancelled": "sessions.booking_cancelled",
        "waitlist_offer": "sessions.waitlist_offer",
        "payment_failed": "sessions.payment_failed",
        "refunded": "sessions.refund_sent",
        "late_payment_refunded": "sessions.refund_sent",
    }
    return (kinds[event], extra) if event in kinds else None


def _mentor_kind(booking: Booking, event: str) -> str | None:
    if booking.session.is_group:
        return "sessions.group_seat" if event in ("confirmed", "cancelled") else None
    return {
        "confirmed": "sessions.booking_received",
        "rescheduled": "sessions.booking_rescheduled",
        "cancelled": "sessions.booking_cancelled",
    }.get(event)


def notify_booking_event(*, booking_id: int, event: str) -> None:
    booking = Booking.objects.select_related("session", "session__mentor", "session__language", "student").get(
        pk=booking_id
    )
    student, mentor = booking.student, booking.session.mentor
    student_kind = _student_kind(booking, event)
    if student_kind is not None:
        kind, extra = student_kind
        params = {**booking_params(booking, recipient=student, event=event), **extra}
        _raise(student, kind, params, booking_link(booking))
    mentor_kind = _mentor_kind(booking, event)
    if mentor_kind is not None:
        params = booking_params(booking, recipient=mentor, event=event)
        link = hosted_link(booking.session) if booking.session.is_group else booking_link(booking)
        _raise(mentor, mentor_kind, params, link)


def notify_hosted_session_event(*, session_id: int, event: str) -> None:
    if event not in ("published", "rescheduled", "cancelled"):
        return
    session = Session.objects.select_related("mentor", "language").get(pk=session_id)
    params = {**session_params(session, counterpart=None), "event": event}
    _raise(session.mentor, "sessions.hosted_session", params, hosted_link(session))


def notify_dispute(*, dispute_id: int) -> None:
    dispute = Dispute.objects.select_related(
        "booking", "booking__student", "booking__session", "booking__session__mentor"
    ).get(pk=dispute_id)
    booking = dispute.booking
    mentor = booking.session.mentor
    params = {**booking_params(booking, recipient=mentor, event="dispute"), "kind": dispute.kind}
    _raise(mentor, "sessions.dispute_raised", params, booking_link(booking))


# --- reminders -----------------------------------------------------------------------------------


def _due_kind(session: Session, now: dt.datetime) -> str:
    lead = session.starts_at - now
    return (
        SentReminder.Kind.HOUR_BEFORE
        if lead <= REMINDER_LEADS[SentReminder.Kind.HOUR_BEFORE]
        else (SentReminder.Kind.DAY_BEFORE)
    )


def _remind_once(session: Session, recipient: User, *, kind: str, booking: Booking | None) -> bool:
    """Claim (session, recipient, kind) and send in one transaction: a second scheduler or worker waits on the
    unique row, then finds it claimed; a failed send rolls the claim back so the next run retries."""
    with transaction.atomic():
        _claim, created = SentReminder.objects.get_or_create(session=session, recipient=recipient, kind=kind)
        if not created:
            return False
        counterpart = None
        if not session.is_group:
            counterpart = session.mentor if recipient.pk != session.mentor_id else booking.student if booking else None
        params = {**session_params(session, counterpart=counterpart), "lead": kind}
        if booking is not None:
            params["booking"] = str(booking.uuid)
        link = booking_link(booking) if booking is not None else hosted_link(session)
        priority = Notification.Priority.HIGH if kind == SentReminder.Kind.HOUR_BEFORE else None
        notification_raise(recipient=recipient, kind="sessions.reminder", params=params, link=link, priority=priority)
    return True


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due: 24 h before (to those who committed before then) and 1 h before.

    Safe to run as often as wanted and concurrently: each reminder goes out once (`SentReminder`).
    """
    now = now or timezone.now()
    horizon = now + REMINDER_LEADS[SentReminder.Kind.DAY_BEFORE]
    sessions = (
        Session.objects.filter(status__in=Session.OCCUPYING_STATUSES, starts_at__gt=now, starts_at__lte=horizon)
        .select_related("mentor", "language")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(status=Booking.Status.CONFIRMED).select_related("student"),
                to_attr="confirmed_bookings",
            ),
            Prefetch("sent_reminders", to_attr="reminders_sent"),
        )
    )
    sent = 0
    for session in sessions:
        kind = _due_kind(session, now)
        day_mark = session.starts_at - REMINDER_LEADS[SentReminder.Kind.DAY_BEFORE]
        already = {(r.recipient_id, r.kind) for r in session.reminders_sent}
        if not session.is_group and not session.confirmed_bookings:
            continue
        recipients: list[tuple[User, Booking | None, dt.datetime | None]] = [
            (b.student, b, b.confirmed_at) for b in session.confirmed_bookings
        ]
        mentor_booking = None if session.is_group else session.confirmed_bookings[0]
        mentor_committed = session.published_at if mentor_booking is None else mentor_booking.confirmed_at
        recipients.append((session.mentor, mentor_booking, mentor_committed))
        for recipient, booking, committed_at in recipients:
            if (recipient.pk, kind) in already:
                continue
            # Someone who booked within the last day already has the confirmation: no "tomorrow" reminder.
            if kind == SentReminder.Kind.DAY_BEFORE and (committed_at is None or committed_at > day_mark):
                continue
            sent += _remind_once(session, recipient, kind=kind, booking=booking)
    return sent
