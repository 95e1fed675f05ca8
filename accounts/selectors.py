from allauth.mfa.models import Authenticator

from accounts.models import Language, User


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def active_languages() -> list[Language]:
    return list(Language.objects.filter(is_active=True))
