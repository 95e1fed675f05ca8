"""Reads for messages: who may see a thread, the inbox with unread counts, a thread's messages, response time and
the public reliability figures. Every function runs a fixed number of queries whatever the data size."""

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import guardian_student_ids
from mentors.models import MentorProfile
from sessions_app.models import Booking, DirectMessage, MessageThread

# Response time: the mentor's first replies to questions asked in this window.
RESPONSE_WINDOW = dt.timedelta(days=90)
# An unanswered question counts (with the time it has waited so far) once it has waited this long; before that
# nobody knows yet whether the answer will be quick.
UNANSWERED_COUNTS_AFTER = dt.timedelta(hours=24)
THREAD_PAGE_SIZE = 100
INBOX_PAGE_SIZE = 50
# Bookings with these statuses let the pair write to each other (and the mentor start a thread).
PAIR_BOOKING_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


@dataclass(frozen=True)
class ThreadAccess:
    """A thread as one viewer may use it: a party (student or mentor) writes, a guardian only reads."""

    thread: MessageThread
    viewer: User
    role: str  # "student" | "mentor" | "guardian"

    @property
    def can_write(self) -> bool:
        return self.role in ("student", "mentor") and self.viewer.status == User.Status.ACTIVE

    @property
    def counterpart(self) -> User:
        return self.thread.mentor if self.role != "mentor" else self.thread.student

    @property
    def has_minor(self) -> bool:
        return self.thread.student.is_minor


def thread_role(user: User, thread: MessageThread) -> str | None:
    if not user.is_authenticated:
        return None
    if user.pk == thread.student_id:
        return "student"
    if user.pk == thread.mentor_id:
        return "mentor"
    if thread.student.is_minor and thread.student_id in guardian_student_ids(user):
        return "guardian"
    return None


def get_thread_for_user(user: User, thread_uuid: Any) -> ThreadAccess:
    """The thread if ``user`` is one of its two people or the minor student's guardian; 404 for everyone else."""
    thread = (
        MessageThread.objects.select_related("student", "mentor", "mentor__mentor_profile")
        .filter(uuid=thread_uuid)
        .first()
    )
    role = thread_role(user, thread) if thread is not None else None
    if thread is None or role is None:
        raise Http404
    return ThreadAccess(thread=thread, viewer=user, role=role)


IMAGE_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_content_type(message: DirectMessage) -> str:
    """The stored image's type (images are re-encoded on upload, so the extension is their real format)."""
    return IMAGE_CONTENT_TYPES.get((message.image.name or "").rsplit(".", 1)[-1], "application/octet-stream")


def thread_between(*, student: User, mentor: User) -> MessageThread | None:
    return MessageThread.objects.filter(student=student, mentor=mentor).first()


def pair_has_booking(*, student_id: int, mentor_id: int) -> bool:
    """Whether the student booked the mentor (confirmed, held or missed): then either may write first."""
    return Booking.objects.filter(
        student_id=student_id, session__mentor_id=mentor_id, status__in=PAIR_BOOKING_STATUSES
    ).exists()


def thread_messages(thread: MessageThread, *, after_id: int | None = None) -> list[DirectMessage]:
    """The latest messages of a thread, oldest first (only those after ``after_id`` when given), moderation-hidden
    ones included (the page shows them as removed)."""
    messages = DirectMessage.objects.filter(thread=thread).select_related("booking__session")
    if after_id is not None:
        return list(messages.filter(pk__gt=after_id).order_by("created_at", "id")[:THREAD_PAGE_SIZE])
    latest = list(messages.order_by("-created_at", "-id")[:THREAD_PAGE_SIZE])
    latest.reverse()
    return latest


def _read_marker_for(user: User) -> Case:
    return Case(When(student=user, then=F("student_read_at")), default=F("mentor_read_at"))


def _unread_filter(user: User) -> Q:
    return (
        Q(messages__hidden_at__isnull=True)
        & ~Q(messages__sender=user)
        & (Q(read_marker__isnull=True) | Q(messages__created_at__gt=F("read_marker")))
    )


def _with_unread(threads: QuerySet[MessageThread], user: User) -> QuerySet[MessageThread]:
    return threads.annotate(read_marker=_read_marker_for(user)).annotate(
        unread=Count("messages", filter=_unread_filter(user))
    )


def inbox_threads(user: User) -> list[MessageThread]:
    """The user's threads, most recent first, each with ``unread`` (messages from the other side not yet read) and
    ``last_text`` / ``last_sender_id`` (the latest message, for a preview): one query."""
    latest = DirectMessage.objects.filter(thread=OuterRef("pk"), hidden_at__isnull=True).order_by("-created_at", "-id")
    threads = MessageThread.objects.filter(Q(student=user) | Q(mentor=user)).select_related("student", "mentor")
    threads = _with_unread(threads, user).annotate(
        last_text=Subquery(latest.values("text")[:1]), last_sender_id=Subquery(latest.values("sender_id")[:1])
    )
    return list(threads.order_by("-last_message_at", "-id")[:INBOX_PAGE_SIZE])


def guardian_threads(user: User) -> list[MessageThread]:
    """Threads of the minors in ``user``'s care, for reading (two queries; none when they care for nobody)."""
    students = guardian_student_ids(user)
    if not students:
        return []
    threads = MessageThread.objects.filter(student_id__in=students).select_related("student", "mentor")
    return [
        thread for thread in threads.order_by("-last_message_at", "-id")[:INBOX_PAGE_SIZE] if thread.student.is_minor
    ]


def unread_thread_count(user: User) -> int:
    """How many of the user's threads have messages waiting for them (the nav badge, dashboards): one query."""
    if not user.is_authenticated:
        return 0
    threads = MessageThread.objects.filter(Q(student=user) | Q(mentor=user))
    # django-stubs drop the annotations through `_with_unread`'s QuerySet[MessageThread] return type
    return _with_unread(threads, user).filter(unread__gt=0).count()  # type: ignore[misc]


# --- response time and public reliability --------------------------------------------------------------------------


def mentor_response_time_minutes(*, mentor_id: int, now: dt.datetime | None = None) -> int | None:
    """The median time (minutes, rounded up) the mentor took to first reply to a new thread or a booking's
    questions asked in the last 90 days; None without any.

    A question still unanswered after a day counts with the time it has waited so far (its reply will take at
    least that long), so never answering does not look fast; younger unanswered ones are left out until then.
    Questions hidden by moderation do not count.
    """
    now = now or timezone.now()
    rows = DirectMessage.objects.filter(
        thread__mentor_id=mentor_id,
        awaits_reply=True,
        hidden_at__isnull=True,
        created_at__gte=now - RESPONSE_WINDOW,
        created_at__lte=now,
    ).values_list("created_at", "replied_at")
    waits = []
    for asked_at, replied_at in rows:
        if replied_at is not None:
            waits.append((replied_at - asked_at).total_seconds())
        elif now - asked_at >= UNANSWERED_COUNTS_AFTER:
            waits.append((now - asked_at).total_seconds())
    if not waits:
        return None
    return max(1, math.ceil(statistics.median(waits) / 60))


def mentor_repeat_student_percent(*, mentor_id: int) -> int | None:
    """Of the students who completed a session with the mentor, the percentage who completed more than one."""
    counts = list(
        Booking.objects.filter(session__mentor_id=mentor_id, status=Booking.Status.COMPLETED)
        .values("student_id")
        .annotate(sessions=Count("id"))
        .values_list("sessions", flat=True)
    )
    if not counts:
        return None
    return round(100 * sum(1 for n in counts if n > 1) / len(counts))


def mentor_reliability_stats(mentor_profile_id: int) -> dict[str, int | None]:
    """`mentors.hooks` stats provider: response time and the returning-student share, stored on the profile."""
    mentor_id = MentorProfile.objects.filter(pk=mentor_profile_id).values_list("user_id", flat=True).first()
    if mentor_id is None:
        return {}
    return {
        "response_time_minutes": mentor_response_time_minutes(mentor_id=mentor_id),
        "repeat_student_percent": mentor_repeat_student_percent(mentor_id=mentor_id),
    }


def response_time_text(minutes: int | None) -> str:
    """ "Usually replies within 3 hours", in the active language; empty when unknown."""
    if minutes is None:
        return ""
    if minutes < 60:
        return ngettext(
            "Usually replies within %(count)d minute", "Usually replies within %(count)d minutes", minutes
        ) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    if hours < 48:
        return ngettext("Usually replies within %(count)d hour", "Usually replies within %(count)d hours", hours) % {
            "count": hours
        }
    days = math.ceil(hours / 24)
    return ngettext("Usually replies within %(count)d day", "Usually replies within %(count)d days", days) % {
        "count": days
    }


@dataclass(frozen=True)
class Reliability:
    response_time: str
    repeat_student_percent: int | None
    no_show_percent: int | None  # None when the mentor never missed a session


def mentor_reliability(mentor: Any) -> Reliability:
    """The profile's public reliability from the stored figures (no query): the response time, the share of
    returning students, and the no-show rate only when above zero."""
    held = mentor.total_sessions + mentor.no_show_count
    no_show = round(100 * mentor.no_show_count / held) if mentor.no_show_count and held else None
    return Reliability(
        response_time=response_time_text(mentor.response_time_minutes),
        repeat_student_percent=mentor.repeat_student_percent,
        no_show_percent=max(no_show, 1) if no_show is not None else None,
    )


def mentor_profile_messaging_context(request: HttpRequest, mentor: Any) -> dict[str, Any]:
    """`mentors.hooks` profile provider: the reliability figures and the "Ask a question" / "Messages" link."""
    user = request.user
    context: dict[str, Any] = {"reliability": mentor_reliability(mentor)}
    if user.is_authenticated and user.pk != mentor.user_id:
        thread = thread_between(student=user, mentor=mentor.user)
        if thread is not None:
            context["message_url"] = reverse("sessions_app:message_thread", args=[thread.uuid])
            context["message_label"] = _("Messages")
    if "message_url" not in context and (not user.is_authenticated or user.role == User.Role.STUDENT):
        context["message_url"] = reverse("sessions_app:message_ask", args=[mentor.slug])
        context["message_label"] = _("Ask a question")
    return context
