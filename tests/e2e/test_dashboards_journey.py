"""The dashboards in a real Chromium: the mentor's charts draw (each beside its table), and a booking made by a
student in another browser context appears in the mentor's open dashboard without a reload, with the bell's count
rising; the student's hours chart draws."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, expect

from sessions_app.dashboards.history import mentor_history_create
from tests.factories import GroupSessionFactory, MentorProfileFactory, language, student_with_profile

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


def test_a_booking_appears_live_on_the_mentors_dashboard(page, second_context, live_server):
    mentor = MentorProfileFactory(user__ui_language="en")
    regulars = [student_with_profile(languages=("en",)) for _ in range(3)]
    mentor_history_create(
        mentor_user=mentor.user, students=regulars, language=language("en"), now=timezone.now(), weeks=12, seats=2
    )
    session = GroupSessionFactory(mentor=mentor.user, title="Board exam revision clinic", capacity=10)
    student = student_with_profile(languages=("en", "hi"), user_fields={"full_name": "Isha Nair"})
    sign_in(page.context, live_server, mentor.user)
    sign_in(second_context, live_server, student)

    page.goto("/mentor-dashboard/")
    for chart in ("earnings", "sessions", "rating"):
        page.wait_for_function(f"() => window.Chart && Chart.getChart(document.getElementById('chart-{chart}'))")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-earnings')).data.datasets[0].data[5]") > 0
    page.get_by_text("The same numbers as a table").first.click()
    expect(page.locator("#table-earnings tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("new-bookings-count")).to_have_text("0 bookings in the last 7 days")
    expect(page.locator("[x-data=notificationBell]")).to_have_attribute("data-live", "connected")
    page.evaluate("window.__stillTheSamePage = true")

    student_page = second_context.new_page()
    student_page.goto(f"/sessions/group/{session.uuid}/")
    student_page.get_by_role("button", name="Book a free seat").click()
    expect(student_page.get_by_text("You are booked!")).to_be_visible()

    expect(page.get_by_test_id("new-booking")).to_have_count(1)
    expect(page.get_by_test_id("new-booking")).to_contain_text("Board exam revision clinic")
    expect(page.get_by_test_id("new-bookings-count")).to_have_text("1 booking in the last 7 days")
    expect(page.get_by_test_id("notification-count")).to_have_text("1")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_the_students_hours_chart_draws_beside_its_table(page, live_server):
    student = student_with_profile(languages=("en",))
    mentor = MentorProfileFactory()
    mentor_history_create(
        mentor_user=mentor.user, students=[student], language=language("en"), now=timezone.now(), weeks=8, seats=1
    )
    sign_in(page.context, live_server, student)
    page.goto("/dashboard/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-hours'))")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-hours')).data.datasets[0].data.length") == 12
    expect(page.get_by_test_id("streak")).to_contain_text("week")
    expect(page.locator("#table-hours tbody tr")).to_have_count(12)
