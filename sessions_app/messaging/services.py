"""Writes for messages: start or continue a student–mentor thread, post a booking's questions into it, mark it
read, hide a message after a report, and refresh mentors' response times."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, User
from accounts.photos import photo_normalize, photo_validate
from accounts.selectors import email_verified, guardian_consent_current
from mentors.models import MentorProfile
from mentors.services import mentor_stats_refresh
from mentorship.resilient_cache import count_hit
from outbox.services import enqueue
from sessions_app import task_names
from sessions_app.messaging.notices import announce_new_message
from sessions_app.messaging.selectors import RESPONSE_WINDOW, ThreadAccess, pair_has_booking
from sessions_app.models import Booking, DirectMessage, MessageThread
from sessions_app.room.chat_safety import mask_contact_details

MAX_TEXT = 4000
HOUR = 3600
DAY = 24 * HOUR


def _rate_limited() -> ValidationError:
    return ValidationError(
        _("You are sending messages too quickly. Please wait a little and try again."), code="rate_limited"
    )


def _check_message_rate(sender: User, now: dt.datetime) -> None:
    # Fails open while Redis is down: the conversation keeps working, and the thread limit still holds.
    hits = count_hit(f"messages:sent:{sender.pk}:{int(now.timestamp() // HOUR)}", window_seconds=HOUR + 60)
    if hits is not None and hits > settings.MESSAGES_PER_HOUR:
        raise _rate_limited()


def _check_thread_rate(sender: User, now: dt.datetime) -> None:
    # Fails closed: starting conversations with many mentors can wait for Redis to come back.
    hits = count_hit(f"messages:threads:{sender.pk}:{int(now.timestamp() // DAY)}", window_seconds=DAY + 60)
    if hits is None or hits > settings.MESSAGE_THREADS_PER_DAY:
        raise ValidationError(
            _("You have started many conversations today. Please try again tomorrow."), code="rate_limited"
        )


def student_may_ask_check(student: User) -> None:
    """A student writes to a mentor once their address is verified and, under 18, once a guardian consented."""
    if student.role != User.Role.STUDENT or student.status != User.Status.ACTIVE:
        raise ValidationError(_("Only students can ask mentors questions."), code="not_student")
    if not email_verified(student):
        raise ValidationError(_("Verify your email address before writing to a mentor."), code="unverified")
    if student.is_minor:
        consent = guardian_consent_current(student)
        if consent is None or consent.status != GuardianConsent.Status.GRANTED:
            raise ValidationError(
                _("Because you are under 18, your parent or guardian must give consent before you write to mentors."),
                code="consent",
            )


def _clean_text(text: str, *, student: User) -> tuple[str, bool]:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("Keep a message under %(count)d characters.") % {"count": MAX_TEXT}})
    if student.is_minor:
        masked = mask_contact_details(text)
        return masked, masked != text
    return text, False


def _post(
    *,
    thread: MessageThread,
    sender: User,
    text: str,
    image: UploadedFile | None,
    now: dt.datetime,
    awaits_reply: bool = False,
    kind: str = DirectMessage.Kind.TEXT,
    booking: Booking | None = None,
) -> DirectMessage:
    """Store a message (inside the caller's transaction) and owe its notice; the mentor's first message after a
    student's open question answers it."""
    text, masked = _clean_text(text, student=thread.student)
    if not text and image is None:
        raise ValidationError({"text": _("Write a message or attach an image.")}, code="empty")
    message = DirectMessage(
        thread=thread,
        sender=sender,
        kind=kind,
        text=text,
        booking=booking,
        awaits_reply=awaits_reply,
        was_masked=masked,
        created_at=now,
    )
    if image is not None:
        # The file is written before the row: if the row fails, the file goes too.
        normalized = photo_normalize(image, max_side=settings.MESSAGE_IMAGE_MAX_SIDE)
        message.image.save(normalized.name, normalized, save=False)
    try:
        with transaction.atomic():
            message.save()
    except Exception:
        if message.image:
            message.image.delete(save=False)
        raise
    read_field = "mentor_read_at" if sender.pk == thread.mentor_id else "student_read_at"
    MessageThread.objects.filter(pk=thread.pk).update(last_message_at=now, **{read_field: now})
    if sender.pk == thread.mentor_id:
        answered = DirectMessage.objects.filter(
            thread=thread, awaits_reply=True, replied_at__isnull=True, created_at__lte=now
        ).update(replied_at=now)
        if answered:
            enqueue(task_names.REFRESH_MENTOR_STATS, thread.mentor_id)
    # A booking's questions arrive with the booking's own notice: one event, one notification.
    if kind != DirectMessage.Kind.BOOKING_QUESTION:
        announce_new_message(message)
    return message


def _check_image(image: UploadedFile | None) -> None:
    if image is not None:
        try:
            photo_validate(image)
        except ValidationError as error:
            raise ValidationError({"image": error.messages}) from error


def message_send(
    *, access: ThreadAccess, text: str, image: UploadedFile | None = None, now: dt.datetime | None = None
) -> DirectMessage:
    """One party writes in their thread (a guardian only reads)."""
    now = now or timezone.now()
    if not access.can_write:
        raise ValidationError(_("You can read this conversation but not write in it."), code="read_only")
    _check_image(image)
    _check_message_rate(access.viewer, now)
    with transaction.atomic():
        return _post(thread=access.thread, sender=access.viewer, text=text, image=image, now=now)


def thread_ask(
    *, student: User, mentor: User, text: str, image: UploadedFile | None = None, now: dt.datetime | None = None
) -> DirectMessage:
    """A student writes to a mentor: in their thread if there is one, else a new thread whose first message waits
    for the mentor's reply (and counts towards the mentor's response time)."""
    now = now or timezone.now()
    student_may_ask_check(student)
    if mentor.role != User.Role.MENTOR or mentor.pk == student.pk:
        raise ValidationError(_("You can only write to a mentor."), code="not_mentor")
    _check_image(image)
    thread = MessageThread.objects.filter(student=student, mentor=mentor).first()
    if thread is None:
        _check_thread_rate(student, now)
    _check_message_rate(student, now)
    with transaction.atomic():
        created = False
        if thread is None:
            try:
                with transaction.atomic():
                    thread = MessageThread.objects.create(
                        student=student, mentor=mentor, started_by=student, created_at=now, last_message_at=now
                    )
                    created = True
            except IntegrityError:
                # Two tabs asked at once: the other one created it.
                thread = MessageThread.objects.get(student=student, mentor=mentor)
        thread = MessageThread.objects.select_related("student", "mentor").get(pk=thread.pk)
        return _post(thread=thread, sender=student, text=text, image=image, now=now, awaits_reply=created)


def thread_start_by_mentor(*, mentor: User, student: User, now: dt.datetime | None = None) -> MessageThread:
    """The mentor's door to a student they have a booking with (the thread, created if needed)."""
    now = now or timezone.now()
    if mentor.role != User.Role.MENTOR or not pair_has_booking(student_id=student.pk, mentor_id=mentor.pk):
        raise ValidationError(_("You can write to students who booked a session with you."), code="no_booking")
    thread, _created = MessageThread.objects.get_or_create(
        student=student, mentor=mentor, defaults={"started_by": mentor, "created_at": now, "last_message_at": now}
    )
    return thread


def booking_question_post(*, booking_id: int, now: dt.datetime | None = None) -> DirectMessage | None:
    """Post a confirmed booking's questions into the pair's thread, once: the mentor answers there, and the wait
    counts towards their response time. Nothing when the student asked nothing."""
    now = now or timezone.now()
    booking = Booking.objects.select_related("session", "student").get(pk=booking_id)
    if booking.status != Booking.Status.CONFIRMED or not booking.specific_questions.strip():
        return None
    if DirectMessage.objects.filter(booking=booking).exists():
        return None
    mentor_id = booking.session.mentor_id
    try:
        with transaction.atomic():
            thread, _created = MessageThread.objects.get_or_create(
                student=booking.student,
                mentor_id=mentor_id,
                defaults={"started_by": booking.student, "created_at": now, "last_message_at": now},
            )
            thread = MessageThread.objects.select_related("student", "mentor").get(pk=thread.pk)
            return _post(
                thread=thread,
                sender=booking.student,
                text=booking.specific_questions,
                image=None,
                now=now,
                awaits_reply=True,
                kind=DirectMessage.Kind.BOOKING_QUESTION,
                booking=booking,
            )
    except IntegrityError:
        # Posted by a concurrent run of the same task.
        return None


def thread_mark_read(*, access: ThreadAccess, now: dt.datetime | None = None) -> None:
    """The viewer has seen everything up to now (guardians leave no trace)."""
    if access.role not in ("student", "mentor"):
        return
    field = f"{access.role}_read_at"
    MessageThread.objects.filter(pk=access.thread.pk).update(**{field: now or timezone.now()})


def direct_message_hide(*, message: DirectMessage, now: dt.datetime | None = None) -> DirectMessage:
    """Moderation hid the message: kept for the record, shown to nobody but staff."""
    message.hidden_at = now or timezone.now()
    message.save(update_fields=["hidden_at"])
    return message


def response_times_refresh(*, now: dt.datetime | None = None) -> int:
    """Refresh the stored stats of every mentor with a question in the window (or a stored response time that
    must drop out of it): the daily job that moves the 90-day window on."""
    now = now or timezone.now()
    asked = DirectMessage.objects.filter(awaits_reply=True, created_at__gte=now - RESPONSE_WINDOW).values(
        "thread__mentor_id"
    )
    profile_ids = list(
        MentorProfile.objects.filter(user_id__in=asked)
        .values_list("pk", flat=True)
        .union(MentorProfile.objects.filter(response_time_minutes__isnull=False).values_list("pk", flat=True))
    )
    for profile_id in profile_ids:
        mentor_stats_refresh(mentor_id=profile_id)
    return len(profile_ids)
