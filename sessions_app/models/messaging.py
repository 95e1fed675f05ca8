"""Messages between a student and a mentor (``sessions_app.messaging``): one thread per pair, its messages."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models.booking import Booking


def _message_storage():
    from django.core.files.storage import storages

    return storages["private"]


def message_image_path(instance: "DirectMessage", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"messages/{instance.thread.uuid}/{uuid.uuid4().hex}.{extension}"


class MessageThread(models.Model):
    """The one conversation of a student and a mentor: a question before booking, then anything after sessions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="student_threads"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="mentor_threads"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE, related_name="+"
    )
    # What each side has read up to (their unread messages are the other side's messages after it).
    student_read_at = models.DateTimeField(_("read by the student up to"), null=True, blank=True)
    mentor_read_at = models.DateTimeField(_("read by the mentor up to"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message at"), default=timezone.now)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        indexes = [
            models.Index(fields=["student", "-last_message_at"], name="thread_student_recent_idx"),
            models.Index(fields=["mentor", "-last_message_at"], name="thread_mentor_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["student", "mentor"], name="thread_one_per_student_and_mentor"),
            models.CheckConstraint(condition=~Q(student=F("mentor")), name="thread_two_different_people"),
        ]

    def __str__(self) -> str:
        return f"{self.student} ↔ {self.mentor}"


class DirectMessage(models.Model):
    """One message in a thread, stored as both sides (and a minor's guardian) see it."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Message")
        BOOKING_QUESTION = "booking_question", _("Question from a booking")

    thread = models.ForeignKey(
        MessageThread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sender"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    image = models.ImageField(
        _("image"), upload_to=message_image_path, storage=_message_storage, max_length=200, blank=True
    )
    # The booking whose pre-session questions this message carries (kind booking_question).
    booking = models.OneToOneField(
        Booking, verbose_name=_("booking"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A student's message that opens a wait for the mentor's reply (the first of a thread the student started, or
    # a booking's questions); the mentor's first message after it answers it. Response time is measured on these.
    awaits_reply = models.BooleanField(_("awaits the mentor's reply"), default=False)
    replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    # Contact details were hidden (a thread with a minor): kept for safety reviews.
    was_masked = models.BooleanField(_("contact details hidden"), default=False)
    hidden_at = models.DateTimeField(_("hidden by moderation at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("direct message")
        verbose_name_plural = _("direct messages")
        indexes = [
            models.Index(fields=["thread", "created_at"], name="directmessage_thread_idx"),
            models.Index(fields=["created_at"], name="directmessage_awaiting_idx", condition=Q(awaits_reply=True)),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
