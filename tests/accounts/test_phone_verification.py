import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import PhoneVerification
from accounts.privacy.phone import MAX_ATTEMPTS, phone_is_verified, phone_verification_check, phone_verification_send
from payments.payouts import payout_details_set
from tests.factories import MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sent_code(capsys) -> str:
    return re.search(r"SMS to \S+: .*?(\d{6})", capsys.readouterr().out).group(1)


def _send(user, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return phone_verification_send(user=user, **kwargs)


def test_code_is_sent_by_sms_stored_only_as_a_hash_and_verifies_the_number(capsys, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+919812300001")
    verification = _send(user, django_capture_on_commit_callbacks)
    code = _sent_code(capsys)
    assert code not in verification.code_hash and len(verification.code_hash) >= 40
    assert not phone_is_verified(user)
    phone_verification_check(user=user, code=code)
    assert phone_is_verified(user)
    user.phone = "+919812300002"
    assert not phone_is_verified(user)  # a new number needs a new code


def test_wrong_codes_count_and_lock_after_five(capsys, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+919812300003")
    _send(user, django_capture_on_commit_callbacks)
    code = _sent_code(capsys)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ValidationError, match="not right"):
            phone_verification_check(user=user, code=wrong)
    assert PhoneVerification.objects.get(user=user).attempts == MAX_ATTEMPTS
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        phone_verification_check(user=user, code=code)
    assert not phone_is_verified(user)


def test_codes_expire_after_ten_minutes(capsys, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+919812300004")
    _send(user, django_capture_on_commit_callbacks)
    code = _sent_code(capsys)
    with pytest.raises(ValidationError, match="expired"):
        phone_verification_check(user=user, code=code, now=timezone.now() + dt.timedelta(minutes=11))


def test_resends_are_limited(django_capture_on_commit_callbacks):
    user = UserFactory(phone="+919812300005")
    now = timezone.now()
    _send(user, django_capture_on_commit_callbacks, now=now)
    with pytest.raises(ValidationError, match="Wait a minute"):
        _send(user, django_capture_on_commit_callbacks, now=now + dt.timedelta(seconds=30))
    for minutes in (10, 20, 30, 40):
        extra = PhoneVerification.objects.create(user=user, phone=user.phone, code_hash="x", expires_at=now)
        PhoneVerification.objects.filter(pk=extra.pk).update(created_at=now - dt.timedelta(minutes=minutes))
    PhoneVerification.objects.exclude(code_hash="x").update(created_at=now - dt.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="Too many codes"):
        _send(user, django_capture_on_commit_callbacks, now=now)
    with pytest.raises(ValidationError, match="Add your mobile number"):
        _send(UserFactory(phone=""), django_capture_on_commit_callbacks)


def test_payout_details_need_a_verified_phone(settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    mentor = MentorProfileFactory(user__phone_verified=False)
    with pytest.raises(PermissionDenied, match="Verify your mobile number"):
        payout_details_set(mentor=mentor.user, account_holder_name="Ravi", upi_id="ravi@okaxis")


def test_mentor_is_sent_to_verify_the_phone_then_back_to_payout_details(
    client, settings, capsys, django_capture_on_commit_callbacks
):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    mentor = MentorProfileFactory(user__phone_verified=False)
    client.force_login(mentor.user)
    response = client.get(reverse("payments:payout_details"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:phone_verify"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "send"})
    code = _sent_code(capsys)
    bad = client.post(response.url, {"action": "verify", "code": "12ab"})
    assert bad.status_code == 400 and "The code has 6 digits" in bad.content.decode()
    done = client.post(response.url, {"action": "verify", "code": code})
    assert done.status_code == 302 and done.url == reverse("payments:payout_details")
    assert phone_is_verified(mentor.user)


def test_verify_page_ignores_an_outside_next_address(client, capsys, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+919812300006")
    client.force_login(user)
    url = reverse("accounts:phone_verify") + "?next=https://evil.example/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send"})
    done = client.post(url, {"action": "verify", "code": _sent_code(capsys)})
    assert done.url == reverse("accounts:privacy")
