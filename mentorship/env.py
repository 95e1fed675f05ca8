"""Typed readers for environment variables that fail loudly on bad values."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_UNSET = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: object) -> str | object:
    value = os.environ.get(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required (see .env.example).")
        return default
    return value


def env_str(name: str, default: object = _UNSET) -> str:
    return _raw(name, default)  # type: ignore[return-value]


def env_bool(name: str, default: object = _UNSET) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}.")


def env_int(name: str, default: object = _UNSET) -> int:
    value = _raw(name, default)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def env_list(name: str, default: object = _UNSET) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in str(value).split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: object = _UNSET) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def parse_database_url(url: str) -> dict:
    """Turn postgres://user:pass@host:port/name?host=/socket/dir into Django's DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, got scheme {parts.scheme!r}.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


def redis_connection_options(url: str, *, socket_timeout: float, connect_timeout: float = 5) -> dict:
    """redis-py connection options for a REDIS_URL (redis://, rediss:// or unix://), with explicit timeouts.

    Explicit because redis-py's default socket timeout changes between releases (none before 8, 5 s since),
    and a read that outlives it raises instead of waiting. Keepalive only exists for TCP (and TLS over it):
    redis-py's unix-socket connection rejects the option.
    """
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got {url!r}.")
    options: dict = {"socket_timeout": socket_timeout, "socket_connect_timeout": connect_timeout}
    if scheme != "unix":
        options["socket_keepalive"] = True
    return options


def redis_channel_layer(url: str, *, prefix: str) -> dict:
    """The Redis channel layer's settings for REDIS_URL.

    Each receive blocks in BZPOPMIN for ``brpop_timeout`` (5 s): the socket timeout must outlast that block, or an
    idle room socket's read times out before Redis answers "nothing yet" and the error ends the consumer.
    """
    from channels_redis.core import RedisChannelLayer

    options = redis_connection_options(url, socket_timeout=RedisChannelLayer.brpop_timeout + 10)
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": url, **options}], "prefix": prefix},
    }
