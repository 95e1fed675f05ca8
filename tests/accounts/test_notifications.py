"""Raising notifications: stored facts read in the reader's language, channels by preference, quiet hours, the
daily digest, SMS, guardians' copies and the inbox pages."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, NotificationPreference, NotificationSettings
from accounts.notifications.delivery import notification_digests_send, notifications_release_held
from accounts.notifications.kinds import notification_text
from accounts.notifications.selectors import notification_unread_count, notifications_for_inbox
from accounts.services import (
    notification_archive,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
    notification_raise,
)
from tests.factories import GuardianConsentFactory, UserFactory, student_with_profile

pytestmark = pytest.mark.django_db
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def support_reply(user, **options):
    return notification_raise(
        recipient=user,
        kind="support.reply",
        params={"ticket": 7, "subject": "Refund", "reply": "Done."},
        link="/help/tickets/x/",
        **options,
    )


def kolkata(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2030, 1, day, hour, minute, tzinfo=KOLKATA)


def test_a_notification_is_read_in_each_readers_language_at_the_moment_of_reading():
    user = UserFactory(ui_language="en")
    with translation.override("te"):  # whoever raised it was reading Telugu
        notification = support_reply(user)
    assert notification.params["subject"] == "Refund" and notification.kind == "support.reply"
    assert notification_text(notification, user).title == "Support replied: Refund"
    user.ui_language = "hi"
    user.save(update_fields=["ui_language"])
    assert notification_text(notification, user).title.startswith("सहायता")


def test_email_follows_the_recipients_preferences(committed):
    user = UserFactory()
    with committed():
        support_reply(user)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "Support replied: Refund" in mail.outbox[0].subject

    notification_preferences_set(
        user=user,
        choices={"support": {"in_app": True, "email": False, "sms": False}},
        quiet_start=None,
        quiet_end=None,
        email_digest=False,
    )
    with committed():
        notification = support_reply(user)
    assert len(mail.outbox) == 1
    assert notification.email_status == "" and notification.in_app


def test_a_kinds_own_preference_wins_over_its_category():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, key="support", in_app=True, email=False)
    NotificationPreference.objects.create(user=user, key="support.reply", in_app=False, email=True)
    notification = support_reply(user)
    assert notification.email_status == "pending" and not notification.in_app
    assert notifications_for_inbox(user) == []


def test_nothing_is_stored_when_every_channel_is_off():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, key="support", in_app=False, email=False, sms=False)
    assert support_reply(user) is None
    assert not Notification.objects.filter(recipient=user).exists()


def test_safety_and_account_notices_ignore_preferences():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, key="account", in_app=False, email=False)
    notification = notification_raise(
        recipient=user, kind="account.action", params={"action": "warn", "reason": "Rude chat"}
    )
    assert notification.in_app and notification.email_status == "pending"


def test_the_students_master_switches_turn_a_channel_off_everywhere():
    student = student_with_profile(notify_email=False)
    notification = support_reply(student)
    assert notification.email_status == "" and notification.in_app


def test_quiet_hours_hold_emails_and_sms_until_they_end_but_not_urgent_ones(committed, capsys):
    user = UserFactory(phone="+919812345678")
    NotificationSettings.objects.create(user=user, quiet_start=dt.time(22), quiet_end=dt.time(7))
    NotificationPreference.objects.create(user=user, key="support", in_app=True, email=True, sms=True)
    with time_machine.travel(kolkata(23, 30), tick=False), committed():
        held = support_reply(user)
        urgent = notification_raise(
            recipient=user, kind="support.emergency", params={"ticket": 1, "subject": "Unsafe chat"}
        )
    assert (held.email_status, held.sms_status) == ("held", "held")
    assert held.deliver_after == kolkata(7, day=11)
    assert [m.subject for m in mail.outbox] == ["[PeerLearn] EMERGENCY: Unsafe chat"]
    assert Notification.objects.get(pk=urgent.pk).email_status == "sent"

    with time_machine.travel(kolkata(6, 59, day=11), tick=False), committed():
        assert notifications_release_held() == 0
    with time_machine.travel(kolkata(7, 0, day=11), tick=False), committed():
        assert notifications_release_held() == 1
    held.refresh_from_db()
    assert (held.email_status, held.sms_status) == ("sent", "sent")
    assert mail.outbox[-1].subject == "[PeerLearn] Support replied: Refund"
    assert "SMS to +919812345678: PeerLearn: Support replied: Refund" in capsys.readouterr().out


def test_quiet_hours_are_read_in_the_users_own_time_zone():
    user = UserFactory(time_zone="Europe/London")
    NotificationSettings.objects.create(user=user, quiet_start=dt.time(22), quiet_end=dt.time(7))
    with time_machine.travel(kolkata(23, 30), tick=False):  # 18:00 in London
        assert support_reply(user).email_status == "pending"


def test_the_daily_digest_gathers_non_urgent_emails_once_a_day_at_the_local_hour(committed, settings):
    settings.NOTIFICATION_DIGEST_HOUR = 18
    user = UserFactory()
    NotificationSettings.objects.create(user=user, email_digest=True)
    with time_machine.travel(kolkata(9), tick=False), committed():
        notification_raise(recipient=user, kind="support.ticket_reply", params={"ticket": 3, "reply": "Thanks"})
        notification_raise(recipient=user, kind="support.escalated", params={"ticket": 4, "subject": "Late"})
        notification_raise(recipient=user, kind="support.ticket_reply", params={"ticket": 5, "reply": "More"})
    # "high" goes at once; the two normal ones wait for the digest.
    assert [m.subject for m in mail.outbox] == ["[PeerLearn] Escalated: ticket #4"]
    with time_machine.travel(kolkata(17, 59), tick=False):
        assert notification_digests_send() == 0
    with time_machine.travel(kolkata(18, 5), tick=False):
        assert notification_digests_send() == 1
        assert notification_digests_send() == 0
    digest = mail.outbox[-1]
    assert "2 notifications" in digest.subject
    assert "New reply on ticket #3" in digest.body and "New reply on ticket #5" in digest.body
    assert not Notification.objects.filter(recipient=user, email_status="digest").exists()


def test_guardians_of_a_minor_get_a_copy_of_safety_and_booking_notices(committed):
    consent = GuardianConsentFactory(granted=True)
    student = consent.student
    with committed():
        notification_raise(recipient=student, kind="account.action", params={"action": "warn", "reason": "Spam"})
    copies = [m for m in mail.outbox if m.to == [consent.guardian_email]]
    assert len(copies) == 1
    assert "A warning about your PeerLearn account" in copies[0].body
    assert consent.guardian_name in copies[0].body


def test_adults_and_withdrawn_consents_get_no_guardian_copy(committed):
    consent = GuardianConsentFactory(status="withdrawn", withdrawn_at=timezone.now())
    with committed():
        notification_raise(recipient=consent.student, kind="account.action", params={"action": "warn", "reason": "x"})
    assert [m.to for m in mail.outbox] == [[consent.student.email]]


def test_the_same_dedupe_key_gives_one_notification():
    user = UserFactory()
    first = support_reply(user, dedupe_key="reply:1")
    assert support_reply(user, dedupe_key="reply:1").pk == first.pk
    assert Notification.objects.filter(recipient=user).count() == 1


def test_unknown_kinds_are_refused():
    with pytest.raises(LookupError):
        notification_raise(recipient=UserFactory(), kind="nobody.registered.this")


def test_read_archive_and_unread_count():
    user, other = UserFactory(), UserFactory()
    first, second = support_reply(user), support_reply(user)
    expired = support_reply(user, expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert notification_unread_count(user) == 2
    notification_mark_read(user=user, notification_id=first.pk)
    assert notification_unread_count(user) == 1
    notification_archive(user=user, notification_id=second.pk)
    assert notification_unread_count(user) == 0
    assert [item.pk for item in notifications_for_inbox(user, archived=True)] == [second.pk]
    assert expired.pk not in [item.pk for item in notifications_for_inbox(user)]
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(user=other, notification_id=first.pk)
    support_reply(user)
    assert notification_mark_all_read(user=user) == 2  # the new one and the expired one


# --- pages -----------------------------------------------------------------------------------------------------


def test_the_inbox_page_is_bounded_and_in_the_readers_language(client, django_assert_max_num_queries):
    user = UserFactory(ui_language="hi")
    for _ in range(40):
        support_reply(user)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:notifications"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('data-notification-id="') == 30  # one page
    assert "सहायता" in content
    with django_assert_max_num_queries(12):
        partial = client.get(reverse("accounts:notifications"), {"show": "unread"}, **HTMX)
    assert "<html" not in partial.content.decode() and 'id="inbox"' in partial.content.decode()


def test_mark_read_archive_and_read_all_work_with_and_without_htmx(client):
    user = UserFactory()
    first, second, third = support_reply(user), support_reply(user), support_reply(user)
    client.force_login(user)
    response = client.post(reverse("accounts:notification_read", args=[first.pk]), **HTMX)
    assert response.status_code == 200 and f'id="notification-{first.pk}"' in response.content.decode()
    response = client.post(reverse("accounts:notification_archive", args=[second.pk]))
    assert response.status_code == 302
    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=second.pk).archived_at is not None
    assert third.pk


def test_nobody_marks_or_archives_someone_elses_notification(client):
    notification = support_reply(UserFactory())
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:notification_read", args=[notification.pk])).status_code == 404
    assert client.post(reverse("accounts:notification_archive", args=[notification.pk])).status_code == 404


def test_the_inbox_needs_a_sign_in(client):
    assert client.get(reverse("accounts:notifications")).status_code == 302
    assert client.get(reverse("accounts:notification_count")).status_code == 302


def test_the_count_endpoint_feeds_the_bell_while_the_socket_is_away(client):
    user = UserFactory()
    support_reply(user)
    client.force_login(user)
    assert client.get(reverse("accounts:notification_count")).json() == {"unread": 1}


def test_preferences_page_saves_channels_quiet_hours_and_digest(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:notification_preferences")).status_code == 200
    data = {
        "sessions__in_app": "on",
        "sessions__email": "on",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "email_digest": "on",
    }
    response = client.post(reverse("accounts:notification_preferences"), data)
    assert response.status_code == 302
    settings_row = NotificationSettings.objects.get(user=user)
    assert (settings_row.quiet_start, settings_row.quiet_end, settings_row.email_digest) == (
        dt.time(22),
        dt.time(7),
        True,
    )
    sessions = NotificationPreference.objects.get(user=user, key="sessions")
    support = NotificationPreference.objects.get(user=user, key="support")
    assert (sessions.in_app, sessions.email, sessions.sms) == (True, True, False)
    assert (support.in_app, support.email) == (False, False)
    page = client.get(reverse("accounts:notification_preferences")).content.decode()
    checked = set(re.findall(r'<input type="checkbox" name="(\w+)"[^>]* checked', page))
    assert {"sessions__in_app", "sessions__email", "email_digest"} <= checked
    assert "support__in_app" not in checked


def test_preferences_page_refuses_half_quiet_hours_and_sms_without_a_number(client):
    user = UserFactory(phone="")
    client.force_login(user)
    response = client.post(reverse("accounts:notification_preferences"), {"quiet_start": "22:00", "support__sms": "on"})
    assert response.status_code == 400
    assert "Give both the start and the end of your quiet hours, or neither." in response.content.decode()
    assert not NotificationSettings.objects.filter(user=user).exists()


def test_the_student_hears_when_their_guardian_gives_or_withdraws_consent():
    from accounts import services

    consent = GuardianConsentFactory()
    services.guardian_consent_grant(consent_id=consent.pk, link_fresh=True, ip_address="203.0.113.9", user_agent="A")
    services.guardian_consent_withdraw(consent_id=consent.pk, ip_address="203.0.113.9", user_agent="A")
    kinds = list(Notification.objects.filter(recipient=consent.student).order_by("id").values_list("kind", flat=True))
    assert kinds == ["accounts.guardian_consent_given", "accounts.guardian_consent_withdrawn"]
    withdrawn = Notification.objects.get(kind="accounts.guardian_consent_withdrawn")
    with translation.override("en"):
        assert consent.guardian_name in notification_text(withdrawn, UserFactory(ui_language="en")).body
