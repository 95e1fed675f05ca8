"""Becoming a mentor while logged out: the sign-up page says it is for mentoring, and sign-up plus email
confirmation land on the mentor application, in the same browser or another one."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "Str0ng!Pass"


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _mentor_signup_url(client) -> str:
    home = client.get(reverse("home")).content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*>Become a mentor</a>', home).group(1)
    return link.replace("&amp;", "&")


def _sign_up(client, url: str) -> str:
    page = client.get(url)
    html = page.content.decode()
    assert "Create your account to become a mentor" in html and "Create your student account" not in html
    next_value = re.search(r'name="next" value="([^"]+)"', html).group(1)
    response = client.post(
        url,
        {
            "full_name": "Ravi Kumar",
            "email": "ravi@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent_processing": "on",
            "next": next_value,
        },
    )
    assert response.status_code == 302
    [message] = mail.outbox
    return re.search(r"http://\S+(/accounts/confirm-email/\S+)", message.body).group(1)


def test_become_a_mentor_signs_up_for_mentoring_and_lands_on_the_application(client):
    url = _mentor_signup_url(client)
    assert urlsplit(url).path == reverse("account_signup")
    confirm_url = _sign_up(client, url)
    assert "next=%2Fbecome-a-mentor%2F" in confirm_url
    confirm_page = client.get(confirm_url).content.decode()
    assert 'name="next" value="/become-a-mentor/"' in confirm_page
    response = client.post(confirm_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentors:apply")
    assert response.status_code == 200 and response.wsgi_request.user.email == "ravi@example.test"
    assert b"id_primary_language" in response.content


def test_confirming_in_another_browser_still_leads_to_the_application_after_logging_in(client, settings):
    confirm_url = _sign_up(client, _mentor_signup_url(client))
    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = other.post(confirm_url, follow=True)
    login_url = response.redirect_chain[-1][0]
    assert urlsplit(login_url).path == reverse("account_login") and "next=/become-a-mentor/" in login_url
    response = other.post(login_url, {"login": "ravi@example.test", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentors:apply")


def test_student_sign_up_is_unchanged(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert "Create your student account" in html and "become a mentor" not in html
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": "meena@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent_processing": "on",
        },
    )
    confirm_url = re.search(r"http://\S+(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    assert "next=" not in confirm_url
    response = client.post(confirm_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:onboarding_step", args=["basic"])


def test_a_hostile_next_is_not_carried_into_the_confirmation_link(client):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": "meena@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent_processing": "on",
            "next": "https://evil.example/steal",
        },
    )
    assert "evil" not in mail.outbox[0].body
