"""Reads for the room and what follows a session: permission-checked fetches, reviews, progress, the bundle."""

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import DurationField, ExpressionWrapper, F, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sessions_app.models import Booking, Session
from sessions_app.models.room import FollowUpTask, MentorNote, ProgressMilestone, Recording, Review, SessionMessage
from sessions_app.room.services import speaker_name
from sessions_app.selectors import session_heading

PARTICIPANT_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


@dataclass(frozen=True)
class SessionMembership:
    session: Session
    is_mentor: bool
    booking: Booking | None  # the viewer's own booking, for a student


def get_session_membership(user: User, session_id: int) -> SessionMembership:
    """The session if ``user`` is its mentor or one of its students (booked and confirmed or done); else 404 / 403."""
    try:
        session = Session.objects.select_related("mentor", "language").get(pk=session_id)
    except Session.DoesNotExist:
        raise Http404 from None
    if user.pk == session.mentor_id:
        return SessionMembership(session=session, is_mentor=True, booking=None)
    booking = (
        Booking.objects.filter(session=session, student=user, status__in=PARTICIPANT_STATUSES)
        .order_by("-created_at")
        .first()
    )
    if booking is None:
        raise PermissionDenied
    return SessionMembership(session=session, is_mentor=False, booking=booking)


def session_students(session: Session) -> list[User]:
    return list(
        User.objects.filter(bookings__session=session, bookings__status__in=PARTICIPANT_STATUSES)
        .distinct()
        .order_by("full_name", "pk")
    )


def mentor_reviews(mentor: Any, limit: int = 10) -> QuerySet[Review]:
    """The newest reviews of a mentor (a ``MentorProfile`` or the mentor's ``User``), for the public profile."""
    mentor_user_id = getattr(mentor, "user_id", None) or mentor.pk
    return (
        Review.objects.filter(mentor_id=mentor_user_id, hidden_at__isnull=True)
        .select_related("student", "language")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class ReviewCard:
    """A review as the public profile shows it (``templates/mentors/_reviews.html``): first names only."""

    rating: int
    text: str
    author_name: str
    language: str
    created_at: dt.datetime
    review_id: int = 0


def mentor_profile_reviews_context(request, mentor) -> dict[str, Any]:
    """Profile context provider (``mentors.hooks``): the reviews section of the public profile."""
    cards = [
        ReviewCard(
            rating=review.rating,
            text=review.comment,
            author_name=review.student.get_short_name(),
            language=review.language.display_name,
            created_at=review.created_at,
            review_id=review.pk,
        )
        for review in mentor_reviews(mentor)
    ]
    return {"reviews": cards}


# --- the session, afterwards ---------------------------------------------------------------------------------------


def session_recordings(session: Session, now: dt.datetime | None = None) -> list[Recording]:
    now = now or timezone.now()
    return list(session.recordings.filter(expires_at__gt=now, size_bytes__gt=0).order_by("started_at"))


def after_session_context(membership: SessionMembership, viewer: User) -> dict[str, Any]:
    """Everything on the page after a session, as the mentor or as one of its students sees it."""
    session = membership.session
    notes = MentorNote.objects.filter(session=session)
    tasks = FollowUpTask.objects.filter(session=session).select_related("student")
    if not membership.is_mentor:
        notes = notes.filter(is_shared=True)
        tasks = tasks.filter(student=viewer)
    review = Review.objects.filter(booking=membership.booking).first() if membership.booking else None
    return {
        "session": session,
        "is_mentor": membership.is_mentor,
        "is_student": not membership.is_mentor,
        "booking": membership.booking,
        "notes": list(notes),
        "tasks": list(tasks),
        "students": session_students(session) if membership.is_mentor else [],
        "recordings": session_recordings(session),
        "review": review,
    }


# --- a student's progress ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentProgress:
    tasks_due: list[FollowUpTask]
    milestones: list[ProgressMilestone]
    hours_learned: float
    sessions_completed: int


def student_progress(student: User, *, task_limit: int = 10, milestone_limit: int = 5) -> StudentProgress:
    """Open follow-up tasks (soonest due first), recent milestones, and time spent in completed sessions."""
    tasks = list(
        FollowUpTask.objects.filter(student=student, done_at__isnull=True)
        .select_related("session__mentor")
        .order_by(F("due_on").asc(nulls_last=True), "created_at")[:task_limit]
    )
    milestones = list(
        ProgressMilestone.objects.filter(student=student)
        .select_related("mentor", "session__mentor")
        .order_by("-achieved_on", "-id")[:milestone_limit]
    )
    completed = Booking.objects.filter(student=student, status=Booking.Status.COMPLETED).aggregate(
        total=Sum(ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), output_field=DurationField())),
        count=Sum(1),
    )
    total: dt.timedelta = completed["total"] or dt.timedelta()
    return StudentProgress(
        tasks_due=tasks,
        milestones=milestones,
        hours_learned=round(total.total_seconds() / 3600, 1),
        sessions_completed=completed["count"] or 0,
    )


def student_milestones(student: User) -> QuerySet[ProgressMilestone]:
    return ProgressMilestone.objects.filter(student=student).select_related("mentor", "session__mentor", "recorded_by")


def student_tasks(student: User) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(student=student).select_related("session__mentor")


# --- the session bundle --------------------------------------------------------------------------------------------


def session_bundle_zip(membership: SessionMembership, student: User) -> bytes:
    """A zip for a student: the chat log, the notes shared with them, their tasks, links to the recordings."""
    session = membership.session
    messages = list(
        SessionMessage.objects.filter(session=session).select_related("sender").order_by("created_at", "id")
    )
    notes = list(MentorNote.objects.filter(session=session, is_shared=True))
    tasks = list(FollowUpTask.objects.filter(session=session, student=student))
    recordings = session_recordings(session)
    zone = student.tzinfo

    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M")

    def recording_url(recording: Recording) -> str:
        return settings.SITE_URL + reverse("sessions_app:recording_play", args=[recording.pk])

    chat_lines = []
    for message in messages:
        who = speaker_name(message.sender, mentor_id=session.mentor_id) if message.sender else "PeerLearn"
        text = message.text
        if message.kind == SessionMessage.Kind.TIP:
            text = f"[tip ₹{(message.amount_paise or 0) / 100:g}] {text}".rstrip()
        chat_lines.append(f"[{local(message.created_at)}] {who}: {text}")

    summary = [
        f"# {session_heading(session, viewer=student)}",
        "",
        f"- Mentor: {session.mentor.get_full_name()}",
        f"- When: {local(session.starts_at)} – {local(session.ends_at)} ({student.time_zone})",
        f"- Language: {session.language}",
        "",
        "## Notes from your mentor",
        "",
        *([f"{note.body}\n" for note in notes] or ["(none)\n"]),
        "## Your follow-up tasks",
        "",
        *(
            [
                f"- [{'x' if task.is_done else ' '}] {task.title}"
                + (f" (due {task.due_on:%Y-%m-%d})" if task.due_on else "")
                for task in tasks
            ]
            or ["(none)"]
        ),
        "",
        "## Recordings",
        "",
        *(
            [f"- {local(r.started_at)}: {recording_url(r)} (until {local(r.expires_at)})" for r in recordings]
            or ["(none)"]
        ),
        "",
    ]
    data = {
        "session": {
            "title": session_heading(session, viewer=student),
            "mentor": session.mentor.get_full_name(),
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "language": session.language.code,
        },
        "chat": [
            {
                "sent_at": m.created_at.isoformat(),
                "sender": speaker_name(m.sender, mentor_id=session.mentor_id) if m.sender else None,
                "kind": m.kind,
                "text": m.text,
                "amount_paise": m.amount_paise,
            }
            for m in messages
        ],
        "notes": [{"body": n.body, "written_at": n.created_at.isoformat()} for n in notes],
        "tasks": [
            {"title": t.title, "due_on": t.due_on.isoformat() if t.due_on else None, "done": t.is_done} for t in tasks
        ],
        "recordings": [
            {"url": recording_url(r), "started_at": r.started_at.isoformat(), "expires_at": r.expires_at.isoformat()}
            for r in recordings
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", "\n".join(summary))
        archive.writestr("chat.txt", "\n".join(chat_lines) + "\n")
        archive.writestr("session.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()
