"""Emails name the site from settings (SITE_NAME, SITE_URL), never Django's default "example.com"."""

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.sites import site_domain, site_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sign_up(client, email: str = "meena@example.test"):
    return client.post(
        reverse("account_signup"),
        {
            "full_name": "Meena Rao",
            "email": email,
            "password1": "Str0ng!Pass",
            "password2": "Str0ng!Pass",
            "consent_processing": "on",
        },
    )


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Hello from PeerLearn!"), ("hi", "PeerLearn की ओर से नमस्ते!"), ("te", "PeerLearn నుండి నమస్తే!")],
)
def test_verification_email_names_the_site_from_settings_in_every_language(client, settings, language, greeting):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _sign_up(client)
    [message] = mail.outbox
    domain = site_domain()
    assert domain == "127.0.0.1:8000"
    assert "example.com" not in message.body + message.subject
    assert greeting in message.body
    assert domain in message.body.replace(f"http://{domain}/accounts/confirm-email", "")
    assert message.subject.startswith("[PeerLearn] ")


def test_password_reset_email_names_the_site_from_settings(client):
    UserFactory(email="asha@example.test")
    client.cookies["peerlearn_language"] = "en"
    client.post(reverse("account_reset_password"), {"email": "asha@example.test"})
    [message] = mail.outbox
    assert "example.com" not in message.body
    assert "Hello from PeerLearn!" in message.body and "Thank you for using PeerLearn!" in message.body


def test_site_follows_settings_after_migrate(settings):
    settings.SITE_URL = "https://mentors.example.in"
    settings.SITE_NAME = "PeerLearn India"
    call_command("migrate", interactive=False, verbosity=0)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("mentors.example.in", "PeerLearn India")
    settings.SITE_URL, settings.SITE_NAME = "http://127.0.0.1:8000", "PeerLearn"
    site_sync()
    assert Site.objects.get_current().name == "PeerLearn"


def test_fresh_database_has_exactly_the_configured_site():
    assert list(Site.objects.values_list("pk", "domain", "name")) == [(1, "127.0.0.1:8000", "PeerLearn")]
