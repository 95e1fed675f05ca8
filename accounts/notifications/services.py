"""Raising notifications and the writes on the inbox and preferences (re-exported by ``accounts.services``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification, NotificationPreference, NotificationSettings, StudentProfile, User
from accounts.notifications.kinds import CATEGORIES, NotificationKind, notification_kind, notification_kinds
from accounts.notifications.live import notification_group_send
from outbox.services import enqueue

Delivery = Notification.Delivery
URGENT = Notification.Priority.URGENT


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    sms: bool


def notification_channels(
    user: User, kind: NotificationKind, *, profile: StudentProfile | None | Literal[False] = False
) -> Channels:
    """The channels ``user`` wants for ``kind``: the kind's defaults, then the category's row, then the kind's row;
    the profile's master switches (students) turn a channel off everywhere. Mandatory kinds ignore preferences.
    ``profile`` may be passed when already loaded (None for a user without one)."""
    if kind.mandatory:
        return Channels(in_app=True, email=True, sms=kind.sms and bool(user.phone))
    in_app, email, sms = True, kind.email, kind.sms
    rows = {p.key: p for p in NotificationPreference.objects.filter(user=user, key__in=[kind.category, kind.key])}
    for key in (kind.category, kind.key):
        if key in rows:
            in_app, email, sms = rows[key].in_app, rows[key].email, rows[key].sms
    if profile is False:
        profile = StudentProfile.objects.filter(user=user).first()
    if profile is not None:
        if kind.category == "reminders" and not profile.notify_reminders:
            return Channels(False, False, False)
        in_app, email, sms = (
            in_app and profile.notify_in_app,
            email and profile.notify_email,
            sms and profile.notify_sms,
        )
    return Channels(in_app=in_app, email=email, sms=sms and bool(user.phone))


def _recipient_context(user: User) -> tuple[StudentProfile | None, NotificationSettings | None]:
    """The recipient's profile switches and notification settings, in one query."""
    row = User.objects.filter(pk=user.pk).select_related("student_profile", "notification_settings").first()
    if row is None:
        return None, None
    return getattr(row, "student_profile", None), getattr(row, "notification_settings", None)


def quiet_hours_end(
    user: User, now: dt.datetime, settings_row: NotificationSettings | None = None
) -> dt.datetime | None:
    """When the user's quiet hours end, if ``now`` falls inside them (in their own time zone); else None."""
    if settings_row is None:
        settings_row = NotificationSettings.objects.filter(user=user).first()
    if settings_row is None or settings_row.quiet_start is None or settings_row.quiet_end is None:
        return None
    start, end = settings_row.quiet_start, settings_row.quiet_end
    if start == end:
        return None
    local = now.astimezone(user.tzinfo)
    at = local.time().replace(tzinfo=None)
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    end_day = local.date() if at < end else local.date() + dt.timedelta(days=1)
    ends = dt.datetime.combine(end_day, end, tzinfo=user.tzinfo)
    return ends.astimezone(dt.UTC)


def notification_raise(
    *,
    recipient: User,
    kind: str,
    params: dict[str, Any] | None = None,
    link: str = "",
    priority: str | None = None,
    dedupe_key: str | None = None,
    expires_at: dt.datetime | None = None,
) -> Notification | None:
    """Tell ``recipient`` about an event of a registered ``kind``.

    Stores the notification (no text: ``params`` are rendered in the reader's language when read), pushes it to
    the recipient's open tabs after commit, and owes the email / SMS copies and guardians' copies through the
    outbox, as the recipient's preferences, quiet hours and digest choice say. Raising again with the same
    ``dedupe_key`` returns the first one. None when the recipient wants this kind on no channel at all.
    """
    spec = notification_kind(kind)
    priority = priority or spec.priority
    profile, settings_row = _recipient_context(recipient)
    channels = notification_channels(recipient, spec, profile=profile)
    guardians = spec.guardian_copy and recipient.is_minor
    if not (channels.in_app or channels.email or channels.sms or guardians):
        return None
    now = timezone.now()
    held_until = None if priority == URGENT else quiet_hours_end(recipient, now, settings_row)
    email_status = sms_status = Delivery.NONE
    if channels.email:
        if (
            priority in (Notification.Priority.LOW, Notification.Priority.NORMAL)
            and settings_row
            and (settings_row.email_digest)
        ):
            email_status = Delivery.DIGEST
        else:
            email_status = Delivery.HELD if held_until else Delivery.PENDING
    if channels.sms:
        sms_status = Delivery.HELD if held_until else Delivery.PENDING
    with transaction.atomic():
        if dedupe_key:
            existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
            if existing is not None:
                return existing
        notification = Notification(
            recipient=recipient,
            kind=kind,
            category=spec.category,
            priority=priority,
            params=params or {},
            link=link[:300],
            dedupe_key=(dedupe_key or "")[:200],
            in_app=channels.in_app,
            created_at=now,
            expires_at=expires_at,
            email_status=email_status,
            sms_status=sms_status,
            deliver_after=held_until if Delivery.HELD in (email_status, sms_status) else None,
        )
        if dedupe_key:
            try:
                with transaction.atomic():
                    notification.save(force_insert=True)
            except IntegrityError:
                # The same key raised concurrently: the other one won.
                return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)
        else:
            notification.save(force_insert=True)
        if Delivery.PENDING in (email_status, sms_status) or guardians:
            from accounts.tasks import notification_deliver

            enqueue(notification_deliver, notification.pk, bool(guardians))
        if channels.in_app:
            transaction.on_commit(lambda: notification_push(notification=notification))
    return notification


def notification_push(*, notification: Notification) -> bool:
    """Push a notification (just committed) to its recipient's open tabs, rendered in the recipient's language."""
    from accounts.notifications.selectors import notification_payload, notification_unread_count

    recipient = notification.recipient
    return notification_group_send(
        recipient.pk,
        {
            "type": "notification.new",
            "notification": notification_payload(notification, recipient),
            "unread": notification_unread_count(recipient),
        },
    )


def _push_unread(user: User) -> None:
    from accounts.notifications.selectors import notification_unread_count

    transaction.on_commit(
        lambda: notification_group_send(
            user.pk, {"type": "notification.unread", "unread": notification_unread_count(user)}
        )
    )


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (another user's raises DoesNotExist: a 404)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id, recipient=user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            _push_unread(user)
    return notification


def notification_mark_all_read(*, user: User) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            _push_unread(user)
    return count


def notification_archive(*, user: User, notification_id: int) -> Notification:
    """Move a notification out of the inbox (archiving reads it too)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id, recipient=user)
        now = timezone.now()
        fields = []
        if notification.archived_at is None:
            notification.archived_at = now
            fields.append("archived_at")
        if notification.read_at is None:
            notification.read_at = now
            fields.append("read_at")
        if fields:
            notification.save(update_fields=fields)
            _push_unread(user)
    return notification


def notification_preferences_set(
    *,
    user: User,
    choices: dict[str, dict[str, bool]],
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    email_digest: bool,
) -> NotificationSettings:
    """Save the preferences page: ``choices`` maps a category or kind key to its channels
    (``{"sessions": {"in_app": True, "email": False, "sms": False}}``)."""
    known = set(CATEGORIES) | {kind.key for kind in notification_kinds()}
    unknown = set(choices) - known
    if unknown:
        raise ValueError(f"Unknown notification keys {sorted(unknown)}")
    with transaction.atomic():
        for key, channels in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                key=key,
                defaults={
                    "in_app": bool(channels.get("in_app")),
                    "email": bool(channels.get("email")),
                    "sms": bool(channels.get("sms")),
                },
            )
        row, _created = NotificationSettings.objects.update_or_create(
            user=user,
            defaults={"quiet_start": quiet_start, "quiet_end": quiet_end, "email_digest": email_digest},
        )
    return row
