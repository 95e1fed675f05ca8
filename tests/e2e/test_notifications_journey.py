"""Notifications arrive live: the mentor's open page shows the bell count rise, a toast and an announcement the
moment a student books and pays (built-in test checkout, as in `make run`), without a reload."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.test_booking_journeys import book_slot, new_student, pay, slot_after
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def mentor(transactional_db):
    from tests.accounts.browser import ensure_languages
    from tests.factories import mentor_with_weekly_hours

    ensure_languages()
    return mentor_with_weekly_hours(start="00:00", end="23:30", user__full_name="Meera Iyer")


@pytest.fixture
def mentor_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_mentors_open_page_shows_a_new_booking_live(live_server, page, mentor_page, mentor):
    student = new_student("Kavya Rao", "kavya@example.test")
    start = slot_after(mentor, dt.timedelta(days=2))

    log_in(mentor_page, mentor.user.email)
    mentor_page.goto("/notifications/")
    bell = mentor_page.locator('[x-data="notificationBell"]')
    expect(bell).to_have_attribute("data-live", "connected")
    count = mentor_page.get_by_test_id("notification-count")
    expect(count).to_be_hidden()
    expect(mentor_page.get_by_text("Nothing here.")).to_be_visible()
    opened_at = mentor_page.evaluate("() => performance.timeOrigin")

    log_in(page, student.email)
    book_slot(page, mentor, start)
    pay(page)
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()

    # The mentor's page, never reloaded: the count, the toast (a new booking is high priority), the announcement
    # for screen readers, and the new row at the top of the open inbox.
    expect(count).to_have_text("1")
    expect(mentor_page.get_by_test_id("notification-toast")).to_contain_text("New booking: Career counselling")
    expect(mentor_page.get_by_test_id("notification-announcement")).to_contain_text("New booking")
    expect(mentor_page.get_by_test_id("notification-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(mentor_page.locator("[data-live-inbox] li[data-notification-id]")).to_have_count(1)
    assert mentor_page.evaluate("() => performance.timeOrigin") == opened_at

    # The toast goes when dismissed; reading the live row (an htmx post) brings the count back to zero.
    mentor_page.get_by_test_id("notification-toast").get_by_role("button", name="Dismiss").click()
    expect(mentor_page.get_by_test_id("notification-toast")).to_be_hidden()
    mentor_page.locator("[data-live-inbox] li[data-notification-id]").get_by_role("button", name="Mark read").click()
    expect(count).to_be_hidden()
