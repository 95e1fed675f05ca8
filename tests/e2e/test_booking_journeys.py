"""Booking journeys in a real Chromium against the live server, which has no Razorpay keys: payments go through
the built-in test checkout, exactly as in `make run`."""

import datetime as dt
import io
import re
import zoneinfo

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from mentors.slots import next_open_slots
from payments.models import Invoice
from sessions_app.models import Booking
from tests.accounts.browser import ensure_languages
from tests.factories import GroupSessionFactory, mentor_with_weekly_hours, student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e
# Every test asks for `live_server` first, so the test database exists before Playwright starts its event loop
# (creating it inside that loop is refused by Django) when these journeys run on their own.

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


@pytest.fixture
def mentor(transactional_db):
    """An approved mentor bookable round the clock (₹1,200 an hour), speaking Hindi and English."""
    ensure_languages()
    return mentor_with_weekly_hours(start="00:00", end="23:30", user__full_name="Meera Iyer")


@pytest.fixture
def other_page(browser, live_server):
    context: BrowserContext = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def new_student(name: str, email: str):
    return student_with_profile(languages=("en", "hi"), user_fields={"full_name": name, "email": email})


def slot_after(mentor, delay: dt.timedelta) -> dt.datetime:
    """The mentor's first open hour-long slot at least `delay` from now, in Kolkata."""
    (slot,) = next_open_slots(mentor, 1, now=timezone.now() + delay, duration_minutes=60)
    return slot.start.astimezone(KOLKATA)


def slot_label(start: dt.datetime, minutes: int = 60) -> str:
    return f"{start:%H:%M}–{start + dt.timedelta(minutes=minutes):%H:%M}"


def reloads_slots(page: Page):
    return page.expect_response(lambda response: f"{page.url.split('?')[0]}?" in response.url)


def open_day(page: Page, mentor, start: dt.datetime, *, duration: int = 60) -> None:
    """Open the booking page and pick the length and day as a student would; the slot list reloads each time."""
    page.goto(f"/mentor/{mentor.slug}/book/")
    with reloads_slots(page):  # the page opens on the shortest length, so this is always a change
        page.get_by_label("Length").select_option(str(duration))
    if page.get_by_label("Day").input_value() != start.date().isoformat():
        with reloads_slots(page):
            page.get_by_label("Day").fill(start.date().isoformat())
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    expect(page.locator("#slots")).to_contain_text(f"{duration} minutes")


def book_slot(page: Page, mentor, start: dt.datetime) -> None:
    """Choose the type, language, length and slot, answer the questionnaire and continue to checkout."""
    open_day(page, mentor, start)
    page.get_by_label("Career counselling").check()
    expect(page.get_by_label("Session language")).to_have_value(re.compile(r"\d+"))
    page.get_by_label(slot_label(start)).check()
    page.get_by_label("What do you want from this session?").fill("Decide between CSE and ECE")
    page.get_by_label("Your questions for the mentor").fill("Which has better internships?")
    page.get_by_label("What are you finding hard right now?").fill("Too much conflicting advice")
    expect(page.get_by_text("Cancellation policy")).to_be_visible()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Complete your payment")).to_be_visible()
    expect(page.get_by_test_id("checkout-amount")).to_have_text("₹1,200")


def pay(page: Page, *, succeed: bool = True) -> None:
    page.get_by_label("Payment succeeds" if succeed else "Payment fails").check()
    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()


def test_student_books_pays_and_gets_the_invitation_and_the_slot_disappears(live_server, page, other_page, mentor):
    student = new_student("Kavya Rao", "kavya@example.test")
    start = slot_after(mentor, dt.timedelta(days=2))
    log_in(page, student.email)

    book_slot(page, mentor, start)
    pay(page)

    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    expect(page.get_by_text("Decide between CSE and ECE")).to_be_visible()
    page.get_by_role("link", name="My sessions").first.click()
    row = page.get_by_test_id("booking-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Career counselling with Meera Iyer")
    expect(row).to_contain_text(f"{start:%H:%M}")
    expect(row.get_by_role("link", name="Add to calendar")).to_be_visible()

    invitation = next(m for m in live_server.outbox() if student.email in m["To"] and "Booked" in m["Subject"])
    attachment = next(part for part in invitation.iter_attachments() if part.get_content_type() == "text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    booking = Booking.objects.get(student=student)
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"booking-{booking.uuid}@peerlearn.in"
    assert event.decoded("DTSTART") == start
    assert event["DTSTART"].params["TZID"] == "Asia/Kolkata"
    assert any(mentor.user.email in m["To"] for m in live_server.outbox())

    rival = new_student("Arjun Das", "arjun@example.test")
    log_in(other_page, rival.email)
    open_day(other_page, mentor, start)
    expect(other_page.locator("input[name=starts_at]").first).to_be_visible()
    expect(other_page.get_by_label(slot_label(start))).to_have_count(0)


def test_failed_payment_keeps_the_slot_held_so_trying_again_books_it(live_server, page, other_page, mentor):
    student = new_student("Neha Gupta", "neha@example.test")
    start = slot_after(mentor, dt.timedelta(days=3))
    log_in(page, student.email)

    book_slot(page, mentor, start)
    pay(page, succeed=False)

    expect(page.get_by_test_id("payment-failed")).to_contain_text("Your payment did not go through.")
    expect(page.get_by_test_id("payment-failed")).to_contain_text("This time is still held for you")
    # Nobody else can take the time while the student tries again.
    rival = new_student("Arjun Das", "arjun@example.test")
    log_in(other_page, rival.email)
    open_day(other_page, mentor, start)
    expect(other_page.get_by_label(slot_label(start))).to_have_count(0)

    page.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    pay(page)
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    booking = Booking.objects.get(student=student)
    assert booking.status == Booking.Status.CONFIRMED and booking.session.starts_at == start


def test_paid_booking_cancelled_ten_hours_before_refunds_half(live_server, page, mentor):
    student = new_student("Farhan Ali", "farhan@example.test")
    start = slot_after(mentor, dt.timedelta(hours=10))
    log_in(page, student.email)
    book_slot(page, mentor, start)
    pay(page)
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()

    page.get_by_role("link", name="Cancel").click()
    preview = page.get_by_test_id("refund-preview")
    expect(preview).to_contain_text("50% refund")
    expect(preview).to_contain_text("₹600")
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.get_by_text("The booking is cancelled.")).to_be_visible()
    expect(page.get_by_test_id("refund")).to_contain_text("₹600 (50% of the price)")
    assert Booking.objects.get(student=student).refund_paise == 60_000


def test_student_books_a_free_group_session(live_server, page):
    ensure_languages()
    session = GroupSessionFactory(title="Board exam stress: a plan that works", capacity=25)
    student = new_student("Isha Nair", "isha@example.test")
    log_in(page, student.email)

    page.get_by_role("link", name="Group sessions").first.click()
    page.get_by_label("Price").select_option("free")
    # The filtered results (the same session may also be recommended above them).
    page.locator("#results").get_by_role("link", name=session.title).click()
    expect(page.get_by_test_id("seats")).to_have_text("25 seats left")
    page.get_by_role("button", name="Book a free seat").click()

    expect(page.get_by_text("You are booked!")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    page.get_by_role("link", name="My sessions").first.click()
    expect(page.get_by_test_id("booking-row")).to_contain_text(session.title)


def test_student_downloads_the_tax_invoice_of_a_paid_booking(live_server, page, mentor):
    student = new_student("प्रिया सिंह", "priya@example.test")
    log_in(page, student.email)
    book_slot(page, mentor, slot_after(mentor, dt.timedelta(days=2)))
    pay(page)
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible()
    invoice = Invoice.objects.get(buyer=student)

    page.goto("/payments/history/")
    link = page.get_by_test_id("invoice-link")
    expect(link).to_contain_text(invoice.number)
    with page.expect_download() as download_info:
        link.click()

    download = download_info.value
    assert download.suggested_filename == f"{invoice.number.replace('/', '-')}.pdf"
    text = PdfReader(io.BytesIO(download.path().read_bytes())).pages[0].extract_text()
    assert "प्रिया सिंह" in text
    assert "Meera Iyer" in text
    assert "₹1,200.00" in text
    assert "Rupees One Thousand Two Hundred Only" in text
