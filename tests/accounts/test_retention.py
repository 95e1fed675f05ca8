import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AccountDeletion, AuditLogEntry
from accounts.privacy.deletion import inactive_accounts_schedule_deletion
from accounts.tasks import run_privacy_housekeeping
from sessions_app.models import SessionMessage
from sessions_app.privacy import chat_retention_purge
from tests.factories import GroupSessionFactory, SessionMessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_chat_is_deleted_one_year_after_its_session_and_not_before():
    now = timezone.now()
    old_session = GroupSessionFactory(
        starts_at=now - dt.timedelta(days=367), ends_at=now - dt.timedelta(days=367) + dt.timedelta(hours=1),
        status="completed",
    )
    recent_session = GroupSessionFactory(
        starts_at=now - dt.timedelta(days=300), ends_at=now - dt.timedelta(days=300) + dt.timedelta(hours=1),
        status="completed",
    )
    old = SessionMessageFactory(session=old_session)
    recent = SessionMessageFactory(session=recent_session)
    assert chat_retention_purge(now=now) == 1
    assert not SessionMessage.objects.filter(pk=old.pk).exists()
    assert SessionMessage.objects.filter(pk=recent.pk).exists()


def test_accounts_unused_for_three_years_get_notice_and_a_scheduled_deletion(django_capture_on_commit_callbacks):
    now = timezone.now()
    idle = UserFactory(last_login=now - dt.timedelta(days=3 * 365 + 1))
    never = UserFactory(last_login=None, date_joined=now - dt.timedelta(days=3 * 365 + 5))
    active = UserFactory(last_login=now - dt.timedelta(days=30))
    staff = UserFactory(is_staff=True, role="support", last_login=now - dt.timedelta(days=4 * 365))
    with django_capture_on_commit_callbacks(execute=True):
        assert inactive_accounts_schedule_deletion(now=now) == 2
    assert set(AccountDeletion.objects.values_list("user", flat=True)) == {idle.pk, never.pk}
    assert {m.to[0] for m in mail.outbox} == {idle.email, never.email}
    assert "Nobody has signed in" in mail.outbox[0].body
    assert inactive_accounts_schedule_deletion(now=now) == 0  # already scheduled: not twice
    assert not AccountDeletion.objects.filter(user__in=[active, staff]).exists()


def test_housekeeping_purges_audit_rows_past_five_years():
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import User

    AuditLogEntry.objects.create(
        event=AuditLogEntry.Event.EXPORT,
        action=AuditLogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(User),
        object_pk="1",
        object_repr="accounts.user#1",
        timestamp=timezone.now() - dt.timedelta(days=5 * 365 + 2),
    )
    UserFactory()
    run_privacy_housekeeping()
    assert not AuditLogEntry.objects.filter(timestamp__lt=timezone.now() - dt.timedelta(days=5 * 365)).exists()
    assert AuditLogEntry.objects.exists()
