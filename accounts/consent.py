"""Guardian consent links: signed, expiring tokens and the rules around them (seed 000 §14.3)."""

import datetime as dt

from django.core import signing

# Bump whenever templates/accounts/_consent_text.html changes, so each stored consent says what was agreed to.
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_LINK_MAX_AGE = dt.timedelta(days=7)
CONSENT_RESEND_INTERVAL = dt.timedelta(minutes=2)

_SALT = "accounts.guardian-consent"
# The guardian form's answers, kept in the session while the guardian's mobile number is being verified.
GUARDIAN_DRAFT_SESSION_KEY = "accounts.guardian-draft"


class ConsentLink:
    """What a valid token says: which consent, for which guardian address, and whether it is still fresh."""

    def __init__(self, consent_id: int, guardian_email: str, *, fresh: bool) -> None:
        self.consent_id = consent_id
        self.guardian_email = guardian_email
        self.fresh = fresh


def consent_token_make(*, consent_id: int, guardian_email: str) -> str:
    # The address is signed too, so a link sent to a guardian the student has since replaced stops working.
    return signing.TimestampSigner(salt=_SALT).sign_object({"c": consent_id, "e": guardian_email.lower()})


def consent_token_read(token: str) -> ConsentLink:
    """Decode a token; raises signing.BadSignature for forged or mangled ones.

    An expired token is still read (fresh=False): it can no longer grant consent, but a guardian must always be
    able to see the status and withdraw.
    """
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign_object(token, max_age=CONSENT_LINK_MAX_AGE)
        fresh = True
    except signing.SignatureExpired:
        value = signer.unsign_object(token)
        fresh = False
    if not isinstance(value, dict) or not isinstance(value.get("c"), int) or not isinstance(value.get("e"), str):
        raise signing.BadSignature("Malformed consent token")
    return ConsentLink(value["c"], value["e"], fresh=fresh)
