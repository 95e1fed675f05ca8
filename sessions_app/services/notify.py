"""Who hears about what: booking events, group session events, reminders and reports, by email and in the app."""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from accounts.selectors import student_profile_for
from outbox.services import effect_once
from sessions_app import emails
from sessions_app.models import Booking, Dispute, Notification, SentReminder, Session

REMINDER_LEADS = {
    SentReminder.Kind.DAY_BEFORE: dt.timedelta(hours=24),
    SentReminder.Kind.HOUR_BEFORE: dt.timedelta(hours=1),
}


def _deliver(user: User, notice: emails.Notice, *, email: bool = True, in_app: bool = True) -> None:
    """Send the notice (built in the user's language) by email and keep it in the user's in-app notices, once per
    recipient however often the task delivering it runs."""
    with effect_once(f"notice:{user.pk}") as first:
        if first:
            _send(user, notice, email=email, in_app=in_app)


def _send(user: User, notice: emails.Notice, *, email: bool, in_app: bool) -> None:
    if email:
        emails.send_email(user, notice)
    if in_app:
        notification_add(user=user, title=notice.subject, body=" ".join(notice.lines), url=notice.action_path)


def notification_add(*, user: User, title: str, body: str = "", url: str = "") -> Notification:
    """Keep a notice in the user's in-app notifications (other apps raise theirs through this)."""
    return Notification.objects.create(user=user, title=title[:200], body=body[:2000], url=url[:300])


def notify_booking_event(*, booking_id: int, event: str) -> None:
    booking = Booking.objects.select_related(
        "session", "session__mentor", "session__language", "student"
    ).get(pk=booking_id)
    with emails.in_language(booking.student):
        notice = emails.student_notice(booking, event)
        if notice is not None:
            _deliver(booking.student, notice)
    mentor = booking.session.mentor
    with emails.in_language(mentor):
        notice = emails.mentor_notice(booking, event)
        if notice is not None:
            _deliver(mentor, notice)


def notify_hosted_session_event(*, session_id: int, event: str) -> None:
    session = Session.objects.select_related("mentor", "language").get(pk=session_id)
    with emails.in_language(session.mentor):
        notice = emails.hosted_session_notice(session, event)
        if notice is not None:
            _deliver(session.mentor, notice)


def notify_dispute(*, dispute_id: int) -> None:
    dispute = Dispute.objects.select_related(
        "booking", "booking__student", "booking__session", "booking__session__mentor"
    ).get(pk=dispute_id)
    mentor = dispute.booking.session.mentor
    with emails.in_language(mentor):
        _deliver(mentor, emails.dispute_notice(dispute))


# --- reminders -----------------------------------------------------------------------------------


def _reminder_channels(user: User) -> tuple[bool, bool]:
    """(email, in-app) for reminders, from the student's notification preferences (mentors always get both)."""
    profile = student_profile_for(user)
    if profile is None:
        return True, True
    if not profile.notify_reminders:
        return False, False
    return profile.notify_email, profile.notify_in_app


def _due_kind(session: Session, now: dt.datetime) -> str:
    lead = session.starts_at - now
    return SentReminder.Kind.HOUR_BEFORE if lead <= REMINDER_LEADS[SentReminder.Kind.HOUR_BEFORE] else (
        SentReminder.Kind.DAY_BEFORE
    )


def _remind_once(session: Session, recipient: User, *, kind: str, booking: Booking | None) -> bool:
    """Claim (session, recipient, kind) and send in one transaction: a second scheduler or worker waits on the
    unique row, then finds it claimed; a failed send rolls the claim back so the next run retries."""
    with transaction.atomic():
        _claim, created = SentReminder.objects.get_or_create(session=session, recipient=recipient, kind=kind)
        if not created:
            return False
        email, in_app = _reminder_channels(recipient)
        if email or in_app:
            with emails.in_language(recipient):
                notice = emails.reminder_notice(session, recipient, kind=kind, booking=booking)
                _deliver(recipient, notice, email=email, in_app=in_app)
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
