"""Download my data: a zip of everything PeerLearn holds about a user, built by Celery and sent as a link."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.emails import send_templated_email
from accounts.models import AuditLogEntry, DataExport, User
from accounts.privacy import registry
from accounts.privacy.audit import audit_record
from accounts.selectors import user_language

EXPORT_INTERVAL = dt.timedelta(hours=24)
EXPORT_LINK_MAX_AGE = dt.timedelta(days=7)
_SIGNING_SALT = "accounts.data-export"


def data_export_request(*, user: User) -> DataExport:
    """Queue an export; at most one a day (building one reads every table the user appears in)."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        recent = DataExport.objects.filter(
            user=user, created_at__gte=timezone.now() - EXPORT_INTERVAL, status__in=["pending", "ready"]
        ).exists()
        if recent:
            raise ValidationError(_("You asked for your data less than a day ago. You can ask again tomorrow."))
        export = DataExport.objects.create(user=user)
        audit_record(event=AuditLogEntry.Event.EXPORT, subject=export, changes={"status": "requested"})
        transaction.on_commit(lambda: _queue_build(export.pk))
    return export


def _queue_build(export_id: int) -> None:
    from accounts.tasks import build_data_export

    build_data_export.delay(export_id)


def data_export_build(*, export_id: int) -> DataExport | None:
    """Build the zip and email the link. Safe to run twice: only a pending export is built."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
        if export is None or export.status != DataExport.Status.PENDING:
            return export
        with tempfile.TemporaryFile() as archive:
            _write_archive(archive, export.user)
            archive.seek(0)
            export.file.save(f"peerlearn-data-{export.user_id}-{export.pk}.zip", File(archive), save=False)
        now = timezone.now()
        export.status, export.ready_at, export.expires_at = DataExport.Status.READY, now, now + EXPORT_LINK_MAX_AGE
        export.save(update_fields=["file", "status", "ready_at", "expires_at"])
        transaction.on_commit(lambda: _send_ready_email(export))
    return export


def data_export_contents(*, user: User) -> dict[str, registry.ExportPart]:
    return {name: exporter(user=user) for name, exporter in registry.exporters().items()}


def _write_archive(archive, user: User) -> None:
    parts = data_export_contents(user=user)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", _readme(parts))
        for name, part in parts.items():
            bundle.writestr(f"{name}.json", json.dumps(part.data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
            for archive_name, stored in part.files:
                try:
                    with stored.open("rb") as source:
                        bundle.writestr(f"files/{name}/{archive_name}", source.read())
                except FileNotFoundError:
                    continue


def _readme(parts: dict[str, registry.ExportPart]) -> str:
    lines = [
        "PeerLearn: your data",
        f"Prepared {timezone.now():%Y-%m-%d %H:%M} UTC.",
        "",
        "Each .json file holds what one part of PeerLearn keeps about you; files/ holds what you uploaded.",
        "Times are in UTC; amounts are in paise (100 paise = 1 rupee).",
        "",
        *(f"- {name}.json" for name in parts),
    ]
    return "\n".join(lines) + "\n"


def data_export_token(export: DataExport) -> str:
    return signing.dumps({"export": export.pk, "user": export.user_id}, salt=_SIGNING_SALT)


def data_export_url(export: DataExport) -> str:
    return settings.SITE_URL + reverse("accounts:data_export_download", args=[data_export_token(export)])


def data_export_for_download(*, user: User, token: str) -> DataExport:
    """The export behind a link: signed, not older than its expiry, and only for the account that asked."""
    try:
        payload = signing.loads(token, salt=_SIGNING_SALT, max_age=EXPORT_LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise Http404 from error
    if payload.get("user") != user.pk:
        raise PermissionDenied
    export = DataExport.objects.filter(pk=payload.get("export"), user=user).first()
    expired = not export or not export.expires_at or export.expires_at <= timezone.now()
    if export is None or export.status != DataExport.Status.READY or expired:
        raise Http404
    return export


def _send_ready_email(export: DataExport) -> None:
    send_templated_email(
        to=export.user.email,
        template="accounts/email/data_export_ready",
        context={"user": export.user, "download_url": data_export_url(export), "days": EXPORT_LINK_MAX_AGE.days},
        language=user_language(export.user),
    )


def data_exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their expiry (they hold a copy of everything about a person)."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now):
        export.file.delete(save=False)
        export.status = DataExport.Status.EXPIRED
        export.save(update_fields=["file", "status"])
        expired += 1
    return expired
