"""The user's own consents (processing, marketing): versioned, recorded with time and address, withdrawable.

The texts are the Terms of Service and Privacy Policy (``templates/legal/``); a change to either that affects
what users agree to needs a new version here, and users are asked again.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import AuditLogEntry, ConsentRecord, User
from accounts.privacy.audit import audit_record

Purpose = ConsentRecord.Purpose
# The version of the texts a consent refers to: the Terms and Privacy Policy for processing, the marketing
# sentence on the sign-up page for marketing.
CURRENT_VERSIONS = {Purpose.PROCESSING: "2026-12", Purpose.MARKETING: "2026-12"}
LEGAL_TEXTS_VERSION = CURRENT_VERSIONS[Purpose.PROCESSING]


def consent_set(
    *, user: User, purpose: str, given: bool, ip_address: str | None, user_agent: str
) -> ConsentRecord | None:
    """Record a choice; choosing what is already in force records nothing."""
    purpose = Purpose(purpose)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_current(user=user).get(purpose)
        if current is None:
            unchanged = not given
        else:
            unchanged = current.given == given and (not given or current.version == CURRENT_VERSIONS[purpose])
        if unchanged:
            return None
        record = ConsentRecord.objects.create(
            user=user,
            purpose=purpose,
            version=CURRENT_VERSIONS[purpose],
            given=given,
            ip_address=ip_address,
            user_agent=user_agent[:300],
        )
        audit_record(
            event=AuditLogEntry.Event.CONSENT,
            subject=record,
            actor=user,
            changes={"purpose": purpose.value, "given": given, "version": record.version},
            ip_address=ip_address,
            user_agent=user_agent,
        )
    return record


def consent_current(*, user: User) -> dict[str, ConsentRecord]:
    """The latest record per purpose (one query)."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("purpose", "-at", "-id").distinct("purpose"):
        latest[record.purpose] = record
    return latest
