import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_PHONE_REGION = "IN"


def normalize_phone(value: str) -> str:
    """Return the number in E.164 form (+919876543210); a number without a country code is taken as Indian."""
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number, e.g. +91 98765 43210."), code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. +91 98765 43210."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_indian_or_international_phone(value: str) -> None:
    if value:
        normalize_phone(value)


class CharacterClassesValidator:
    """Seed 000 §14.1: a password mixes upper and lower case letters, a digit and a symbol."""

    rules = (
        (re.compile(r"[A-Z]"), "password_no_upper"),
        (re.compile(r"[a-z]"), "password_no_lower"),
        (re.compile(r"\d"), "password_no_digit"),
        (re.compile(r"[^A-Za-z0-9]"), "password_no_symbol"),
    )

    def validate(self, password: str, user: object = None) -> None:
        missing = [code for pattern, code in self.rules if not pattern.search(password)]
        if missing:
            raise ValidationError(self._message(), code=missing[0])

    def _message(self) -> str:
        return _("Your password must contain an uppercase letter, a lowercase letter, a digit and a symbol.")

    def get_help_text(self) -> str:
        return self._message()
