"""Where a mentor's payouts go. Only with two-factor sign-in on (when the site requires it for staff)."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.privacy.phone import phone_is_verified
from accounts.selectors import user_has_mfa
from mentors.models import MentorPayoutDetails, MentorProfile

IFSC_PATTERN = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
ACCOUNT_NUMBER_PATTERN = re.compile(r"^\d{9,18}$")
UPI_PATTERN = re.compile(r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$")
PAN_PATTERN = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")


def payout_details_require_mfa() -> bool:
    return settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF


def payout_details_set(
    *,
    mentor: MentorProfile,
    account_holder_name: str,
    bank_account_number: str = "",
    ifsc: str = "",
    upi_id: str = "",
    pan: str = "",
) -> MentorPayoutDetails:
    if payout_details_require_mfa() and not user_has_mfa(mentor.user):
        raise PermissionDenied(_("Turn on two-factor sign-in before setting payout details."))
    if not phone_is_verified(mentor.user):
        raise PermissionDenied(_("Verify your mobile number before setting payout details."))
    bank_account_number = re.sub(r"\s+", "", bank_account_number)
    ifsc = ifsc.strip().upper()
    upi_id = upi_id.strip()
    pan = pan.strip().upper()
    errors: dict[str, str] = {}
    if not account_holder_name.strip():
        errors["account_holder_name"] = _("Enter the name on the account.")
    if bank_account_number or ifsc:
        if not ACCOUNT_NUMBER_PATTERN.match(bank_account_number):
            errors["bank_account_number"] = _("An account number has 9 to 18 digits.")
        if not IFSC_PATTERN.match(ifsc):
            errors["ifsc"] = _("An IFSC looks like SBIN0001234.")
    if upi_id and not UPI_PATTERN.match(upi_id):
        errors["upi_id"] = _("A UPI id looks like name@bank.")
    if pan and not PAN_PATTERN.match(pan):
        errors["pan"] = _("A PAN looks like ABCDE1234F.")
    if not (bank_account_number or ifsc or upi_id):
        errors["upi_id"] = _("Give a bank account with IFSC, or a UPI id.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        details, _created = MentorPayoutDetails.objects.update_or_create(
            mentor=mentor,
            defaults={
                "account_holder_name": account_holder_name.strip(),
                "bank_account_number": bank_account_number,
                "ifsc": ifsc,
                "upi_id": upi_id,
                "pan": pan,
            },
        )
    return details
