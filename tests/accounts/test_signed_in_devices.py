import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(user, agent: str, address: str) -> Client:
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = browser.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return browser


def _signed_in(browser: Client) -> bool:
    return browser.get(reverse("accounts:privacy")).status_code == 200


def test_a_fourth_sign_in_ends_the_oldest_session_only():
    user = UserFactory()
    browsers = [_sign_in(user, f"Device/{n}", f"198.51.100.{n}") for n in range(1, 4)]
    assert all(_signed_in(browser) for browser in browsers)
    fourth = _sign_in(user, "Device/4", "198.51.100.4")
    assert not _signed_in(browsers[0])
    assert all(_signed_in(browser) for browser in [*browsers[1:], fourth])
    assert sorted(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "Device/2", "Device/3", "Device/4"
    ]


def test_sessions_of_other_users_do_not_count():
    user, other = UserFactory(), UserFactory()
    others = [_sign_in(other, "Other", "203.0.113.1") for _ in range(3)]
    mine = _sign_in(user, "Mine", "203.0.113.2")
    assert _signed_in(mine) and all(_signed_in(browser) for browser in others)


def test_devices_page_lists_sessions_and_signs_out_the_others(django_assert_max_num_queries):
    user = UserFactory()
    laptop = _sign_in(user, "Laptop browser", "198.51.100.7")
    phone = _sign_in(user, "Phone browser", "198.51.100.8")
    with django_assert_max_num_queries(20):
        page = phone.get(reverse("usersessions_list"))
    html = page.content.decode()
    assert "Laptop browser" in html and "198.51.100.7" in html and "This device" in html
    assert "3 devices at a time" in html
    phone.post(reverse("usersessions_list"))
    assert not _signed_in(laptop)
    assert _signed_in(phone)


def test_last_seen_is_not_written_on_every_request(django_assert_num_queries):
    user = UserFactory()
    browser = _sign_in(user, "Quiet", "198.51.100.9")
    browser.get(reverse("accounts:privacy"))
    seen = UserSession.objects.get(user=user).last_seen_at
    browser.get(reverse("accounts:privacy"))
    assert UserSession.objects.get(user=user).last_seen_at == seen
