"""Reads of the inbox (re-exported by ``accounts.selectors``); every list is bounded, text rendered per viewer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Notification, User
from accounts.notifications.kinds import NotificationText, notification_text_in_active_language

INBOX_PAGE = 30
HEADER_ITEMS = 5


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    text: NotificationText

    @property
    def pk(self) -> int:
        return self.notification.pk


def _visible(user: User) -> QuerySet[Notification]:
    now = timezone.now()
    return Notification.objects.filter(recipient=user, in_app=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def notification_unread_count(user: User) -> int:
    return _visible(user).filter(read_at__isnull=True, archived_at__isnull=True).count()


def notifications_for_inbox(
    user: User,
    *,
    archived: bool = False,
    unread_only: bool = False,
    before_id: int | None = None,
    limit: int = INBOX_PAGE,
) -> list[InboxItem]:
    """One page of the inbox (newest first), each rendered in the active language (the viewer's, on their page)."""
    rows = _visible(user).filter(archived_at__isnull=not archived)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if before_id is not None:
        rows = rows.filter(pk__lt=before_id)
    return [
        InboxItem(n, notification_text_in_active_language(n, user)) for n in rows.order_by("-created_at", "-id")[:limit]
    ]


def notification_for_user(user: User, notification_id: int) -> Notification:
    """The user's own notification (DoesNotExist, a 404, for anyone else's)."""
    return Notification.objects.get(pk=notification_id, recipient=user)


def notification_payload(notification: Notification, recipient: User) -> dict:
    """What the socket sends: rendered on the server in the recipient's stored language (not the sender's)."""
    from accounts.selectors import user_language

    with translation.override(user_language(recipient)):
        text = notification_text_in_active_language(notification, recipient)
        item = InboxItem(notification, text)
        html = render_to_string("accounts/notifications/_item.html", {"item": item})
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "priority": notification.priority,
        "title": text.title,
        "body": text.body,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "html": html,
    }


def notification_preferences_initial(user: User) -> dict:
    """The preferences form's current values: each category's row, else the usual defaults."""
    from accounts.models import NotificationPreference, NotificationSettings
    from accounts.notifications.kinds import CATEGORIES

    rows = {p.key: p for p in NotificationPreference.objects.filter(user=user, key__in=list(CATEGORIES))}
    initial: dict = {}
    for key in CATEGORIES:
        row = rows.get(key)
        initial[f"{key}__in_app"] = row.in_app if row else True
        initial[f"{key}__email"] = row.email if row else True
        initial[f"{key}__sms"] = row.sms if row else False
    settings_row = NotificationSettings.objects.filter(user=user).first()
    if settings_row is not None:
        initial.update(
            quiet_start=settings_row.quiet_start,
            quiet_end=settings_row.quiet_end,
            email_digest=settings_row.email_digest,
        )
    return initial
