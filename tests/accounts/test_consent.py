import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts import services
from accounts.consent import CONSENT_TEXT_VERSION, consent_token_make, consent_token_read
from accounts.models import GuardianConsent
from accounts.selectors import student_can_book
from tests.factories import (
    GuardianConsentFactory,
    StudentProfileFactory,
    UserFactory,
    birth_date_for_age,
    language,
    phone_verified,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def minor():
    student = StudentProfileFactory(user__date_of_birth=birth_date_for_age(15)).user
    student.primary_language = language("te")
    student.save(update_fields=["primary_language"])
    return student


GUARDIAN_PHONE = "+919876501234"


def _request(student, email="mother@example.test"):
    phone_verified(student, GUARDIAN_PHONE)
    return services.guardian_consent_request(
        student=student, guardian_name="Lakshmi", guardian_email=email, guardian_phone=GUARDIAN_PHONE,
        relationship="mother",
    )


def _token_from(message) -> str:
    return re.search(r"/guardian-consent/([^/\s]+)/", message.body).group(1)


def test_request_emails_the_guardian_a_link_in_the_students_language(minor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        consent = _request(minor, "Mother@Example.test")
    assert consent.status == "pending" and consent.guardian_email == "mother@example.test"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mother@example.test"]
    assert message.extra_headers["Content-Language"] == "te"
    assert minor.full_name in message.subject
    link = consent_token_read(_token_from(message))
    assert link.consent_id == consent.pk and link.fresh
    html = message.alternatives[0][0]
    assert _token_from(message) in html


def test_the_request_is_not_sent_until_the_guardians_phone_is_verified(minor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        services.guardian_consent_request(
            student=minor, guardian_name="Lakshmi", guardian_email="mother@example.test",
            guardian_phone="98765 01234", relationship="mother",
        )
    [error] = excinfo.value.error_dict["guardian_phone"]
    assert error.code == services.GUARDIAN_PHONE_UNVERIFIED
    assert not GuardianConsent.objects.exists() and mail.outbox == []
    # Proving another number does not count, and the student's own number is refused.
    phone_verified(minor, "+919876509999")
    with pytest.raises(ValidationError):
        services.guardian_consent_request(
            student=minor, guardian_name="Lakshmi", guardian_email="mother@example.test",
            guardian_phone="+919876501234", relationship="mother",
        )
    minor.phone = "+919876509999"
    with pytest.raises(ValidationError, match="not yours"):
        services.guardian_consent_request(
            student=minor, guardian_name="Lakshmi", guardian_email="mother@example.test",
            guardian_phone="+91 98765 09999", relationship="mother",
        )
    consent = _request(minor)
    assert consent.guardian_phone == GUARDIAN_PHONE


def test_only_minors_ask_for_consent():
    adult = UserFactory(date_of_birth=birth_date_for_age(18))
    with pytest.raises(ValidationError):
        _request(adult)


def test_the_student_cannot_name_themselves(minor):
    with pytest.raises(ValidationError) as excinfo:
        _request(minor, minor.email.upper())
    assert "guardian_email" in excinfo.value.message_dict


def test_changing_a_pending_request_updates_it_and_old_links_stop_working(minor, client):
    consent = _request(minor)
    old_token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        updated = _request(minor, "father@example.test")
    assert updated.pk == consent.pk and updated.send_count == 2
    assert GuardianConsent.objects.filter(student=minor).count() == 1
    assert client.get(f"/guardian-consent/{old_token}/").status_code == 404


def test_resend_is_limited_to_once_every_two_minutes(minor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _request(minor)
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(seconds=60)), pytest.raises(ValidationError, match="again in"):
        services.guardian_consent_resend(student=minor)
    with time_machine.travel(now + dt.timedelta(seconds=121)), django_capture_on_commit_callbacks(execute=True):
        consent = services.guardian_consent_resend(student=minor)
    assert consent.send_count == 2
    assert len(mail.outbox) == 2


def test_grant_records_time_ip_browser_and_text_version(minor, django_capture_on_commit_callbacks):
    consent = _request(minor)
    with django_capture_on_commit_callbacks(execute=True):
        services.guardian_consent_grant(
            consent_id=consent.pk, link_fresh=True, ip_address="203.0.113.9", user_agent="UA"
        )
    consent.refresh_from_db()
    assert consent.status == "granted" and consent.granted_at is not None
    assert (consent.granted_ip, consent.granted_user_agent, consent.text_version) == (
        "203.0.113.9",
        "UA",
        CONSENT_TEXT_VERSION,
    )
    (confirmation,) = [m for m in mail.outbox if m.to == [consent.guardian_email]][-1:]
    assert consent_token_read(_token_from(confirmation)).consent_id == consent.pk
    # The student hears of it too (their notification, by email as their preferences allow), in Telugu.
    with translation.override("te"):
        subject = translation.gettext("Your guardian gave consent")
    assert any(m.to == [minor.email] and subject in m.subject for m in mail.outbox)


def test_a_link_grants_only_once(minor):
    consent = _request(minor)
    services.guardian_consent_grant(consent_id=consent.pk, link_fresh=True, ip_address="203.0.113.9", user_agent="A")
    first = GuardianConsent.objects.get(pk=consent.pk)
    with pytest.raises(ValidationError) as excinfo:
        services.guardian_consent_grant(
            consent_id=consent.pk, link_fresh=True, ip_address="198.51.100.1", user_agent="B"
        )
    assert excinfo.value.code == "already_decided"
    again = GuardianConsent.objects.get(pk=consent.pk)
    assert (again.granted_at, again.granted_ip) == (first.granted_at, first.granted_ip)


def test_an_expired_link_cannot_grant_but_can_still_withdraw(minor):
    consent = _request(minor)
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        link = consent_token_read(token)
        assert not link.fresh
        assert GuardianConsent.objects.get(pk=consent.pk).current_status() == "expired"
        with pytest.raises(ValidationError) as excinfo:
            services.guardian_consent_grant(
                consent_id=consent.pk, link_fresh=link.fresh, ip_address=None, user_agent=""
            )
        assert excinfo.value.code == "expired"
        services.guardian_consent_withdraw(consent_id=consent.pk, ip_address="203.0.113.9", user_agent="UA")
    assert GuardianConsent.objects.get(pk=consent.pk).status == "withdrawn"


def test_tampered_tokens_are_rejected(minor):
    consent = _request(minor)
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    with pytest.raises(signing.BadSignature):
        consent_token_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_withdraw_records_evidence_and_cannot_repeat(minor):
    consent = GuardianConsentFactory(student=minor, granted=True)
    services.guardian_consent_withdraw(consent_id=consent.pk, ip_address="203.0.113.9", user_agent="UA")
    consent.refresh_from_db()
    assert consent.status == "withdrawn" and consent.withdrawn_ip == "203.0.113.9" and consent.withdrawn_at
    with pytest.raises(ValidationError):
        services.guardian_consent_withdraw(consent_id=consent.pk, ip_address=None, user_agent="")


def test_after_withdrawal_a_new_request_keeps_the_history(minor):
    GuardianConsentFactory(student=minor, status="withdrawn", withdrawn_at=timezone.now())
    _request(minor)
    assert list(GuardianConsent.objects.filter(student=minor).values_list("status", flat=True)) == [
        "pending",
        "withdrawn",
    ]


def test_a_granted_consent_cannot_be_replaced_by_a_new_request(minor):
    GuardianConsentFactory(student=minor, granted=True)
    with pytest.raises(ValidationError, match="already given"):
        _request(minor)


def test_database_allows_one_open_consent_per_student(minor):
    GuardianConsentFactory(student=minor)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianConsentFactory(student=minor, granted=True)


# --- student_can_book ----------------------------------------------------------------------------


def test_adult_onboarded_verified_student_can_book():
    student = StudentProfileFactory().user
    assert student_can_book(student) == (True, "")


def test_unverified_email_blocks_booking():
    student = StudentProfileFactory(user__verified_email=False).user
    allowed, reason = student_can_book(student)
    assert not allowed and "email" in reason


def test_incomplete_onboarding_blocks_booking():
    student = StudentProfileFactory(in_progress=True).user
    allowed, reason = student_can_book(student)
    assert not allowed and "profile" in reason


@pytest.mark.parametrize("status", [None, "pending", "withdrawn"])
def test_minor_without_granted_consent_cannot_book(minor, status):
    if status:
        GuardianConsentFactory(student=minor, status=status, withdrawn_at=timezone.now())
    allowed, reason = student_can_book(minor)
    assert not allowed and "guardian" in reason


def test_minor_with_granted_consent_can_book(minor, django_assert_max_num_queries):
    GuardianConsentFactory(student=minor, granted=True)
    with django_assert_max_num_queries(3):
        assert student_can_book(minor) == (True, "")
