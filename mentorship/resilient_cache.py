"""A Redis cache that keeps the site up while Redis is down (DESIGN.md §7: Redis is not the source of truth).

``ResilientRedisCache`` is Django's ``RedisCache`` with every operation guarded: a connection error or timeout
counts as a miss (reads return the default, writes do nothing) and opens a short circuit breaker, so that during
an outage requests skip Redis at once instead of each waiting for a refused or timed-out connection. Pages are then
built from PostgreSQL, only slower. Any app may rely on it through ``django.core.cache.cache``.

Counters (rate limits) must choose what an outage means: ``count_hit`` returns None when it cannot count, and each
caller decides explicitly whether to let the request through (fail open) or refuse it (fail closed).
"""

import logging
import threading
import time

import redis.exceptions
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class CacheUnavailableError(Exception):
    """Redis could not be reached (or was not tried: the breaker is open)."""


class _Breaker:
    """One per Redis location and process: Django builds a cache object per thread, the outage is shared."""

    def __init__(self) -> None:
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    # How long to skip Redis after a failure; the first request after it tries again.
    BREAKER_SECONDS = 5.0

    def __init__(self, server, params) -> None:
        # Short socket timeouts: a Redis that hangs (rather than refusing) must not hold a page for seconds.
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, **params.get("OPTIONS", {})}
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        with _breakers_lock:
            self._breaker = _breakers.setdefault(str(server), _Breaker())

    def _guarded(self, operation, *args, **kwargs):
        if self._breaker.is_open():
            raise CacheUnavailableError
        try:
            return operation(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._breaker.open_until = time.monotonic() + self.BREAKER_SECONDS
            logger.warning("Redis cache unavailable (%s): serving without it for %ss", exc, self.BREAKER_SECONDS)
            raise CacheUnavailableError from exc

    def _or(self, default, operation, *args, **kwargs):
        try:
            return self._guarded(operation, *args, **kwargs)
        except CacheUnavailableError:
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        """Raises ``CacheUnavailableError`` during an outage: a counter cannot pretend (see ``count_hit``)."""
        return self._guarded(super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        return self._or(False, super().clear)


def count_hit(key: str, *, window_seconds: int) -> int | None:
    """Count one hit on ``key`` within a window and return the count, or None when Redis is unavailable."""
    try:
        cache.add(key, 0, window_seconds)
        return cache.incr(key)
    except CacheUnavailableError:
        return None
    except ValueError:
        # The key expired between add and incr (or the add was skipped during a blip): start again.
        cache.add(key, 1, window_seconds)
        return 1
