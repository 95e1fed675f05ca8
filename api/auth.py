"""Who is calling: an app token (allauth headless "app" client, `X-Session-Token`) or the site's session cookie
(CSRF checked on unsafe methods). Staff need a sign-in that passed the second factor, as on the pages."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from allauth.account.authentication import get_authentication_records
from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, SessionAuth

from accounts.selectors import language_code
from api.errors import ApiError

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from accounts.models import User

TOKEN_HEADER = "X-Session-Token"  # noqa: S105 - a header name, not a secret
UI_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class ApiRequest(HttpRequest):
    """A request to an endpoint under the default `auth=SIGNED_IN`: one of its authenticators has let an active
    user in (public endpoints, `auth=PUBLIC`, take a plain `HttpRequest`)."""

    user: User
    api_token_session: SessionBase  # set only for an app token; read it with getattr


def _activate_language(request: HttpRequest, user) -> None:
    """The user's language for messages, as `accounts.middleware.UserLanguageMiddleware` picks it for pages."""
    code = user.ui_language or (language_code(user.primary_language_id) if user.primary_language_id else "")
    if code in UI_LANGUAGE_CODES:
        translation.activate(code)
        request.LANGUAGE_CODE = code


def passed_mfa(request: HttpRequest, user) -> bool:
    """True when the cookie session or the app token's session included a second-factor step."""
    session = getattr(request, "api_token_session", None) or request.session
    records = get_authentication_records(SimpleNamespace(session=session), user)
    return any(record.get("method") == "mfa" for record in records)


def _check_staff_mfa(request: HttpRequest, user) -> None:
    if settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF and user.is_staff and not passed_mfa(request, user):
        raise ApiError(403, "mfa_required", _("Staff accounts must sign in with two-factor authentication."))


class AppTokenAuth(APIKeyHeader):
    """`X-Session-Token` from `/api/v1/auth/app/v1/auth/login` (or signup, verification, MFA)."""

    param_name = TOKEN_HEADER
    openapi_description = "Session token of the allauth headless app client (see /api/v1/auth/)."

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            return None
        found = authenticate_by_x_session_token(key)
        if not found:
            return None
        user, session = found
        if not user.is_active:
            return None
        signed_in = cast(ApiRequest, request)
        signed_in.user = user
        signed_in.api_token_session = session
        _check_staff_mfa(request, user)
        _activate_language(request, user)
        return user


class CookieAuth(SessionAuth):
    """The site's own session cookie; Ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user:
            _check_staff_mfa(request, user)
        return user


class Anonymous:
    """Lets a public endpoint through without credentials (an invalid token is still refused)."""

    def __call__(self, request: HttpRequest):
        if request.headers.get(TOKEN_HEADER):
            return None
        return "anonymous"


app_token = AppTokenAuth()
cookie = CookieAuth()
SIGNED_IN = [app_token, cookie]
PUBLIC = [app_token, cookie, Anonymous()]


def require_staff(request: HttpRequest):
    """Support or admin staff (with MFA, already checked at authentication)."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        raise ApiError(403, "forbidden", _("You do not have permission to do this."))
    return user
