"""Rate limits per user and per IP on every endpoint, counted in Redis with `count_hit` (fixed windows); a
refusal is a 429 with `Retry-After`. They fail open while Redis is down (the database constraints still hold)."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle

from accounts.lockout import client_ip
from api.errors import ApiError
from mentorship.resilient_cache import count_hit


def _window_wait(window_seconds: int) -> int:
    return max(1, window_seconds - int(time.time()) % window_seconds)


def over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    hits = count_hit(f"{key}:{int(time.time()) // window_seconds}", window_seconds=window_seconds + 30)
    return hits is not None and hits > limit


def enforce(key: str, *, limit: int, window_seconds: int, message: str | None = None) -> None:
    """Count one attempt of a specific action (booking, payment); over the limit → 429 with Retry-After."""
    if over_limit(key, limit=limit, window_seconds=window_seconds):
        error = ApiError(429, "rate_limited", message or _("Too many requests. Please wait a moment and try again."))
        error.retry_after = _window_wait(window_seconds)  # type: ignore[attr-defined]
        raise error


class _WindowThrottle(BaseThrottle, ABC):
    """A fixed-window limit read from the setting named by `limit_setting`, counted per `key`."""

    window_seconds = 60
    limit_setting: str

    @abstractmethod
    def key(self, request: HttpRequest) -> str | None:
        """What is counted (None: this throttle does not apply to the request)."""

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.key(request)
        limit = getattr(settings, self.limit_setting)
        return key is None or not over_limit(key, limit=limit, window_seconds=self.window_seconds)

    def wait(self) -> float:
        return _window_wait(self.window_seconds)


class UserThrottle(_WindowThrottle):
    limit_setting = "API_RATE_LIMIT_PER_USER"

    def key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        return f"api:rl:user:{user.pk}" if user is not None and user.is_authenticated else None


class IpThrottle(_WindowThrottle):
    limit_setting = "API_RATE_LIMIT_PER_IP"

    def key(self, request: HttpRequest) -> str | None:
        ip = client_ip(request)
        return f"api:rl:ip:{ip}" if ip else None
