from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, Language, StudentProfile, User

UI_LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def active_languages() -> list[Language]:
    return list(Language.objects.filter(is_active=True))


# Language id → code, filled as ids are seen: a code is the language's identity and never changes, and the
# middleware needs it on every signed-in page.
_language_codes: dict[int, str] = {}


def language_code(language_id: int) -> str:
    code = _language_codes.get(language_id)
    if code is None:
        code = _language_codes[language_id] = Language.objects.values_list("code", flat=True).get(pk=language_id)
    return code


def user_language(user: User) -> str:
    """The interface language for this user: their explicit choice, else their primary language if we offer it."""
    if user.ui_language in UI_LANGUAGE_CODES:
        return user.ui_language
    if user.primary_language_id is not None and user.primary_language.code in UI_LANGUAGE_CODES:
        return user.primary_language.code
    return settings.LANGUAGE_CODE


def student_profile_for(user: User) -> StudentProfile | None:
    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def guardian_consent_current(user: User) -> GuardianConsent | None:
    """The student's latest consent request (history stays in the table)."""
    return GuardianConsent.objects.filter(student=user).order_by("-created_at", "-pk").first()


def email_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def student_can_book(user: User) -> tuple[bool, str]:
    """Whether this student may book a session now, and if not, a translated reason to show them."""
    if not user.is_authenticated:
        return False, _("Log in to book a session.")
    if not email_verified(user):
        return False, _("Verify your email address before booking.")
    profile = student_profile_for(user)
    if profile is None or not profile.is_onboarded:
        return False, _("Finish setting up your profile before booking.")
    if user.is_minor:
        consent = guardian_consent_current(user)
        if consent is None or consent.status != GuardianConsent.Status.GRANTED:
            return False, _("Because you are under 18, your parent or guardian must give consent before you can book.")
    return True, ""


# Notifications (the implementation lives in ``accounts.notifications``).
from accounts.notifications.selectors import (  # noqa: E402, F401
    InboxItem,
    notification_for_user,
    notification_payload,
    notification_unread_count,
    notifications_for_inbox,
)
