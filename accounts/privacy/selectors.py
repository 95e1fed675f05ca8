"""Reads for the privacy pages: the audit log search, pending deletions, a user's exports and consents."""

import datetime as dt

from django.db.models import QuerySet

from accounts.models_privacy import AccountDeletion, AuditLogEntry


def audit_log_search(
    *,
    event: str = "",
    model: str = "",
    object_pk: str = "",
    actor_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditLogEntry]:
    entries = AuditLogEntry.objects.select_related("content_type").order_by("-id")
    if event:
        entries = entries.filter(event=event)
    if model:
        app_label, _dot, model_name = model.partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model_name)
    if object_pk:
        entries = entries.filter(object_pk=object_pk)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(timestamp__date__gte=since)
    if until is not None:
        entries = entries.filter(timestamp__date__lte=until)
    return entries


def pending_deletions() -> QuerySet[AccountDeletion]:
    return AccountDeletion.objects.filter(
        status__in=[AccountDeletion.Status.SCHEDULED, AccountDeletion.Status.WAITING_PAYOUT]
    ).select_related("user").order_by("due_at")
