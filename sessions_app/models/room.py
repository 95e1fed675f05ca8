"""The live room and what follows a session: attendance, chat, recordings, tips, notes, tasks, reviews, progress.

Re-exported by ``sessions_app.models`` (the package), where Django finds the app's models.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.room.protocol import CHAT_MAX_LENGTH

__all__ = [
    "FollowUpTask",
    "MentorNote",
    "MentorNoShow",
    "ProgressMilestone",
    "Recording",
    "RecordingChunk",
    "Review",
    "RoomConsent",
    "RoomVisit",
    "SessionMessage",
    "Tip",
]


def _private_storage():
    return storages["private"]


class RoomVisit(models.Model):
    """One socket connection of a member to a session's room; attendance is the union of a member's visits."""

    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="room_visits"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    peer_id = models.CharField(_("connection"), max_length=48)
    joined_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("room visit")
        verbose_name_plural = _("room visits")
        indexes = [models.Index(fields=["session", "user", "joined_at"], name="roomvisit_session_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")), name="roomvisit_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.session_id} from {self.joined_at:%H:%M:%S}"


class RoomConsent(models.Model):
    """A member agreed, in the lobby, that the session may be recorded; nobody enters the room without it."""

    session = models.ForeignKey("sessions_app.Session", on_delete=models.CASCADE, related_name="room_consents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    consented_at = models.DateTimeField(_("consented at"), default=timezone.now)

    class Meta:
        verbose_name = _("recording consent")
        verbose_name_plural = _("recording consents")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="roomconsent_once_per_member")]

    def __str__(self) -> str:
        return f"{self.user} consents to recording of {self.session_id}"


class SessionMessage(models.Model):
    """A line of the room's chat (seed 002 `communications_sessionmessage`), stored as it was shown to everyone."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Message")
        TIP = "tip", _("Tip")
        SYSTEM = "system", _("Notice")

    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(_("text"), max_length=CHAT_MAX_LENGTH, blank=True)
    # A tip's amount; its text is the optional message that came with it.
    amount_paise = models.BigIntegerField(_("amount (paise)"), null=True, blank=True)
    # Contact details were hidden (a session with a minor): kept for safety reviews.
    was_masked = models.BooleanField(_("contact details hidden"), default=False)
    # Hidden by moderation after a report: kept for the record, no longer shown.
    hidden_at = models.DateTimeField(_("hidden by moderation at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["session", "created_at"], name="sessionmessage_session_idx")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"


def recording_chunk_path(instance: "RecordingChunk", filename: str) -> str:
    recording = instance.recording
    return f"recordings/{recording.session_id}/{recording.key}/{instance.sequence:06d}.webm"


class Recording(models.Model):
    """One run of the mentor's recorder: a WebM stream stored as ordered chunks in private storage.

    A run ends when the mentor stops it or leaves; a new run (after a reload) is a new recording, because each
    MediaRecorder stream carries its own header and cannot be appended to another.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="recordings"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=64, default="video/webm")
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    expires_at = models.DateTimeField(_("available until"))

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        indexes = [
            models.Index(fields=["session", "started_at"], name="recording_session_idx"),
            models.Index(fields=["expires_at"], name="recording_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(stopped_at__isnull=True), name="recording_one_running_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"Recording of {self.session_id} from {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None


class RecordingChunk(models.Model):
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chunks")
    sequence = models.PositiveIntegerField(_("sequence"))
    file = models.FileField(_("file"), storage=_private_storage, upload_to=recording_chunk_path, max_length=200)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("recording chunk")
        verbose_name_plural = _("recording chunks")
        constraints = [models.UniqueConstraint(fields=["recording", "sequence"], name="recordingchunk_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.recording_id}#{self.sequence}"


class Tip(models.Model):
    """A learner's gift to the mentor from the room (seed 002 `payments_gift`); the money goes through payments."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.PROTECT, related_name="tips"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("from"), on_delete=models.PROTECT, related_name="tips_sent"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT, related_name="tips_received"
    )
    amount_paise = models.BigIntegerField(_("amount (paise)"))
    message = models.CharField(_("message"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paise__gte=settings.TIP_MIN_PAISE, amount_paise__lte=settings.TIP_MAX_PAISE),
                name="tip_amount_within_limits",
            )
        ]

    def __str__(self) -> str:
        return f"₹{self.amount_paise / 100:g} from {self.student} to {self.mentor}"


class MentorNote(models.Model):
    """The mentor's notes on a session: private by default, or shared with the session's students."""

    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="mentor_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    is_shared = models.BooleanField(
        _("share with the students"), default=False, help_text=_("Shared notes appear in the students' session bundle.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("mentor note")
        verbose_name_plural = _("mentor notes")

    def __str__(self) -> str:
        return self.body[:60]


class FollowUpTask(models.Model):
    """Homework the mentor sets a student after a session; the student ticks it off."""

    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="follow_up_tasks"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="follow_up_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = [F("due_on").asc(nulls_last=True), "created_at", "id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        indexes = [models.Index(fields=["student", "done_at", "due_on"], name="followup_student_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Review(models.Model):
    """A student's rating of a session they attended (seed 002 `sessions_feedback`): one per booking."""

    booking = models.OneToOneField(
        "sessions_app.Booking", verbose_name=_("booking"), on_delete=models.CASCADE, related_name="review"
    )
    session = models.ForeignKey(
        "sessions_app.Session", verbose_name=_("session"), on_delete=models.CASCADE, related_name="reviews"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="reviews_written"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.CASCADE, related_name="reviews_received"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("review"), max_length=2000, blank=True)
    language = models.ForeignKey(
        "accounts.Language", verbose_name=_("language of the session"), on_delete=models.PROTECT, related_name="+"
    )
    # Hidden by moderation: not shown and not counted in the mentor's rating.
    hidden_at = models.DateTimeField(_("hidden by moderation at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["mentor", "-created_at"], name="review_mentor_recent_idx")]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.mentor} by {self.student}"


class ProgressMilestone(models.Model):
    """A step forward in a student's learning (seed 000 `user_progress`), recorded by the student or a mentor."""

    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic")
        EXAM = "exam", _("Exam")
        SKILL = "skill", _("Skill")
        CAREER = "career", _("Career")
        OTHER = "other", _("Other")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="milestones"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    session = models.ForeignKey(
        "sessions_app.Session",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ACADEMIC)
    title = models.CharField(_("milestone"), max_length=200)
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    next_steps = ArrayField(models.CharField(max_length=200), verbose_name=_("next steps"), default=list, blank=True)
    achieved_on = models.DateField(_("achieved on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        verbose_name = _("progress milestone")
        verbose_name_plural = _("progress milestones")
        indexes = [models.Index(fields=["student", "-achieved_on"], name="milestone_student_idx")]

    def __str__(self) -> str:
        return self.title


class MentorNoShow(models.Model):
    """The mentor never came to a session: recorded once, when every participant was refunded."""

    session = models.OneToOneField("sessions_app.Session", on_delete=models.CASCADE, related_name="mentor_no_show")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mentor no-show")
        verbose_name_plural = _("mentor no-shows")
        indexes = [models.Index(fields=["mentor"], name="mentornoshow_mentor_idx")]

    def __str__(self) -> str:
        return f"{self.mentor} missed {self.session_id}"
