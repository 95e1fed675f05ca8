"""Signed-in devices (django-allauth's usersessions) and the cap of 3 concurrent sessions (seed 000 §14.1)."""

from __future__ import annotations

from allauth.usersessions.middleware import UserSessionsMiddleware
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

SEEN_KEY = "accounts_session_seen_at"


class ThrottledUserSessionsMiddleware(UserSessionsMiddleware):
    """allauth writes the session's "last seen" on every request; every few minutes is enough for the
    devices page and keeps ordinary pages free of that write."""

    def __call__(self, request: HttpRequest):
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            now = timezone.now().timestamp()
            if now - request.session.get(SEEN_KEY, 0) < settings.USERSESSIONS_SEEN_EVERY_SECONDS:
                return self.get_response(request)
            request.session[SEEN_KEY] = now
        return super().__call__(request)


def user_sessions_enforce_cap(sender, request: HttpRequest, user, **kwargs) -> None:
    """After a sign-in (allauth has just recorded this session), end the oldest sessions beyond the cap."""
    current = request.session.session_key
    # The new session is not saved with its user yet (that happens with the response), so allauth's purge
    # would drop it: purge (forget expired or signed-out sessions) only the others.
    others = sorted(
        (s for s in UserSession.objects.filter(user=user).exclude(session_key=current) if not s.purge()),
        key=lambda s: (s.created_at, s.pk),
    )
    excess = len(others) + 1 - settings.MAX_CONCURRENT_SESSIONS
    for session in others[: max(excess, 0)]:
        session.end()


def user_sessions_end_all(*, user) -> None:
    for session in UserSession.objects.filter(user=user):
        session.end()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """allauth records the session at sign-in, so the next refresh of "last seen" is due in a few minutes."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = timezone.now().timestamp()
