"""Messages in two real Chromium contexts: a student asks a mentor, the mentor replies, the student sees the reply
arrive live (pushed through the notification socket) without reloading."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, expect

from tests.factories import MentorProfileFactory, UserFactory

pytestmark = pytest.mark.e2e


def sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def second_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_the_mentor_replies_and_the_student_sees_it_live(page, second_context, live_server):
    mentor = MentorProfileFactory()
    student = UserFactory(ui_language="en")
    sign_in(page.context, live_server, student)
    sign_in(second_context, live_server, mentor.user)

    page.goto(f"/mentor/{mentor.slug}/")
    page.get_by_test_id("ask-mentor").click()
    page.get_by_role("textbox", name="Message").fill("Could you help me choose between ECE and CSE?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_test_id("message-text")).to_have_text("Could you help me choose between ECE and CSE?")
    # The bell's socket is open; a marker on the window shows later that the page never reloaded.
    expect(page.locator("[x-data=notificationBell]")).to_have_attribute("data-live", "connected")
    page.evaluate("window.__stillTheSamePage = true")

    mentor_page = second_context.new_page()
    mentor_page.goto("/messages/")
    expect(mentor_page.get_by_test_id("unread-count")).to_have_text("1 new")
    mentor_page.get_by_test_id("thread-row").get_by_role("link").click()
    mentor_page.get_by_role("textbox", name="Message").fill(
        "Happy to! Let us look at what you enjoy in physics and maths."
    )
    mentor_page.get_by_role("button", name="Send").click()
    expect(mentor_page.get_by_test_id("message-text")).to_have_count(2)

    # Well before the one-minute fallback refresh: the push fetched the thread again.
    expect(page.get_by_test_id("message-text").nth(1)).to_have_text(
        "Happy to! Let us look at what you enjoy in physics and maths.", timeout=8_000
    )
    assert page.evaluate("window.__stillTheSamePage") is True
