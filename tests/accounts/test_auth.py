import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import StudentProfile, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SKIP_LINK = b'href="#main"'


def _login(client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- signup and verification ---------------------------------------------------------------------


def test_signup_creates_an_unverified_student_and_sends_a_verification_email(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": "meena@example.test",
            "password1": "Str0ng!Pass",
            "password2": "Str0ng!Pass",
            "consent_processing": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="meena@example.test")
    assert (user.full_name, user.role) == ("Meena Rao", "student")
    assert user.groups.filter(name="student").exists()
    assert StudentProfile.objects.get(user=user).onboarding_step == 1
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    page = client.get(response["Location"])
    assert b"Check your email" in page.content and SKIP_LINK in page.content


def test_confirming_the_email_signs_in_and_starts_onboarding(client):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": "meena@example.test",
            "password1": "Str0ng!Pass",
            "password2": "Str0ng!Pass",
            "consent_processing": "on",
        },
    )
    confirm_url = re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(confirm_url)
    assert b"Confirm your email address" in page.content
    response = client.post(confirm_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:onboarding_step", args=["basic"])
    assert EmailAddress.objects.get(email="meena@example.test").verified


def test_unverified_students_cannot_log_in(client):
    UserFactory(email="late@example.test", verified_email=False)
    response = _login(client, "late@example.test")
    assert response["Location"] == reverse("account_email_verification_sent")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("taken@example.test", "Str0ng!Pass", "email"), ("new@example.test", "weakpass", "password1")],
)
def test_signup_errors_show_next_to_the_field(client, email, password, field):
    UserFactory(email="taken@example.test")
    response = client.post(
        reverse("account_signup"),
        {"full_name": "X", "email": email, "password1": password, "password2": password, "consent_processing": "on"},
    )
    assert response.status_code == 200
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not User.objects.filter(email="new@example.test").exists()


# --- allauth and mfa pages use the site layout ----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_public_account_pages_render_in_the_site_layout(client, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse(name))
    assert response.status_code == 200 and SKIP_LINK in response.content


@pytest.mark.parametrize(
    "name",
    ["account_change_password", "account_email", "account_logout", "account_reauthenticate", "mfa_index"],
)
def test_signed_in_account_pages_render_in_the_site_layout(client, name, django_assert_max_num_queries):
    user = UserFactory()
    _login(client, user.email)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(name))
    assert response.status_code == 200 and SKIP_LINK in response.content


def test_totp_activation_asks_for_the_password_then_shows_a_qr_code(client):
    user = UserFactory()
    _login(client, user.email)
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and b'src="data:image/svg+xml;base64,' in page.content
    assert SKIP_LINK in page.content


def test_password_reset_sends_a_link_to_a_styled_page(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset_url = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(reset_url, follow=True)
    assert b"Choose a new password" in response.content
    response = client.post(response.redirect_chain[-1][0], {"password1": "weak", "password2": "weak"})
    assert b'id="id_password1_error"' in response.content


# --- lockout (seed 000 §14.1) --------------------------------------------------------------------


def test_five_failures_lock_the_account_for_15_minutes(client):
    user = UserFactory()
    for _attempt in range(4):
        assert _login(client, user.email, "Wrong!Pass1").status_code == 200
    locked = _login(client, user.email, "Wrong!Pass1")
    assert locked.status_code == 429 and b"locked it for 15 minutes" in locked.content
    assert _login(client, user.email).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert _login(client, user.email).status_code == 302


def test_a_lockout_is_per_account_not_per_network(client):
    victim, other = UserFactory(), UserFactory()
    for _attempt in range(5):
        _login(client, victim.email, "Wrong!Pass1")
    assert _login(client, other.email).status_code == 302


# --- staff: two-factor sign-in and short sessions ------------------------------------------------


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=True)
def test_staff_without_totp_are_sent_to_set_it_up(client):
    staff = UserFactory(role="support", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("adminpanel:home"))
    assert response["Location"] == reverse("mfa_activate_totp") + "?next=" + reverse("adminpanel:home")
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("adminpanel:home")).status_code != 302


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=False)
def test_the_staff_mfa_rule_can_be_turned_off_for_the_demo(client):
    client.force_login(UserFactory(role="support", is_staff=True))
    assert client.get(reverse("adminpanel:home")).status_code != 302


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=True)
def test_students_are_not_asked_for_totp(client, onboarded_student):
    client.force_login(onboarded_student)
    assert client.get(reverse("accounts:dashboard")).status_code == 200


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=False)
def test_staff_sessions_last_one_hour_and_others_24(client):
    staff = UserFactory(role="admin", is_staff=True)
    _login(client, staff.email)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 3600
    client.logout()
    _login(client, UserFactory().email)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 24 * 3600


def test_adding_an_email_address_needs_reauthentication(client):
    user = UserFactory()
    _login(client, user.email)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "second@example.test"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="second@example.test").exists()
