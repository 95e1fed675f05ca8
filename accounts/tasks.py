import datetime as dt

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.consent import CONSENT_LINK_MAX_AGE, consent_token_make
from accounts.emails import send_templated_email
from accounts.models import DataExport, GuardianConsent
from accounts.privacy.audit import audit_retention_purge
from accounts.privacy.deletion import account_deletions_run_due, inactive_accounts_schedule_deletion
from accounts.privacy.exports import data_export_build, data_exports_expire
from accounts.selectors import user_language
from outbox.services import effect_once

STALE_EXPORT = dt.timedelta(minutes=15)


def _consent_context(consent: GuardianConsent) -> dict:
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    return {
        "consent": consent,
        "student": consent.student,
        "consent_url": settings.SITE_URL + reverse("accounts:guardian_consent", args=[token]),
        "link_days": CONSENT_LINK_MAX_AGE.days,
    }


@shared_task
def send_guardian_consent_request(consent_id: int) -> None:
    """Email the guardian a fresh consent link, in the student's language."""
    consent = GuardianConsent.objects.select_related("student__primary_language").get(pk=consent_id)
    if consent.status != GuardianConsent.Status.PENDING:
        return
    with effect_once("email") as first:
        if not first:
            return
        send_templated_email(
            to=consent.guardian_email,
            template="accounts/email/guardian_consent_request",
            context=_consent_context(consent),
            language=user_language(consent.student),
        )


@shared_task
def send_guardian_consent_granted(consent_id: int) -> None:
    """Confirm the consent to the guardian, with the link that lets them withdraw it at any time."""
    consent = GuardianConsent.objects.select_related("student__primary_language").get(pk=consent_id)
    if consent.status != GuardianConsent.Status.GRANTED:
        return
    with effect_once("email") as first:
        if not first:
            return
        send_templated_email(
            to=consent.guardian_email,
            template="accounts/email/guardian_consent_granted",
            context=_consent_context(consent),
            language=user_language(consent.student),
        )


@shared_task
def build_data_export(export_id: int) -> None:
    data_export_build(export_id=export_id)


@shared_task
def privacy_housekeeping() -> None:
    """Hourly: carry out due account deletions, schedule those of long-inactive accounts, purge audit rows
    past retention, build exports whose queued task was lost, expire old export files."""
    account_deletions_run_due()
    inactive_accounts_schedule_deletion()
    audit_retention_purge()
    for export_id in DataExport.objects.filter(
        status=DataExport.Status.PENDING, created_at__lte=timezone.now() - STALE_EXPORT
    ).values_list("pk", flat=True):
        data_export_build(export_id=export_id)
    data_exports_expire()


@shared_task(name="accounts.notification_deliver")
def notification_deliver(notification_id: int, guardians: bool = False) -> None:
    """Send a notification's email / SMS copies (and guardians' copies) still owed."""
    from accounts.notifications.delivery import notification_deliver as deliver

    deliver(notification_id=notification_id, guardians=guardians)


@shared_task(name="accounts.notifications_release_held")
def notifications_release_held() -> int:
    """Quiet hours over: email and SMS copies held until now go out."""
    from accounts.notifications.delivery import notifications_release_held as release

    return release()


@shared_task(name="accounts.notification_digests")
def notification_digests() -> int:
    """Daily digests for users whose local digest hour has come."""
    from accounts.notifications.delivery import notification_digests_send

    return notification_digests_send()
