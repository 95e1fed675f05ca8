from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.consent import CONSENT_LINK_MAX_AGE, consent_token_make
from accounts.emails import send_templated_email
from accounts.models import GuardianConsent
from accounts.selectors import user_language
from outbox.services import effect_once


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
