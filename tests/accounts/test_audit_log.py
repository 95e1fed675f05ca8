import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLogEntry, User
from accounts.privacy.audit import audit_chain_verify, audit_record, audit_retention_purge
from tests.factories import DEFAULT_PASSWORD, MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    return UserFactory(is_staff=True, is_superuser=True, role="admin")


def _tamper(sql: str, params: list) -> None:
    """What an attacker with database access would do: bypass the trigger and change the table."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


def test_staff_change_in_admin_is_recorded_with_old_and_new_values_actor_ip_and_browser(client, admin_user):
    student = UserFactory(role="student")
    group = Group.objects.create(name="Reviewers")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Senior reviewers", "permissions": []},
        HTTP_USER_AGENT="AuditBrowser/1.0",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(
        content_type__model="group", object_pk=str(group.pk), action=AuditLogEntry.Action.UPDATE
    )
    assert entry.changes["name"] == ["Reviewers", "Senior reviewers"]
    assert entry.actor == admin_user
    assert entry.remote_addr == "203.0.113.7"
    assert entry.user_agent == "AuditBrowser/1.0"
    assert student.email not in str(entry.changes)


def test_role_change_is_recorded_without_personal_values(admin_user):
    user = UserFactory(role="student", full_name="Meera Iyer")
    user.role = User.Role.SUPPORT
    user.is_staff = True
    user.save(update_fields=["role", "is_staff"])
    entry = AuditLogEntry.objects.filter(object_pk=str(user.pk), action=AuditLogEntry.Action.UPDATE).latest("id")
    assert entry.changes["role"] == ["student", "support"]
    assert entry.changes["is_staff"] == [False, True]
    created = AuditLogEntry.objects.get(
        object_pk=str(user.pk), action=AuditLogEntry.Action.CREATE, content_type__model="user"
    )
    assert "Meera" not in str(created.changes) and user.email not in str(created.changes)
    assert created.object_repr == f"accounts.user#{user.pk}"


def test_money_movements_are_recorded():
    from tests.factories import PaymentFactory

    payment = PaymentFactory()
    assert AuditLogEntry.objects.filter(content_type__model="payment", object_pk=str(payment.pk)).exists()


def test_sign_in_is_recorded_with_address_and_browser(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": DEFAULT_PASSWORD},
        HTTP_USER_AGENT="Phone/2",
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(event=AuditLogEntry.Event.SIGN_IN, object_pk=str(user.pk))
    assert (entry.actor, entry.remote_addr, entry.user_agent) == (user, "198.51.100.4", "Phone/2")


def test_untouched_chain_verifies_and_rows_link_to_the_previous_one():
    for _ in range(3):
        audit_record(event=AuditLogEntry.Event.EXPORT, subject=UserFactory())
    rows = list(AuditLogEntry.objects.order_by("id"))
    assert len(rows) >= 6
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in zip(rows, rows[1:], strict=False))
    assert audit_chain_verify() == []


def test_chain_detects_an_edited_row():
    user = UserFactory()
    entry = audit_record(event=AuditLogEntry.Event.EXPORT, subject=user)
    audit_record(event=AuditLogEntry.Event.DELETION, subject=user)
    _tamper("UPDATE accounts_auditlogentry SET remote_addr = '10.9.9.9' WHERE id = %s", [entry.pk])
    assert [(b.entry_id, b.reason) for b in audit_chain_verify()] == [(entry.pk, "edited")]


def test_chain_detects_a_deleted_row():
    user = UserFactory()
    first = audit_record(event=AuditLogEntry.Event.EXPORT, subject=user)
    removed = audit_record(event=AuditLogEntry.Event.CONSENT, subject=user)
    after = audit_record(event=AuditLogEntry.Event.DELETION, subject=user)
    _tamper("DELETE FROM accounts_auditlogentry WHERE id = %s", [removed.pk])
    assert [(b.entry_id, b.reason) for b in audit_chain_verify()] == [(after.pk, "gap")]
    assert first.pk < removed.pk


def test_database_refuses_edits_and_deletes():
    entry = audit_record(event=AuditLogEntry.Event.EXPORT, subject=UserFactory())
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(user_agent="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    assert AuditLogEntry.objects.filter(pk=entry.pk, user_agent="").exists()


def test_retention_purge_removes_only_rows_past_five_years_and_the_chain_still_verifies(settings):
    six_years_ago = timezone.now() - dt.timedelta(days=6 * 365)
    old = [
        AuditLogEntry.objects.create(
            event=AuditLogEntry.Event.EXPORT,
            action=AuditLogEntry.Action.ACCESS,
            content_type=ContentType.objects.get_for_model(User),
            object_pk="1",
            object_repr="accounts.user#1",
            timestamp=six_years_ago,
        )
        for _ in range(2)
    ]
    started = timezone.now()
    recent = audit_record(event=AuditLogEntry.Event.EXPORT, subject=UserFactory())
    # "Now" is five years after `started`: everything before it (the old rows) is past retention.
    assert audit_retention_purge(now=started + dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)) >= 2
    assert not AuditLogEntry.objects.filter(pk__in=[row.pk for row in old]).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()
    assert audit_chain_verify() == []


def test_verify_command_fails_on_a_broken_chain(capsys):
    user = UserFactory()
    entry = audit_record(event=AuditLogEntry.Event.EXPORT, subject=user)
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    _tamper("UPDATE accounts_auditlogentry SET object_pk = '999' WHERE id = %s", [entry.pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify")
    assert exit_info.value.code == 1
    assert f"#{entry.pk}" in capsys.readouterr().err


def test_staff_can_search_the_audit_log_and_others_cannot(client, admin_user, django_assert_max_num_queries):
    mentor = MentorProfileFactory()
    mentor.verification_status = "approved"
    mentor.save(update_fields=["verification_status"])
    audit_record(event=AuditLogEntry.Event.EXPORT, subject=mentor.user)
    client.force_login(UserFactory())
    assert client.get(reverse("adminpanel:audit_log")).status_code == 403
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("adminpanel:audit_log"), {"event": "privacy.export"})
    assert response.status_code == 200
    assert f"accounts.user#{mentor.user.pk}".encode() in response.content
    assert b"mentors.mentorprofile#" not in response.content
    response = client.get(reverse("adminpanel:audit_log"), {"model": "mentors.mentorprofile"})
    assert b"approved" in response.content
    response = client.get(reverse("adminpanel:audit_log"), {"since": "not-a-date"})
    assert response.status_code == 200


def test_a_stale_content_type_id_in_a_process_cache_does_not_break_audit_writes():
    """A live server keeps content type ids cached; after the types are re-created they point nowhere."""
    from django.db import connection

    user = UserFactory()
    user_type = ContentType.objects.get_for_model(User)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) + 1000 FROM django_content_type")
        missing_id = cursor.fetchone()[0]
    stale = ContentType(pk=missing_id, app_label="accounts", model="user")
    entry = AuditLogEntry.objects.create(
        event=AuditLogEntry.Event.SIGN_IN,
        action=AuditLogEntry.Action.ACCESS,
        content_type=stale,
        object_pk=str(user.pk),
        object_repr=f"accounts.user#{user.pk}",
    )
    assert AuditLogEntry.objects.get(pk=entry.pk).content_type_id == user_type.pk
    assert audit_chain_verify() == []


def test_a_staff_panel_action_is_recorded_with_old_and_new_status_and_the_staff_member(client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    staff = UserFactory(is_staff=True, role="support")
    mentor = MentorProfileFactory(pending=True)
    client.force_login(staff)
    response = client.post(
        reverse("adminpanel:application_action", args=[mentor.pk]),
        {"action": "start_document_review", "expected_status": "pending"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.filter(
        content_type__model="mentorprofile", object_pk=str(mentor.pk), action=AuditLogEntry.Action.UPDATE
    ).latest("id")
    assert entry.changes["verification_status"] == ["pending", "documents_under_review"]
    assert (entry.actor, entry.remote_addr) == (staff, "192.0.2.10")


def test_admin_lists_and_searches_the_audit_log_read_only(client, admin_user):
    audit_record(event=AuditLogEntry.Event.EXPORT, subject=admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_auditlogentry_changelist"), {"q": admin_user.email})
    assert response.status_code == 200
    assert f"accounts.user#{admin_user.pk}".encode() in response.content
    assert client.get(reverse("admin:accounts_auditlogentry_add")).status_code == 403


def test_two_factor_devices_added_and_removed_are_recorded_without_their_secret():
    from allauth.mfa.models import Authenticator

    user = UserFactory()
    device = Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    device_id = device.pk
    device.delete()
    entries = AuditLogEntry.objects.filter(content_type__model="authenticator", object_pk=str(device_id))
    assert {entry.action for entry in entries} == {AuditLogEntry.Action.CREATE, AuditLogEntry.Action.DELETE}
    assert all("JBSWY3DPEHPK3PXP" not in str(entry.changes) for entry in entries)
