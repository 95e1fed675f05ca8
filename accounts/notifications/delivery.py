"""Email, SMS and guardian copies of notifications, the release of copies held by quiet hours, the daily digest.

Each runs as an outbox task (``accounts.tasks``): an effect already produced by an earlier run of the same
message is skipped (``effect_once``), and a row's status says what is still owed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from accounts.emails import send_templated_email
from accounts.models import GuardianConsent, Notification, NotificationSettings, User
from accounts.notifications.kinds import notification_text_in_active_language
from accounts.selectors import user_language
from accounts.sms import send_sms
from outbox.services import effect_once, enqueue

logger = logging.getLogger(__name__)
Delivery = Notification.Delivery


def _absolute(link: str) -> str:
    return settings.SITE_URL + link if link.startswith("/") else link


def _send_email(notification: Notification, recipient: User) -> None:
    from accounts.notifications.kinds import _KINDS

    kind = _KINDS.get(notification.kind)
    language = user_language(recipient)
    with translation.override(language):
        if kind is not None and kind.email_message is not None:
            message = kind.email_message(notification, recipient)
            if message is not None:
                message.send()
                return
        text = notification_text_in_active_language(notification, recipient)
    send_templated_email(
        to=recipient.email,
        template="accounts/email/notification",
        context={"user": recipient, "text": text, "link": _absolute(notification.link)},
        language=language,
    )


def _sms_body(notification: Notification, recipient: User) -> str:
    with translation.override(user_language(recipient)):
        text = notification_text_in_active_language(notification, recipient)
    body = f"PeerLearn: {text.title}"
    if notification.link:
        body += f" {_absolute(notification.link)}"
    return body[:320]


def _guardian_consents(student: User) -> list[GuardianConsent]:
    return [
        consent
        for consent in GuardianConsent.objects.filter(student=student, status=GuardianConsent.Status.GRANTED)
        if consent.current_status() == GuardianConsent.Status.GRANTED
    ]


def _send_guardian_copy(notification: Notification, student: User, consent: GuardianConsent) -> None:
    # Guardians have no account: they read in their child's language.
    language = user_language(student)
    with translation.override(language):
        text = notification_text_in_active_language(notification, student)
    send_templated_email(
        to=consent.guardian_email,
        template="accounts/email/notification_guardian_copy",
        context={"guardian_name": consent.guardian_name, "student": student, "text": text},
        language=language,
    )


def notification_deliver(*, notification_id: int, guardians: bool) -> None:
    """Send the email and SMS copies still owed (and, when asked, the guardians' copies)."""
    notification = Notification.objects.select_related("recipient__primary_language").filter(pk=notification_id).first()
    if notification is None:  # erased with its account meanwhile
        return
    recipient = notification.recipient
    if notification.email_status == Delivery.PENDING:
        with effect_once("email") as first:
            if first:
                _send_email(notification, recipient)
        Notification.objects.filter(pk=notification.pk).update(email_status=Delivery.SENT)
    if notification.sms_status == Delivery.PENDING:
        with effect_once("sms") as first:
            if first and recipient.phone:
                send_sms(to=recipient.phone, body=_sms_body(notification, recipient))
        Notification.objects.filter(pk=notification.pk).update(sms_status=Delivery.SENT)
    if guardians and recipient.is_minor:
        for consent in _guardian_consents(recipient):
            with effect_once(f"guardian:{consent.pk}") as first:
                if first:
                    _send_guardian_copy(notification, recipient, consent)


def notifications_release_held(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Quiet hours over: owe the held email and SMS copies now (each through the outbox)."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        held = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(Q(email_status=Delivery.HELD) | Q(sms_status=Delivery.HELD), deliver_after__lte=now)
            .order_by("deliver_after")[:limit]
        )
        from accounts.tasks import notification_deliver as task

        for notification in held:
            fields = ["deliver_after"]
            if notification.email_status == Delivery.HELD:
                notification.email_status = Delivery.PENDING
                fields.append("email_status")
            if notification.sms_status == Delivery.HELD:
                notification.sms_status = Delivery.PENDING
                fields.append("sms_status")
            notification.deliver_after = None
            notification.save(update_fields=fields)
            enqueue(task, notification.pk, False)
            released += 1
    return released


def notification_digests_send(*, now: dt.datetime | None = None) -> int:
    """Send each digest user their day's notifications in one email, once their local digest hour has come
    (and outside their quiet hours); a user gets at most one digest per local day."""
    from accounts.notifications.services import quiet_hours_end

    now = now or timezone.now()
    sent = 0
    user_ids = (
        Notification.objects.filter(email_status=Delivery.DIGEST).values_list("recipient_id", flat=True).distinct()
    )
    for user in User.objects.filter(pk__in=user_ids).select_related("primary_language", "notification_settings"):
        row = getattr(user, "notification_settings", None) or NotificationSettings(user=user)
        local = now.astimezone(user.tzinfo)
        if local.hour < settings.NOTIFICATION_DIGEST_HOUR or row.digest_sent_on == local.date():
            continue
        if quiet_hours_end(user, now, row) is not None:
            continue
        sent += notification_digest_send_one(user=user, today=local.date())
    return sent


def notification_digest_send_one(*, user: User, today: dt.date) -> int:
    with transaction.atomic():
        row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        if row.digest_sent_on == today:
            return 0
        pending = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, email_status=Delivery.DIGEST)
            .order_by("created_at", "id")[:100]
        )
        if not pending:
            return 0
        language = user_language(user)
        with translation.override(language):
            items = [
                {"text": notification_text_in_active_language(n, user), "link": _absolute(n.link)} for n in pending
            ]
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(email_status=Delivery.SENT)
        row.digest_sent_on = today
        row.save(update_fields=["digest_sent_on"])
        # The email goes inside the transaction: if it fails, the rows stay in the digest for the next run.
        send_templated_email(
            to=user.email,
            template="accounts/email/notification_digest",
            context={"user": user, "items": items, "inbox_url": settings.SITE_URL + reverse("accounts:notifications")},
            language=language,
        )
    return 1
