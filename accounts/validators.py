import functools
import re
from pathlib import Path

import phonenumbers
from django.contrib.auth.password_validation import CommonPasswordValidator
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
    """Seed 000 §14.1: a password mixes upper and lower case letters, a digit and a symbol (in any script: Ä and
    Devanagari digits count)."""

    rules = (
        (str.isupper, "password_no_upper"),
        (str.islower, "password_no_lower"),
        (str.isdigit, "password_no_digit"),
        (lambda character: not character.isalnum() and not character.isspace(), "password_no_symbol"),
    )

    def validate(self, password: str, user: object = None) -> None:
        missing = [code for test, code in self.rules if not any(test(character) for character in password)]
        if missing:
            raise ValidationError(self._message(), code=missing[0])

    def _message(self) -> str:
        return _("Your password must contain an uppercase letter, a lowercase letter, a digit and a symbol.")

    def get_help_text(self) -> str:
        return self._message()


class MaximumLengthValidator:
    """Long enough for any passphrase; bounded so a huge password cannot make every hash expensive."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("Your password can have at most %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Your password can have at most %(max)d characters.") % {"max": self.max_length}


_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_TRAILING_DIGITS_AND_SYMBOLS = re.compile(r"[\W\d_]+$")


def _password_variants(password: str) -> set[str]:
    """What a breached or common password looks like once its usual disguises are removed: case, l33t spelling
    and digits or symbols stuck on the end (Passw0rd! → password, Qwerty123! → qwerty)."""
    lowered = password.casefold()
    stripped = _TRAILING_DIGITS_AND_SYMBOLS.sub("", lowered)
    variants = {lowered, stripped, lowered.translate(_LEET), stripped.translate(_LEET)}
    return {variant for variant in variants if variant}


@functools.cache
def _breached_passwords() -> frozenset[str]:
    shipped = (Path(__file__).parent / "data" / "breached_passwords.txt").read_text(encoding="utf-8").splitlines()
    own = {line.strip().casefold() for line in shipped if line.strip() and not line.startswith("#")}
    return frozenset(own | CommonPasswordValidator().passwords)


class BreachedPasswordValidator:
    """Refuses passwords from Django's list of 20,000 common passwords and the breach list shipped with the code
    (accounts/data/breached_passwords.txt: no network call), also when disguised (see ``_password_variants``)."""

    def validate(self, password: str, user: object = None) -> None:
        if _password_variants(password) & _breached_passwords():
            raise ValidationError(
                _("This password is too common or has appeared in a data breach; choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a common or breached password.")


class PersonalInfoValidator:
    """Refuses passwords that contain the person's name or the name part of their email address."""

    def validate(self, password: str, user: object = None) -> None:
        if user is None:
            return
        words = re.split(r"[\W_]+", f"{getattr(user, 'full_name', '')} {getattr(user, 'email', '').split('@')[0]}")
        lowered = password.casefold()
        plain = lowered.translate(_LEET)
        if any(len(word) >= 3 and (word.casefold() in lowered or word.casefold() in plain) for word in words):
            raise ValidationError(
                _("Your password cannot contain your name or email address."), code="password_personal"
            )

    def get_help_text(self) -> str:
        return _("Your password cannot contain your name or email address.")
