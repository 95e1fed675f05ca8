"""The notification inbox and its preferences (DESIGN §2, §7: ``accounts`` owns them; other apps raise kinds).

A notification stores its kind and parameters, never text: the title and body are rendered by the kind's display
function in the reader's language when someone reads it (``accounts.notifications.kinds``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Delivery(models.TextChoices):
        """Where an email or SMS copy stands: not owed, owed now, held by quiet hours, kept for the digest, sent."""

        NONE = "", _("Not sent")
        PENDING = "pending", _("Pending")
        HELD = "held", _("Held for quiet hours")
        DIGEST = "digest", _("Kept for the daily digest")
        SENT = "sent", _("Sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    category = models.CharField(_("category"), max_length=32)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Raising twice with the same key gives one notification (a retried task, a webhook delivered twice).
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    # False when the user turned the in-app channel off for this kind: the row only carries the email/SMS copy.
    in_app = models.BooleanField(_("shown in the app"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    email_status = models.CharField(_("email"), max_length=8, choices=Delivery.choices, blank=True, default="")
    sms_status = models.CharField(_("SMS"), max_length=8, choices=Delivery.choices, blank=True, default="")
    # When a held email or SMS may go out (the end of the recipient's quiet hours).
    deliver_after = models.DateTimeField(_("deliver after"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notif_inbox_idx",
                condition=Q(in_app=True, archived_at__isnull=True),
            ),
            models.Index(
                fields=["recipient"],
                name="notif_unread_idx",
                condition=Q(in_app=True, read_at__isnull=True, archived_at__isnull=True),
            ),
            models.Index(
                fields=["deliver_after"], name="notif_held_idx", condition=Q(email_status="held") | Q(sms_status="held")
            ),
            models.Index(fields=["recipient"], name="notif_digest_idx", condition=Q(email_status="digest")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notif_dedupe_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """The channels a user wants for one category or one kind (a kind's row wins over its category's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    key = models.CharField(_("category or kind"), max_length=64)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notif_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class NotificationSettings(models.Model):
    """Quiet hours (in the user's time zone) and the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    email_digest = models.BooleanField(_("one daily email digest instead of single emails"), default=False)
    digest_sent_on = models.DateField(_("last digest sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"
