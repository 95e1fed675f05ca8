"""Child safety in chat (seed 000 §14.3): in a session with a participant under 18, contact details are hidden.

Phone numbers, e-mail addresses and UPI ids are replaced before a message is stored or relayed, so nobody in the
room (nor the session bundle later) ever sees them. The rules lean towards hiding: a long run of digits is treated
as a phone number even when spaced out, and ``name [at] domain [dot] com`` counts as an address.
"""

import re

MASK = "[•••]"

_AT = r"(?:@|\s*[\[(]\s*at\s*[\])]\s*)"
_DOT = r"(?:\.|\s*[\[(]\s*dot\s*[\])]\s*)"

EMAIL_RE = re.compile(rf"[A-Za-z0-9._%+\-]+{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}", re.I)
# A UPI id is `handle@bank` (okaxis, ybl, paytm, upi …): an address without a dot after the @.
UPI_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._\-]*{_AT}[A-Za-z][A-Za-z0-9]{{1,63}}\b", re.I)
# Digits with the separators people type between them; counted afterwards (see PHONE_MIN_DIGITS).
DIGIT_RUN_RE = re.compile(r"(?<![\w])[+(]{0,3}\d(?:[\s.\-()]{0,3}\d)+\)?(?![\w])")
# Indian mobiles have 10 digits, landlines 10–11 with the STD code (040 2345 6789), more with +91 / 0091.
PHONE_MIN_DIGITS = 10


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    digits = sum(character.isdigit() for character in run)
    return MASK if digits >= PHONE_MIN_DIGITS else run


def mask_contact_details(text: str) -> str:
    """The text with every e-mail address, UPI id and phone number replaced by ``MASK``."""
    text = EMAIL_RE.sub(MASK, text)
    text = UPI_RE.sub(MASK, text)
    return DIGIT_RUN_RE.sub(_mask_digit_run, text)
