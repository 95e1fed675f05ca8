"""Phone verification by one-time code: hashed, expiring after 10 minutes, 5 attempts, limited resends."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import PhoneVerification, User
from accounts.sms import send_sms

CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_CODES_PER_HOUR = 5


def _hash(code: str, *, verification_user_id: int, phone: str) -> str:
    return salted_hmac("accounts.phone-verification", f"{verification_user_id}:{phone}:{code}").hexdigest()


def phone_is_verified(user: User, phone: str | None = None) -> bool:
    """Whether the user's current number (or ``phone``, a number the user named, such as their guardian's) has
    been proved by a code (a changed number needs a new code)."""
    phone = user.phone if phone is None else phone
    return bool(phone) and PhoneVerification.objects.filter(user=user, phone=phone, verified_at__isnull=False).exists()


def phone_verification_send(
    *, user: User, phone: str | None = None, now: dt.datetime | None = None
) -> PhoneVerification:
    """Text a code to the user's number, or to ``phone`` (a number the user named; the limits are the user's)."""
    now = now or timezone.now()
    phone = user.phone if phone is None else phone
    if not phone:
        raise ValidationError(_("Add your mobile number first."), code="no_phone")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        recent = PhoneVerification.objects.filter(user=user, created_at__gte=now - dt.timedelta(hours=1))
        if recent.filter(created_at__gte=now - RESEND_AFTER).exists():
            raise ValidationError(_("Wait a minute before asking for another code."), code="too_soon")
        if recent.count() >= MAX_CODES_PER_HOUR:
            raise ValidationError(_("Too many codes asked for. Try again in an hour."), code="too_many")
        code = f"{secrets.randbelow(1_000_000):06d}"
        verification = PhoneVerification.objects.create(
            user=user,
            phone=phone,
            code_hash=_hash(code, verification_user_id=user.pk, phone=phone),
            expires_at=now + CODE_LIFETIME,
        )
        body = _("Your PeerLearn code is %(code)s. It expires in 10 minutes. Never share it.") % {"code": code}
        transaction.on_commit(lambda: send_sms(to=phone, body=body))
    return verification


def phone_verification_check(
    *, user: User, code: str, phone: str | None = None, now: dt.datetime | None = None
) -> PhoneVerification:
    now = now or timezone.now()
    phone = user.phone if phone is None else phone
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, phone=phone, verified_at__isnull=True)
            .first()
        )
        if verification is None or verification.expires_at <= now:
            raise ValidationError(_("This code has expired. Ask for a new one."), code="expired")
        if verification.attempts >= MAX_ATTEMPTS:
            raise ValidationError(_("Too many wrong codes. Ask for a new one."), code="locked")
        verification.attempts += 1
        expected = _hash(code.strip(), verification_user_id=user.pk, phone=phone)
        matches = constant_time_compare(expected, verification.code_hash)
        if matches:
            verification.verified_at = now
        # A wrong attempt is saved (committed) before the error is raised, so guessing runs out.
        verification.save(update_fields=["attempts", "verified_at"])
    if not matches:
        raise ValidationError(_("That code is not right."), code="wrong")
    return verification
