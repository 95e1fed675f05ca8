"""After a session: the mentor's notes and follow-up tasks, the student's review, and progress milestones."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notification_raise
from outbox.services import enqueue
from sessions_app.models import Booking, Session
from sessions_app.models.room import (
    FollowUpTask,
    MentorNoShow,
    MentorNote,
    ProgressMilestone,
    Review,
    SessionMessage,
)
from sessions_app.notification_kinds import booking_link, session_params

# Students whose bookings count as having taken part (before, during and after the session).
PARTICIPANT_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
MAX_NEXT_STEPS = 10


def _refresh_mentor_stats_after_commit(mentor_user_id: int) -> None:
    from sessions_app import tasks

    enqueue(tasks.refresh_mentor_stats, mentor_user_id)


def _require_mentor(session: Session, user: User) -> None:
    if session.mentor_id != user.pk:
        raise ValidationError(_("Only the session's mentor can do this."), code="forbidden")


def session_student_ids(session: Session) -> set[int]:
    return set(
        Booking.objects.filter(session=session, status__in=PARTICIPANT_STATUSES).values_list("student_id", flat=True)
    )


# --- notes -------------------------------------------------------------------------------------------------------


def mentor_note_add(*, session: Session, author: User, body: str, is_shared: bool) -> MentorNote:
    _require_mentor(session, author)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")}, code="empty")
    return MentorNote.objects.create(session=session, author=author, body=body, is_shared=is_shared)


def mentor_note_update(*, note: MentorNote, author: User, body: str, is_shared: bool) -> MentorNote:
    if note.author_id != author.pk:
        raise ValidationError(_("Only the note's author can change it."), code="forbidden")
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")}, code="empty")
    note.body = body
    note.is_shared = is_shared
    note.save(update_fields=["body", "is_shared", "updated_at"])
    return note


def mentor_note_delete(*, note: MentorNote, author: User) -> None:
    if note.author_id != author.pk:
        raise ValidationError(_("Only the note's author can delete it."), code="forbidden")
    note.delete()


# --- follow-up tasks ---------------------------------------------------------------------------------------------


def follow_up_task_add(
    *, session: Session, mentor: User, student_id: int, title: str, due_on: dt.date | None
) -> FollowUpTask:
    _require_mentor(session, mentor)
    if student_id not in session_student_ids(session):
        raise ValidationError({"student": _("Choose a student of this session.")}, code="student")
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Say what the task is.")}, code="empty")
    if due_on is not None and due_on < session.starts_at.date():
        raise ValidationError({"due_on": _("The due date cannot be before the session.")}, code="due_on")
    return FollowUpTask.objects.create(
        session=session, student_id=student_id, created_by=mentor, title=title, due_on=due_on
    )


def follow_up_task_set_done(*, task: FollowUpTask, student: User, done: bool) -> FollowUpTask:
    if task.student_id != student.pk:
        raise ValidationError(_("Only the student the task is for can tick it off."), code="forbidden")
    task.done_at = (task.done_at or timezone.now()) if done else None
    task.save(update_fields=["done_at"])
    return task


def follow_up_task_delete(*, task: FollowUpTask, mentor: User) -> None:
    if task.created_by_id != mentor.pk:
        raise ValidationError(_("Only the mentor who set the task can remove it."), code="forbidden")
    task.delete()


# --- reviews -----------------------------------------------------------------------------------------------------


def _clean_review(rating: int, comment: str) -> str:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5 stars.")}, code="rating")
    return comment.strip()


def review_submit(*, booking: Booking, student: User, rating: int, comment: str = "") -> Review:
    """The student rates a session they attended: once per booking, after the session is completed."""
    comment = _clean_review(rating, comment)
    if booking.student_id != student.pk:
        raise ValidationError(_("Only the student who booked can review this session."), code="forbidden")
    if booking.status != Booking.Status.COMPLETED:
        raise ValidationError(_("You can review a session once it has taken place."), code="not_completed")
    session = booking.session
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking,
                session=session,
                student=student,
                mentor_id=session.mentor_id,
                rating=rating,
                comment=comment,
                language_id=session.language_id,
            )
            _refresh_mentor_stats_after_commit(session.mentor_id)
            notification_raise(
                recipient=session.mentor,
                kind="sessions.review_received",
                params={**session_params(session, counterpart=student), "rating": rating},
                link=booking_link(booking),
                dedupe_key=f"review:{review.pk}",
            )
    except IntegrityError:
        raise ValidationError(_("You have already reviewed this session; you can edit your review."), code="exists")
    return review


def review_editable_until(review: Review) -> dt.datetime:
    return review.created_at + dt.timedelta(days=settings.REVIEW_EDIT_DAYS)


def review_is_editable(review: Review, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) <= review_editable_until(review)


def review_update(
    *, review: Review, student: User, rating: int, comment: str = "", now: dt.datetime | None = None
) -> Review:
    comment = _clean_review(rating, comment)
    now = now or timezone.now()
    if review.student_id != student.pk:
        raise ValidationError(_("Only the review's author can change it."), code="forbidden")
    if not review_is_editable(review, now):
        raise ValidationError(
            _("Reviews can be changed for %(days)s days after they are written.") % {"days": settings.REVIEW_EDIT_DAYS},
            code="locked",
        )
    with transaction.atomic():
        review.rating = rating
        review.comment = comment
        review.save(update_fields=["rating", "comment", "updated_at"])
        _refresh_mentor_stats_after_commit(review.mentor_id)
    return review


def review_hide(*, review: Review, now: dt.datetime | None = None) -> Review:
    """Moderation hides a review: off the profile and out of the mentor's rating."""
    with transaction.atomic():
        review.hidden_at = now or timezone.now()
        review.save(update_fields=["hidden_at", "updated_at"])
        _refresh_mentor_stats_after_commit(review.mentor_id)
    return review


def chat_message_hide(*, message: SessionMessage, now: dt.datetime | None = None) -> SessionMessage:
    message.hidden_at = now or timezone.now()
    message.save(update_fields=["hidden_at"])
    return message


def mentor_feedback_stats(mentor_profile_id: int) -> dict[str, object]:
    """The stats provider for ``mentors.hooks``: rating average and count from reviews, and mentor no-shows."""
    from mentors.models import MentorProfile

    mentor_user_id = MentorProfile.objects.filter(pk=mentor_profile_id).values_list("user_id", flat=True).first()
    if mentor_user_id is None:
        return {}
    ratings = Review.objects.filter(mentor_id=mentor_user_id, hidden_at__isnull=True).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = Decimal(str(ratings["average"] or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "average_rating": average,
        "rating_count": ratings["count"],
        "no_show_count": MentorNoShow.objects.filter(mentor_id=mentor_user_id).count(),
    }


# --- progress milestones -----------------------------------------------------------------------------------------


def _mentor_of_student(mentor: User, student_id: int) -> bool:
    return Booking.objects.filter(
        session__mentor=mentor, student_id=student_id, status__in=PARTICIPANT_STATUSES
    ).exists()


def milestone_record(
    *,
    student: User,
    recorded_by: User,
    kind: str,
    title: str,
    notes: str = "",
    next_steps: list[str] | None = None,
    achieved_on: dt.date | None = None,
    session: Session | None = None,
) -> ProgressMilestone:
    """A milestone in the student's progress, recorded by the student or by one of their mentors."""
    is_student = recorded_by.pk == student.pk
    if not is_student and not _mentor_of_student(recorded_by, student.pk):
        raise ValidationError(_("Only the student or one of their mentors can record progress."), code="forbidden")
    if session is not None and student.pk not in session_student_ids(session):
        raise ValidationError({"session": _("Choose one of the student's sessions.")}, code="session")
    if kind not in ProgressMilestone.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of milestone.")}, code="kind")
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Name the milestone.")}, code="empty")
    steps = [step.strip()[:200] for step in (next_steps or []) if step.strip()]
    if len(steps) > MAX_NEXT_STEPS:
        raise ValidationError(
            {"next_steps": _("List at most %(count)s next steps.") % {"count": MAX_NEXT_STEPS}}, code="steps"
        )
    achieved_on = achieved_on or timezone.localdate()
    if achieved_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"achieved_on": _("A milestone cannot be in the future.")}, code="future")
    mentor = None if is_student else recorded_by
    if mentor is None and session is not None:
        mentor = session.mentor
    return ProgressMilestone.objects.create(
        student=student,
        mentor=mentor,
        session=session,
        recorded_by=recorded_by,
        kind=kind,
        title=title,
        notes=notes.strip(),
        next_steps=steps,
        achieved_on=achieved_on,
    )
