"""Privacy records: the hash-chained audit log, data exports and account deletion requests."""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogManager(LogEntryManager):
    """django-auditlog's manager, made to keep only pseudonymous references.

    An audit row outlives the account it mentions (it is kept five years and cannot be edited), so it names
    objects by type and id, never by their text (a user's ``__str__`` is their name).
    """

    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs.setdefault("object_repr", f"{instance._meta.label_lower}#{instance.pk}")
        kwargs.setdefault("serialized_data", None)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        kwargs.setdefault("object_repr", f"{instance._meta.label_lower}#{instance.pk}")
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditLogEntry(AbstractLogEntry):
    """One append-only audit row. Model changes come from django-auditlog; other events through ``audit_record``.

    A PostgreSQL trigger (migration 0004) refuses UPDATE and DELETE, serialises inserts and fills
    ``prev_hash`` and ``entry_hash`` = sha256(previous hash + this row's content), so an edited or removed
    row breaks the chain (``audit_chain_verify``).
    """

    class Event(models.TextChoices):
        MODEL_CHANGE = "model.change", _("Record changed")
        SIGN_IN = "auth.sign_in", _("Signed in")
        SIGN_OUT = "auth.sign_out", _("Signed out")
        MFA = "auth.mfa", _("Two-factor sign-in changed")
        CONSENT = "privacy.consent", _("Consent given or withdrawn")
        EXPORT = "privacy.export", _("Data export")
        DELETION = "privacy.deletion", _("Account deletion")
        KEY_ROTATION = "privacy.key_rotation", _("Encryption keys rotated")

    # The actor is kept by id only (see the manager); an email here would outlive the account.
    actor_email = None
    event = models.CharField(_("event"), max_length=32, choices=Event.choices, default=Event.MODEL_CHANGE)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="", editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, blank=True, default="", editable=False)

    objects = AuditLogManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["event", "-timestamp"], name="audit_event_time_idx")]


def _private_storage():
    return storages["private"]


class DataExport(models.Model):
    """A "download my data" request; the zip lives in private storage until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="exports/", storage=_private_storage, blank=True, max_length=255)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"export #{self.pk} ({self.status})"


class AccountDeletion(models.Model):
    """A request to delete an account, carried out when the grace period ends unless cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        WAITING_PAYOUT = "waiting_payout", _("Waiting for the last payout")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deletion_requests")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["scheduled", "waiting_payout"]),
                name="accounts_one_open_deletion_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"deletion of user #{self.user_id} ({self.status})"


class ConsentRecord(models.Model):
    """One act of giving or withdrawing consent (DPDP Act 2023 §6): which text version, when, from where.

    Rows are only added, never changed; the latest row per purpose is the user's current choice.
    """

    class Purpose(models.TextChoices):
        PROCESSING = "processing", _("Processing my data to run my account")
        MARKETING = "marketing", _("News and offers by email")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    version = models.CharField(_("text version"), max_length=16)
    given = models.BooleanField(_("given"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["user", "purpose", "-at"], name="consent_user_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {'given' if self.given else 'withdrawn'} ({self.version})"


class PhoneVerification(models.Model):
    """A one-time code sent by SMS to prove a phone number (seed 000 §14.4); only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(_("phone number"), max_length=20)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [models.Index(fields=["user", "-created_at"], name="phone_verif_user_idx")]

    def __str__(self) -> str:
        return f"phone verification #{self.pk} ({'verified' if self.verified_at else 'pending'})"
