"""A student buys a mentor's package, books a session from it, downloads the package's tax invoice, and the mentor
sees it on the earnings page: in a real Chromium against the live server's test checkout, as in `make run`."""

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from payments import packages
from payments.models import Invoice
from sessions_app.models import Booking
from tests.accounts.browser import ensure_languages
from tests.e2e.test_booking_journeys import new_student, open_day, pay, slot_after, slot_label
from tests.factories import mentor_with_weekly_hours
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def mentor(transactional_db):
    ensure_languages()
    mentor = mentor_with_weekly_hours(start="00:00", end="23:30", user__full_name="Meera Iyer")
    packages.package_save(
        mentor=mentor.user,
        title="JEE physics sprint",
        sessions_count=4,
        duration_minutes=60,
        price_paise=430_000,
        validity_days=90,
    )
    return mentor


def test_student_buys_a_package_books_from_it_and_downloads_the_invoice(live_server, page, browser, mentor):
    student = new_student("Kavya Rao", "kavya@example.test")
    log_in(page, student.email)

    page.goto(f"/mentor/{mentor.slug}/")
    page.get_by_role("link", name="JEE physics sprint").click()
    expect(page.get_by_test_id("package-expiry-rule")).to_contain_text("refunded to you in money")
    page.get_by_role("button", name="Buy for ₹4,300").click()
    expect(page.get_by_test_id("checkout-payable")).to_have_text("₹4,300")
    expect(page.get_by_test_id("checkout-breakdown").get_by_role("link", name="refund policy")).to_be_visible()
    pay(page)

    expect(page.get_by_test_id("package-credits")).to_contain_text("4 of 4 sessions (60 min) left")
    page.get_by_role("link", name="Book a session from this package").click()
    start = slot_after(mentor, dt.timedelta(days=2))
    open_day(page, mentor, start)
    page.get_by_label("Career counselling").check()
    expect(page.get_by_label("Session language")).to_have_value(re.compile(r"\d+"))
    page.get_by_label(slot_label(start)).check()
    page.get_by_label("What do you want from this session?").fill("Rotational dynamics")
    page.get_by_role("button", name="Continue to payment").click()

    # The package pays: no checkout, the booking is confirmed at once.
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    assert Booking.objects.get(student=student).payment_id is None
    page.goto("/dashboard/")
    expect(page.get_by_test_id("dashboard-credits")).to_contain_text("3 sessions of 60 min with Meera Iyer")

    invoice = Invoice.objects.get(buyer=student)
    page.goto("/payments/history/")
    link = page.get_by_test_id("invoice-link")
    expect(link).to_contain_text(invoice.number)
    with page.expect_download() as download_info:
        link.click()
    text = PdfReader(io.BytesIO(download_info.value.path().read_bytes())).pages[0].extract_text()
    assert "Kavya Rao" in text
    assert "₹4,300.00" in text

    mentor_context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    mentor_page = mentor_context.new_page()
    log_in(mentor_page, mentor.user.email)
    mentor_page.goto("/payments/earnings/")
    expect(mentor_page.get_by_text(re.compile("Kavya Rao")).first).to_be_visible()
    mentor_context.close()
