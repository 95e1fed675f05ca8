import datetime as dt
import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
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


def test_signup_errors_show_next_to_the_field(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "X",
            "email": "new@example.test",
            "password1": "weakpass",
            "password2": "weakpass",
            "consent_processing": "on",
        },
    )
    assert response.status_code == 200
    assert b'id="id_password1_error"' in response.content
    assert not User.objects.filter(email="new@example.test").exists()


def test_signup_with_a_registered_email_looks_the_same_and_tells_the_owner_by_email(client):
    owner = UserFactory(email="taken@example.test")
    data = {"full_name": "X", "password1": "Str0ng!Pass", "password2": "Str0ng!Pass", "consent_processing": "on"}
    fresh = client.post(reverse("account_signup"), {**data, "email": "fresh@example.test"})
    client.logout()
    taken = client.post(reverse("account_signup"), {**data, "email": "taken@example.test"})
    assert taken.status_code == fresh.status_code == 302 and taken["Location"] == fresh["Location"]
    page = client.get(taken["Location"])
    assert b"already registered" not in page.content and b"Check your email" in page.content
    assert User.objects.filter(email="taken@example.test").get() == owner
    assert mail.outbox[-1].to == ["taken@example.test"] and "already" in mail.outbox[-1].body.lower()


def test_password_reset_does_not_say_whether_an_account_exists(client):
    UserFactory(email="known@example.test")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.test"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert b"not assigned" not in client.get(unknown["Location"]).content
    assert sorted(message.to[0] for message in mail.outbox) == ["known@example.test", "nobody@example.test"]
    assert "/password/reset/key/" in next(m.body for m in mail.outbox if m.to == ["known@example.test"])
    assert "/password/reset/key/" not in next(m.body for m in mail.outbox if m.to == ["nobody@example.test"])


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


@override_settings(
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
    ACCOUNT_RATE_LIMITS={"login_failed": "10/m/ip,5/5m/key"},
    AXES_FAILURE_LIMIT=100,
)
def test_behind_the_proxy_the_login_rate_limit_counts_each_client_not_the_proxy(client):
    cache.clear()
    users = [UserFactory() for _ in range(11)]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for user in users[:10]:
        response = client.post(
            reverse("account_login"),
            {"login": user.email, "password": "Wrong!Pass1"},
            HTTP_X_REAL_IP="49.36.10.1",
            **proxy,
        )
        assert response.status_code == 200
    limited = client.post(
        reverse("account_login"),
        {"login": users[10].email, "password": DEFAULT_PASSWORD},
        HTTP_X_REAL_IP="49.36.10.1",
        **proxy,
    )
    assert limited.status_code == 200 and b"Too many failed login attempts" in limited.content
    other = client.post(
        reverse("account_login"),
        {"login": users[10].email, "password": DEFAULT_PASSWORD},
        HTTP_X_REAL_IP="49.36.10.2",
        **proxy,
    )
    assert other.status_code == 302
    cache.clear()


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_behind_the_proxy_the_lockout_stays_per_account_and_logs_the_client(client):
    user, neighbour = UserFactory(), UserFactory()
    for attempt in range(5):
        _login_from = {"HTTP_X_REAL_IP": f"49.36.10.{attempt + 1}", "REMOTE_ADDR": "10.0.0.2"}
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "Wrong!Pass1"}, **_login_from
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"49.36.10.{n}" for n in range(1, 6)}
    same_proxy = {"HTTP_X_REAL_IP": "49.36.10.1", "REMOTE_ADDR": "10.0.0.2"}
    assert (
        client.post(
            reverse("account_login"), {"login": neighbour.email, "password": DEFAULT_PASSWORD}, **same_proxy
        ).status_code
        == 302
    )


# --- staff: two-factor sign-in and short sessions ------------------------------------------------


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=True)
def test_staff_without_totp_are_sent_to_set_it_up(client):
    staff = UserFactory(role="support", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("adminpanel:home"))
    assert response["Location"] == reverse("mfa_activate_totp") + "?next=" + reverse("adminpanel:home")


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=True)
@pytest.mark.parametrize("url", ["/admin/", "/panel/"])
def test_an_enrolled_staff_session_without_the_second_factor_is_asked_for_a_code(client, url):
    staff = UserFactory(role="admin", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)  # a session signed in with the password alone
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": _totp_code(secret)})
    assert client.get(url).status_code == 200


@override_settings(PEERLEARN_REQUIRE_MFA_FOR_STAFF=True)
def test_django_admin_login_hands_over_to_allauth_and_its_second_factor(client):
    staff = UserFactory(role="admin", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == reverse("account_login") + "?next=/admin/"
    # Django's own form is gone: posting a password to it signs nobody in.
    client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # The password alone leaves the session on the code step; neither admin nor the panel opens.
    response = client.post(
        reverse("account_login") + "?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/panel/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200 and client.get("/panel/").status_code == 200


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


# --- password rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Passw0rd!",
        "Qwerty123!",
        "Demo@12345",
        "P@ssw0rd2024",
        "Welcome@123",
        "Meena@2024",
        "R@o-secret-9",
        "A1!" + "x" * 130,
    ],
)
def test_weak_breached_personal_and_overlong_passwords_are_refused_at_signup(client, password):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Meena Rao", "email": "meena.rao@example.test", "password1": password, "password2": password},
    )
    assert response.status_code == 200 and b'id="id_password1_error"' in response.content
    assert not User.objects.filter(email="meena.rao@example.test").exists()


@pytest.mark.parametrize("password", ["Ünïcödé-Tiger9", "ÄRVIND-kite-42", "Tr4in-Quokka-Lamp"])
def test_strong_passwords_in_any_script_are_accepted(client, password):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": "meena.rao@example.test",
            "password1": password,
            "password2": password,
            "consent_processing": "on",
        },
    )
    assert response.status_code == 302 and User.objects.filter(email="meena.rao@example.test").exists()


def test_a_password_change_is_checked_against_the_account_holders_name(client):
    user = UserFactory(full_name="Lakshmi Narayan")
    _login(client, user.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": "Lakshmi#Pune42", "password2": "Lakshmi#Pune42"},
    )
    assert response.status_code == 200 and b"cannot contain your name" in response.content
