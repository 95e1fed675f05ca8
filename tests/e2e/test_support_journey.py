"""The emergency line end to end: a student in a session reports a safety problem, support answers it."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, expect

from adminpanel.models import Ticket
from tests.factories import BookingFactory, SessionMessageFactory, TicketFactory, UserFactory, live_group_session

pytestmark = pytest.mark.e2e


def sign_in(context: BrowserContext, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def staff_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata", viewport={"width": 375, "height": 800}
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_student_reports_from_the_room_support_answers_at_the_top_of_the_queue(page, staff_context, live_server):
    session = live_group_session(starts_in_minutes=-5, title="Organic chemistry clinic")
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)
    SessionMessageFactory(session=session, text="Add me on WhatsApp")
    TicketFactory(subject="Older refund question", priority=Ticket.Priority.HIGH)
    support = UserFactory(full_name="Sunita Support", is_staff=True, role="support")
    sign_in(page.context, live_server, student)
    sign_in(staff_context, live_server, support)

    page.goto(f"/sessions/{session.pk}/room/")
    with page.context.expect_page() as report_tab:
        page.get_by_test_id("report-safety").click()
    report = report_tab.value
    expect(report.get_by_role("heading", name="Report a problem / safety")).to_be_visible()
    report.get_by_label("What is happening?").fill("The mentor keeps asking for my phone number.")
    report.get_by_role("button", name="Alert support now").click()
    expect(report.get_by_test_id("ticket-status")).to_contain_text("Open")

    staff = staff_context.new_page()
    staff.goto("/panel/support/")
    first_row = staff.get_by_test_id("ticket-row").first
    expect(first_row).to_contain_text("EMERGENCY")
    expect(first_row).to_contain_text("Organic chemistry clinic")
    first_row.get_by_role("link").click()
    expect(staff.get_by_text("Add me on WhatsApp")).to_be_visible()
    staff.get_by_label("Your reply").fill("We have removed the mentor from the session and are calling you now.")
    staff.get_by_label("Reply and resolve").check()
    staff.get_by_role("button", name="Send", exact=True).click()
    expect(staff.get_by_test_id("ticket-status")).to_contain_text("Resolved")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 375

    report.reload()
    expect(report.get_by_test_id("conversation")).to_contain_text("calling you now")
    expect(report.get_by_test_id("ticket-status")).to_contain_text("Resolved")
    assert any("Support replied" in message["Subject"] for message in live_server.outbox())


def test_analytics_charts_draw_beside_their_tables_at_375_px(staff_context, live_server, transactional_db):
    import datetime as dt

    from adminpanel.models import DailyMetric
    from adminpanel.services.analytics import ANALYTICS_ZONE

    today = dt.datetime.now(ANALYTICS_ZONE).date()
    DailyMetric.objects.bulk_create(
        [
            DailyMetric(day=today - dt.timedelta(days=n), metric=metric, language_code="*", state="*", value=5 + n)
            for n in range(30)
            for metric in ("signups", "bookings", "completed", "gross_paise")
        ]
    )
    sign_in(staff_context, live_server, UserFactory(is_staff=True, role="admin"))
    page = staff_context.new_page()
    page.goto("/panel/analytics/?days=30")
    expect(page.get_by_test_id("analytics-daily")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-daily'))")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-daily')).data.datasets[1].data[29]") == 5
    assert page.evaluate("document.getElementById('chart-daily').getBoundingClientRect().width") <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.locator("#table-daily")).to_contain_text(today.isoformat())
