"""The staff side of running the platform: support tickets, account actions (suspension), mentor quality reviews,
platform feedback and the daily analytics rollups."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _private_storage():
    return storages["private"]


class Ticket(models.Model):
    class Category(models.TextChoices):
        BOOKING = "booking", _("Booking")
        PAYMENT = "payment", _("Payments and refunds")
        TECHNICAL = "technical", _("Technical problem")
        SAFETY = "safety", _("Safety")
        ACCOUNT = "account", _("Account")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING_ON_USER = "waiting", _("Waiting on you")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.IntegerChoices):
        # Lower sorts first in the queue.
        URGENT = 1, _("Urgent")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Low")

    FIRST_RESPONSE_TARGETS = {
        Priority.URGENT: dt.timedelta(minutes=15),
        Priority.HIGH: dt.timedelta(hours=4),
        Priority.NORMAL: dt.timedelta(hours=24),
        Priority.LOW: dt.timedelta(hours=72),
    }
    AUTO_CLOSE_AFTER = dt.timedelta(days=7)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_tickets",
    )
    # A visitor's contact form has no account: we answer by email.
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    language_code = models.CharField(_("language"), max_length=8, default="en")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    booking = models.ForeignKey(
        "sessions_app.Booking",
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("payment"),
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
        related_name="+",
    )
    is_emergency = models.BooleanField(_("emergency"), default=False)
    is_appeal = models.BooleanField(_("suspension appeal"), default=False)
    # What the room looked like when an emergency was reported: participants, time and the last chat lines.
    context = models.JSONField(_("session context"), default=dict, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["priority", "first_response_due_at", "id"]
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        indexes = [
            models.Index(fields=["status", "priority", "first_response_due_at"], name="ticket_queue_idx"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_idx"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_idx", condition=Q(status="resolved")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requester__isnull=False) | ~Q(contact_email=""), name="ticket_has_someone_to_answer"
            ),
            models.UniqueConstraint(
                fields=["requester"], condition=Q(is_appeal=True), name="ticket_one_appeal_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def sla_breached(self, now: dt.datetime | None = None) -> bool:
        """The first response came (or is still missing) after its target."""
        if self.first_response_at is not None:
            return self.first_response_at > self.first_response_due_at
        return (now or timezone.now()) > self.first_response_due_at

    @property
    def is_breached(self) -> bool:
        return self.sla_breached()

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @classmethod
    def breached_q(cls, now: dt.datetime) -> Q:
        return Q(first_response_at__isnull=True, first_response_due_at__lt=now) | Q(
            first_response_at__gt=F("first_response_due_at")
        )


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(_("from staff"), default=False)
    # Staff-only notes are never shown to the requester nor emailed.
    is_internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketmessage_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


def attachment_path(instance: "TicketAttachment", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"support/{instance.message.ticket.uuid}/{uuid.uuid4().hex}.{extension}"


class TicketAttachment(models.Model):
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, storage=_private_storage, max_length=255)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file.name


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=100, unique=True)
    body = models.TextField(_("text"), max_length=5000)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class AccountAction(models.Model):
    """A staff decision about a user's account; the latest one explains the account's status."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("Suspended")
        DEACTIVATE = "deactivate", _("Deactivated")
        REINSTATE = "reinstate", _("Reinstated")
        WARN = "warn", _("Warned")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_actions")
    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account action")
        verbose_name_plural = _("account actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user_id}"


class QualityReview(models.Model):
    class Trigger(models.TextChoices):
        LOW_RATING = "low_rating", _("Rating under 3.5 over the last 10 reviews")
        # xgettext:no-python-format
        LOW_COMPLETION = "low_completion", _("Completion under 90 % over 30 days")
        NO_SHOWS = "no_shows", _("2 or more no-shows in 30 days")
        AUDIT = "audit", _("Random audit of a session")

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        WARNING = "warning", _("Warning")
        TRAINING = "training", _("Training required")
        SUSPENSION = "suspension", _("Suspension")

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_reviews")
    trigger = models.CharField(_("reason"), max_length=16, choices=Trigger.choices)
    session = models.ForeignKey(
        "sessions_app.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metrics = models.JSONField(_("metrics when opened"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note to the mentor"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A warning or a training requirement stays on the mentor's dashboard until they acknowledge it.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "trigger"],
                condition=Q(decided_at__isnull=True) & ~Q(trigger="audit"),
                name="quality_one_open_review_per_trigger",
            ),
            models.UniqueConstraint(
                fields=["session"], condition=Q(trigger="audit"), name="quality_one_audit_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} · {self.mentor_id}"


class PlatformFeedback(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        "sessions_app.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("how was PeerLearn?"), choices=[(n, str(n)) for n in range(1, 6)])
    comment = models.TextField(_("what should we improve?"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("platform feedback")
        verbose_name_plural = _("platform feedback")
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.rating}/5"


class ModerationReport(models.Model):
    """A user reports another user, a review, a room chat message or a direct message; staff decide in the
    moderation queue."""

    class Kind(models.TextChoices):
        USER = "user", _("User")
        REVIEW = "review", _("Review")
        MESSAGE = "message", _("Chat message")
        DIRECT_MESSAGE = "direct", _("Direct message")

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", _("Harassment or bullying")
        INAPPROPRIATE = "inappropriate", _("Inappropriate or sexual content")
        CONTACT = "contact", _("Asking for contact details or to meet outside PeerLearn")
        SPAM = "spam", _("Spam or advertising")
        FAKE = "fake", _("Fake or misleading")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")
        HIDDEN = "hidden", _("Content hidden")
        WARNED = "warned", _("User warned")
        SUSPENDED = "suspended", _("User suspended")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=8, choices=Kind.choices)
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported user"), on_delete=models.CASCADE, related_name="reports"
    )
    review = models.ForeignKey("sessions_app.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "sessions_app.SessionMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    direct_message = models.ForeignKey(
        "sessions_app.DirectMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("moderation report")
        verbose_name_plural = _("moderation reports")
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "reported_user", "review", "message", "direct_message"],
                condition=Q(status="open"),
                nulls_distinct=False,
                name="report_once_while_open",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="user") & Q(review__isnull=True) & Q(message__isnull=True) & Q(direct_message__isnull=True)
                )
                | (Q(kind="review") & Q(review__isnull=False))
                | (Q(kind="message") & Q(message__isnull=False))
                | (Q(kind="direct") & Q(direct_message__isnull=False)),
                name="report_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report on {self.reported_user_id}"


class DailyMetric(models.Model):
    """One number of one day, split by language and state (and a segment for distributions), written by the
    analytics rollup. The dashboard reads only these rows, never the live tables."""

    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=32)
    language_code = models.CharField(_("language"), max_length=8, blank=True)
    state = models.CharField(_("state"), max_length=100, blank=True)
    # For distributions: the rating, the academic level, the subject, the language in supply and demand.
    segment = models.CharField(_("segment"), max_length=40, blank=True)
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        indexes = [
            # The dashboard's reads: one language/state slice ("*" for all), some metrics, a range of days.
            models.Index(
                fields=["language_code", "state", "metric", "day"],
                name="dailymetric_slice_idx",
                include=["segment", "value"],
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "language_code", "state", "segment"], name="dailymetric_one_row_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.language_code}/{self.state}/{self.segment} = {self.value}"
