from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from accounts.selectors import language_code
from accounts.timezones import viewer_time_zone

UI_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Signed-in users see the language they last picked (saved on the account, so it follows them to any device);
    until they pick one, their primary language when it is a UI language and no language cookie says otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            code = user.ui_language
            if not code and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user.primary_language_id:
                code = language_code(user.primary_language_id)
            if code in UI_LANGUAGE_CODES:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and request.path == reverse("set_language")
            and request.POST.get("language") in UI_LANGUAGE_CODES
        ):
            from accounts.services import user_ui_language_set

            user_ui_language_set(user=request.user, language_code=request.POST["language"])
        return response


class SessionLifetimeMiddleware:
    """Sessions last 24 h; staff sessions 1 h (set once per session, at the first request after login)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not request.session.get("_staff_lifetime"):
            request.session.set_expiry(settings.STAFF_SESSION_COOKIE_AGE)
            request.session["_staff_lifetime"] = True
        return self.get_response(request)


class StaffMfaRequiredMiddleware:
    """Staff pages need a session that passed the second factor, not only an enrolled authenticator: without the
    check, any sign-in path that asks for the password alone (Django admin's own form was one) would be enough.
    Staff who have not enrolled are sent to set up TOTP; enrolled staff whose session has no MFA step are asked
    for a code (allauth's MFA re-authentication records it in the session).
    """

    # The JSON API answers 403 "mfa_required" itself (api/auth.py) instead of redirecting to a page.
    allowed_prefixes = ("/accounts/", "/static/", "/i18n/", "/api/health/", "/api/v1/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF
            and request.user.is_authenticated
            and request.user.is_staff
            and not request.path.startswith(self.allowed_prefixes)
            and not session_passed_mfa(request)
        ):
            from accounts.selectors import user_has_mfa

            target = "mfa_reauthenticate" if user_has_mfa(request.user) else "mfa_activate_totp"
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}, safe="/"))
        return self.get_response(request)


def session_passed_mfa(request: HttpRequest) -> bool:
    """True when this session's sign-in (or a later re-authentication) included a second-factor step."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class ViewerTimeZoneMiddleware:
    """Render every time in the viewer's zone: theirs when signed in, else their browser's, else India's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(viewer_time_zone(request)):
            return self.get_response(request)
