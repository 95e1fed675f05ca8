"""The audit log: who did what, when, from where; append-only and hash-chained.

django-auditlog captures model changes (settings.AUDITLOG_INCLUDE_TRACKING_MODELS); ``audit_record`` writes the
events that are not model changes (sign-ins, exports, consent). Both land in ``AuditLogEntry``, whose
PostgreSQL trigger chains each row to the one before it.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass

from auditlog.middleware import AuditlogMiddleware
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models_privacy import AuditLogEntry

Event = AuditLogEntry.Event
MASK = "[redacted]"
USER_AGENT_MAX = 300
# The current request's actor, address and browser; auditlog's own context variable outlives the request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("peerlearn_audit_request", default=None)


def mask_value(value: str) -> str:
    """Masked fields keep no part of the value (auditlog's default keeps half of it)."""
    return MASK if value else ""


class AuditContextMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the client address axes trusts and the browser's user agent."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return get_client_ip_address(request)

    def get_extra_data(self, request: HttpRequest) -> dict:
        data = super().get_extra_data(request)
        data["user_agent"] = request.headers.get("User-Agent", "")[:USER_AGENT_MAX]
        return data

    def __call__(self, request: HttpRequest):
        token = _current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            _current_request.reset(token)


def _request_context() -> dict:
    request = _current_request.get()
    if request is None:
        return {}
    user = getattr(request, "user", None)
    return {
        "actor": user if getattr(user, "is_authenticated", False) else None,
        "remote_addr": get_client_ip_address(request),
        "user_agent": request.headers.get("User-Agent", ""),
    }


def audit_record(
    *,
    event: str,
    subject: models.Model,
    actor=None,
    changes: dict | None = None,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> AuditLogEntry:
    """Append one event about ``subject``; actor, address and browser default to the current request's."""
    context = _request_context()
    if actor is None:
        actor = context.get("actor")
    return AuditLogEntry.objects.create(
        event=event,
        action=AuditLogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(subject),
        object_pk=str(subject.pk),
        object_id=subject.pk if isinstance(subject.pk, int) else None,
        object_repr=f"{subject._meta.label_lower}#{subject.pk}",
        changes=changes or {},
        actor=actor,
        remote_addr=ip_address if ip_address is not None else context.get("remote_addr"),
        user_agent=(user_agent if user_agent is not None else context.get("user_agent", ""))[:USER_AGENT_MAX],
    )


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str  # "edited": the row's content no longer matches its hash; "gap": the row before it is gone


def audit_chain_verify() -> list[ChainBreak]:
    """Recompute every row's hash in PostgreSQL (the same function the insert trigger uses) and check the links.

    The first surviving row may point at a row removed by retention; every later row must point at the row
    just before it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id,
                   entry_hash <> accounts_audit_entry_hash(prev_hash, t) AS edited,
                   prev_hash IS DISTINCT FROM lag(entry_hash) OVER (ORDER BY id) AS gap,
                   row_number() OVER (ORDER BY id) AS position
            FROM accounts_auditlogentry AS t
            ORDER BY id
            """
        )
        breaks = []
        for entry_id, edited, gap, position in cursor.fetchall():
            if edited:
                breaks.append(ChainBreak(entry_id, "edited"))
            elif gap and position > 1:
                breaks.append(ChainBreak(entry_id, "gap"))
    return breaks


def audit_retention_purge(*, now: dt.datetime | None = None) -> int:
    """Remove rows older than the retention period (5 years); the only deletion the trigger lets through."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL peerlearn.audit_retention_purge = 'on'")
        cursor.execute("DELETE FROM accounts_auditlogentry WHERE timestamp < %s", [cutoff])
        return cursor.rowcount


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(event=Event.SIGN_IN, subject=user, actor=user, **_request_details(request))


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(event=Event.SIGN_OUT, subject=user, actor=user, **_request_details(request))


def _request_details(request: HttpRequest | None) -> dict:
    if request is None:
        return {}
    return {
        "ip_address": get_client_ip_address(request),
        "user_agent": request.headers.get("User-Agent", ""),
    }
