"""What ``sessions_app`` holds about a user, for their data export and account erasure (registered in apps.py)."""

import datetime as dt

from django.conf import settings
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext

from accounts.privacy.registry import ExportPart, files_of, rows
from sessions_app.models import (
    Booking,
    CalendarFeed,
    Dispute,
    RescheduleRequest,
    Session,
    WaitlistEntry,
)
from sessions_app.models.room import (
    FollowUpTask,
    MentorNote,
    ProgressMilestone,
    Review,
    RoomConsent,
    RoomVisit,
    SessionMessage,
    Tip,
)


def export_sessions_data(*, user) -> ExportPart:
    bookings = Booking.objects.filter(student=user).order_by("id")
    hosted = list(Session.objects.filter(mentor=user).order_by("id"))
    attended_sessions = Session.objects.filter(bookings__student=user)
    shared_notes = MentorNote.objects.filter(session__in=attended_sessions, is_shared=True).distinct()
    return ExportPart(
        data={
            "bookings": rows(bookings),
            "sessions_hosted": rows(hosted),
            "waitlist": rows(WaitlistEntry.objects.filter(student=user)),
            "reschedule_requests": rows(RescheduleRequest.objects.filter(requested_by=user)),
            "disputes": rows(Dispute.objects.filter(raised_by=user)),
            "chat_messages_written": rows(SessionMessage.objects.filter(sender=user).order_by("id")),
            "reviews_written": rows(Review.objects.filter(student=user)),
            "reviews_received": rows(Review.objects.filter(mentor=user), exclude=["student"]),
            "notes_shared_with_you": rows(shared_notes),
            "notes_written": rows(MentorNote.objects.filter(author=user)),
            "follow_up_tasks": rows(FollowUpTask.objects.filter(student=user)),
            "milestones": rows(ProgressMilestone.objects.filter(Q(student=user) | Q(mentor=user))),
            "tips": rows(Tip.objects.filter(Q(student=user) | Q(mentor=user))),
            "room_visits": rows(RoomVisit.objects.filter(user=user)),
            "recording_consents": rows(RoomConsent.objects.filter(user=user)),
        },
        files=files_of(hosted, "thumbnail", "session-thumbnails"),
    )


def prepare_sessions_for_deletion(*, user) -> str | None:
    """Cancel what is still ahead, through the usual use cases so the usual refund rules apply: the
    student's own bookings (refund by notice), bookings of the mentor's sessions (full refund), the mentor's
    group sessions. A session under way makes the deletion wait for it to end."""
    from sessions_app.services import booking_cancel, session_cancel

    now = timezone.now()
    if Booking.objects.filter(
        Q(student=user) | Q(session__mentor=user), status__in=Booking.ACTIVE_STATUSES, session__starts_at__lte=now,
        session__ends_at__gt=now,
    ).exists():
        return "session_in_progress"
    for session in Session.objects.filter(
        mentor=user, kind=Session.Kind.GROUP, status__in=[Session.Status.DRAFT, Session.Status.SCHEDULED],
        starts_at__gt=now,
    ):
        session_cancel(session=session, actor=user, reason=gettext("The mentor closed their account."), now=now)
    upcoming = Booking.objects.filter(
        Q(student=user) | Q(session__mentor=user), status__in=Booking.ACTIVE_STATUSES, session__starts_at__gt=now
    ).select_related("session")
    for booking in upcoming:
        booking_cancel(booking=booking, actor=user, note="account deleted", now=now)
    return None


def erase_sessions_data(*, user, pseudonym: str) -> None:
    """Text the user wrote goes; the facts (who booked what, when, for how much) stay for the ledger and
    the mentors' records, attached to the anonymised account. Reviews stay, signed by ``pseudonym``."""
    SessionMessage.objects.filter(sender=user).update(text="")
    Booking.objects.filter(student=user).update(
        purpose="", specific_questions="", current_challenges="", expected_outcomes="", cancellation_note=""
    )
    Dispute.objects.filter(raised_by=user).update(description="")
    RescheduleRequest.objects.filter(requested_by=user).update(reason="")
    FollowUpTask.objects.filter(student=user).delete()
    ProgressMilestone.objects.filter(student=user).delete()
    WaitlistEntry.objects.filter(student=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    MentorNote.objects.filter(author=user).delete()
    hosted = Session.objects.filter(mentor=user)
    for session in hosted.exclude(thumbnail=""):
        session.thumbnail.delete(save=False)
    hosted.update(title=pseudonym, description="", prerequisites="", learning_objectives="", thumbnail="")
    # Session titles may carry the name (notifications are erased by accounts, which owns them).
    name = user.full_name.strip()
    if name:
        Session.objects.filter(title__contains=name).update(title=Replace(F("title"), Value(name), Value(pseudonym)))


def chat_retention_purge(*, now=None) -> int:
    """Session chat is kept one year after the session (README, "Retention"); then it is deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CHAT_RETENTION_DAYS)
    deleted, _by_model = SessionMessage.objects.filter(session__ends_at__lt=cutoff).delete()
    return deleted
