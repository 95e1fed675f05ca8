import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Language
from tests.factories import UserFactory, language

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """No language cookie: these tests are about what happens before and when one is chosen."""
    return Client()


def _page_language(client) -> str:
    return client.get(reverse("home")).headers["Content-Language"]


def test_a_users_primary_language_is_the_default_when_we_offer_it(client):
    client.force_login(UserFactory(primary_language=language("te")))
    assert _page_language(client) == "te"


def test_other_primary_languages_fall_back_to_the_browser_choice(client):
    client.force_login(UserFactory(primary_language=language("ml")))
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="hi").headers["Content-Language"] == "hi"


@pytest.mark.parametrize("code", ["ta", "bn"])
def test_phase_two_interfaces_follow_a_users_primary_language(client, code):
    client.force_login(UserFactory(primary_language=language(code)))
    assert _page_language(client) == code


def test_phase_two_languages_can_be_chosen_as_spoken_languages():
    active = set(Language.objects.filter(is_active=True).values_list("code", flat=True))
    assert {"hi", "en", "te", "ta", "bn", "mr", "kn"} <= active
    assert "fr" not in active


def test_choosing_a_language_is_saved_to_the_account_and_follows_the_user(client):
    user = UserFactory(primary_language=language("te"))
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "hi", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.ui_language == "hi"
    client.logout()
    client.cookies.clear()
    client.force_login(user)
    assert _page_language(client) == "hi"


def test_visitors_can_switch_language_with_the_cookie(client):
    client.post(reverse("set_language"), {"language": "te", "next": "/"})
    assert _page_language(client) == "te"


def test_unknown_languages_are_ignored(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.ui_language == ""
