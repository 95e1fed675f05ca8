"""Request tests for every page of the booking flow: full pages, HTMX partials, permissions, bounded queries."""

import datetime as dt
import io
import re

import icalendar
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Notification
from payments.models import Payment
from sessions_app import services
from sessions_app.models import Booking, CalendarFeed, Dispute, Session, WaitlistEntry
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    UserFactory,
    language,
    student_with_profile,
)
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    """Sign in with the interface in English (the assertions read English text whatever the user speaks)."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def student_client(client, student):
    return login(client, student)


# --- 1:1 booking page ----------------------------------------------------------------------------


def test_booking_page_shows_slots_policy_and_questionnaire(student_client, mentor, django_assert_max_num_queries):
    url = reverse("sessions_app:book", args=[mentor.slug])
    with django_assert_max_num_queries(30):
        response = student_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="starts_at"' in content
    assert "Cancellation policy" in content
    assert 'name="purpose"' in content
    assert "₹600" in content  # the shortest length the mentor offers, 30 minutes
    # Both speak Hindi and English; the student's primary language (Hindi) is chosen for them.
    assert f'<option value="{language("hi").pk}" selected>' in content


def test_changing_length_or_day_reloads_only_the_slots(student_client, mentor, django_assert_max_num_queries):
    day = local_slot(days=3).date()
    with django_assert_max_num_queries(20):
        response = student_client.get(
            reverse("sessions_app:book", args=[mentor.slug]), {"duration": 90, "date": day.isoformat()}, **HTMX
        )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="slots"' in content
    assert "₹1,800" in content
    assert "10:00–11:30" in content


def test_booking_form_holds_the_slot_and_goes_to_checkout(student_client, mentor, student):
    start = local_slot(days=2, hour=11)
    response = student_client.post(
        reverse("sessions_app:book", args=[mentor.slug]),
        {
            "session_type": "career_counselling",
            "language": language("hi").pk,
            "duration": 60,
            "date": start.date().isoformat(),
            "starts_at": start.isoformat(),
            "purpose": "Which branch after class 12?",
        },
    )
    booking = Booking.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:checkout", kwargs={"payment_id": booking.payment_id})
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.session.starts_at == start


def test_booking_form_errors_stay_on_the_page(student_client, mentor):
    response = student_client.post(reverse("sessions_app:book", args=[mentor.slug]), {"duration": 60})
    assert response.status_code == 400
    assert "Choose a time." in response.content.decode()
    assert not Booking.objects.exists()


def test_taken_slot_is_reported_next_to_the_form(student_client, mentor, hold_slot):
    start = local_slot(days=2, hour=11)
    hold_slot(student_with_profile(languages=("hi",)), starts_at=start)
    response = student_client.post(
        reverse("sessions_app:book", args=[mentor.slug]),
        {
            "session_type": "academic_guidance",
            "language": language("hi").pk,
            "duration": 60,
            "date": start.date().isoformat(),
            "starts_at": start.isoformat(),
            "purpose": "Maths",
        },
    )
    assert response.status_code == 400
    assert "someone else just took this time" in response.content.decode()


def test_a_student_who_may_not_book_is_told_why(client, mentor):
    login(client, UserFactory(verified_email=False))
    response = client.get(reverse("sessions_app:book", args=[mentor.slug]))
    assert "Verify your email address before booking." in response.content.decode()
    assert 'name="starts_at"' not in response.content.decode()


def test_booking_attempts_are_rate_limited(student_client, mentor):
    url = reverse("sessions_app:book", args=[mentor.slug])
    statuses = [student_client.post(url, {"duration": 60}).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 400]
    assert "Too many booking attempts" in student_client.post(url, {"duration": 60}).content.decode()


def test_unlisted_mentor_has_no_booking_page(student_client):
    pending = MentorProfileFactory(pending=True)
    assert student_client.get(reverse("sessions_app:book", args=[pending.slug])).status_code == 404


# --- a booking ------------------------------------------------------------------------------------


def test_both_parties_see_the_booking_and_nobody_else(client, paid_booking, django_assert_max_num_queries):
    booking = paid_booking()
    url = reverse("sessions_app:booking_detail", args=[booking.uuid])
    for user in (booking.student, booking.session.mentor):
        login(client, user)
        with django_assert_max_num_queries(15):
            response = client.get(url)
        assert response.status_code == 200
        assert "Choosing an engineering branch" in response.content.decode()
    login(client, student_with_profile())
    assert client.get(url).status_code == 403


def test_held_booking_offers_to_pay(student_client, hold_slot, student):
    booking = hold_slot(student)
    response = student_client.get(reverse("sessions_app:booking_detail", args=[booking.uuid]))
    assert reverse("sessions_app:booking_pay", args=[booking.uuid]) in response.content.decode()
    response = student_client.post(reverse("sessions_app:booking_pay", args=[booking.uuid]))
    booking.refresh_from_db()
    assert response["Location"] == reverse("payments:checkout", kwargs={"payment_id": booking.payment_id})


def test_failed_payment_is_explained_and_offers_to_pay_again(student_client, hold_slot, student):
    booking = hold_slot(student)
    student_client.post(reverse("sessions_app:booking_pay", args=[booking.uuid]))
    booking.refresh_from_db()
    Payment.objects.filter(pk=booking.payment_id).update(status=Payment.Status.FAILED)
    page = student_client.get(reverse("sessions_app:booking_detail", args=[booking.uuid])).content.decode()
    assert "Your payment did not go through." in page
    assert "This time is still held for you" in page
    assert reverse("sessions_app:booking_pay", args=[booking.uuid]) in page


def test_cancel_page_shows_the_refund_now_and_cancels(client, paid_booking, committed):
    booking = paid_booking()
    url = reverse("sessions_app:booking_cancel", args=[booking.uuid])
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=10), tick=False):
        login(client, booking.student)
        page = client.get(url).content.decode()
        assert "50% refund" in page
        assert "₹600" in page
        with committed():
            response = client.post(url, {"note": "Exam moved"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_paise == 60_000


def test_reschedule_page_partial_and_move(client, paid_booking):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    login(client, booking.student)
    url = reverse("sessions_app:booking_reschedule", args=[booking.uuid])
    assert client.get(url).status_code == 200
    new_start = local_slot(days=4, hour=12)
    partial = client.get(url, {"date": new_start.astimezone(booking.student.tzinfo).date().isoformat()}, **HTMX)
    assert "<html" not in partial.content.decode()
    assert new_start.isoformat() in partial.content.decode()
    response = client.post(url, {"date": new_start.date().isoformat(), "starts_at": new_start.isoformat()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.session.starts_at == new_start


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2024-02-30", "x\x00"])
def test_booking_and_reschedule_pages_survive_impossible_dates(client, mentor, paid_booking, day):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    login(client, booking.student)
    book = client.get(reverse("sessions_app:book", args=[mentor.slug]), {"date": day})
    reschedule = client.get(reverse("sessions_app:booking_reschedule", args=[booking.uuid]), {"date": day})
    moved = client.post(
        reverse("sessions_app:booking_reschedule", args=[booking.uuid]), {"date": day, "starts_at": day}
    )
    assert {book.status_code, reschedule.status_code, moved.status_code} <= {200, 400}
    booking.refresh_from_db()
    assert booking.session.starts_at == local_slot(days=3, hour=10)


def test_late_reschedule_becomes_an_emergency_request(client, paid_booking):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    url = reverse("sessions_app:booking_reschedule", args=[booking.uuid])
    new_start = local_slot(days=5, hour=12)
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=3), tick=False):
        login(client, booking.student)
        assert "emergency" in client.get(url).content.decode()
        client.post(
            url,
            {"date": new_start.date().isoformat(), "starts_at": new_start.isoformat(), "reason": "Family emergency"},
        )
    assert booking.reschedule_requests.get().status == "pending"


def test_calendar_file_download(client, paid_booking):
    booking = paid_booking()
    login(client, booking.student)
    response = client.get(reverse("sessions_app:booking_ics", args=[booking.uuid]))
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event["UID"] == f"booking-{booking.uuid}@peerlearn.in"


def test_student_reports_a_problem(client, paid_booking):
    booking = paid_booking()
    url = reverse("sessions_app:booking_dispute", args=[booking.uuid])
    with time_machine.travel(booking.session.ends_at + dt.timedelta(hours=1), tick=False):
        login(client, booking.student)
        assert client.get(url).status_code == 200
        response = client.post(url, {"kind": "technical", "description": "Audio kept dropping"})
    assert response.status_code == 302
    assert Dispute.objects.get(booking=booking).kind == "technical"


def test_mentor_reports_a_no_show(client, paid_booking):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at + dt.timedelta(minutes=30), tick=False):
        login(client, booking.session.mentor)
        client.post(reverse("sessions_app:booking_no_show", args=[booking.uuid]))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW


# --- lists ----------------------------------------------------------------------------------------


def test_my_sessions_lists_upcoming_and_past(client, django_assert_max_num_queries):
    student = student_with_profile()
    upcoming = [BookingFactory(student=student) for _ in range(3)]
    three_days_ago = local_slot(days=-3)
    past_session = GroupSessionFactory(starts_at=three_days_ago, ends_at=three_days_ago + dt.timedelta(hours=1))
    past = BookingFactory(student=student, session=past_session, status="completed")
    Notification.objects.create(
        recipient=student, kind="accounts.notice", category="account", params={"title": "Booked: JEE workshop"}
    )
    login(client, student)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sessions_app:my_sessions"))
    content = response.content.decode()
    assert all(b.session.title in content for b in upcoming)
    assert past.session.title not in content
    assert "Booked: JEE workshop" in content
    with django_assert_max_num_queries(12):
        partial = client.get(reverse("sessions_app:my_sessions"), {"tab": "past"}, **HTMX)
    assert past.session.title in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_mentor_bookings_lists_what_students_booked(client, django_assert_max_num_queries):
    session = GroupSessionFactory()
    bookings = [BookingFactory(session=session) for _ in range(3)]
    login(client, session.mentor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sessions_app:mentor_bookings"))
    assert response.content.decode().count('data-testid="booking-row"') == len(bookings)
    partial = client.get(reverse("sessions_app:mentor_bookings"), {"tab": "past"}, **HTMX)
    assert "<html" not in partial.content.decode()


def test_students_cannot_open_the_mentor_bookings(student_client):
    assert student_client.get(reverse("sessions_app:mentor_bookings")).status_code == 403


def test_old_notices_address_leads_to_the_inbox(student_client):
    response = student_client.get(reverse("sessions_app:notifications"))
    assert response.status_code == 302 and response.url == reverse("accounts:notifications")


# --- group sessions: students ----------------------------------------------------------------------


def test_group_listing_filters_and_partial(client, django_assert_max_num_queries):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    free = GroupSessionFactory(title="Free maths clinic")
    paid = GroupSessionFactory(
        title="Paid essay workshop", price_paise=20_000, language=language("hi"), category="arts"
    )
    GroupSessionFactory(title="Secret draft", status="draft")
    for _ in range(3):
        BookingFactory(session=free)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("sessions_app:group_list")).content.decode()
    assert free.title in page and paid.title in page and "Secret draft" not in page
    assert "3 of 20 seats taken" in page
    partial = client.get(reverse("sessions_app:group_list"), {"price": "paid"}, **HTMX).content.decode()
    assert paid.title in partial and free.title not in partial and "<html" not in partial
    by_language = client.get(reverse("sessions_app:group_list"), {"language": "hi"}, **HTMX).content.decode()
    assert paid.title in by_language and free.title not in by_language
    by_category = client.get(reverse("sessions_app:group_list"), {"category": "arts"}).content.decode()
    assert paid.title in by_category and free.title not in by_category


def test_group_detail_for_visitors_and_students(client, django_assert_max_num_queries):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    session = GroupSessionFactory()
    with django_assert_max_num_queries(6):
        page = client.get(reverse("sessions_app:group_detail", args=[session.uuid])).content.decode()
    assert "Log in to book" in page
    login(client, student_with_profile())
    with django_assert_max_num_queries(16):
        page = client.get(reverse("sessions_app:group_detail", args=[session.uuid])).content.decode()
    assert "Book a free seat" in page


def test_draft_group_sessions_are_not_public(client):
    draft = GroupSessionFactory(status="draft")
    assert client.get(reverse("sessions_app:group_detail", args=[draft.uuid])).status_code == 404


def test_booking_a_free_group_seat(client):
    session = GroupSessionFactory()
    student = student_with_profile()
    login(client, student)
    response = client.post(reverse("sessions_app:group_book", args=[session.uuid]))
    booking = Booking.objects.get(student=student)
    assert response["Location"] == reverse("sessions_app:booking_detail", args=[booking.uuid])
    assert booking.status == Booking.Status.CONFIRMED


def test_booking_a_paid_group_seat_goes_to_checkout(client):
    session = GroupSessionFactory(price_paise=25_000)
    student = student_with_profile()
    login(client, student)
    response = client.post(reverse("sessions_app:group_book", args=[session.uuid]))
    booking = Booking.objects.get(student=student)
    assert response["Location"] == reverse("payments:checkout", kwargs={"payment_id": booking.payment_id})


def test_joining_and_leaving_the_waitlist(client):
    session = GroupSessionFactory(capacity=1)
    BookingFactory(session=session)
    student = student_with_profile()
    login(client, student)
    assert "Join the waitlist" in client.get(reverse("sessions_app:group_detail", args=[session.uuid])).content.decode()
    client.post(reverse("sessions_app:group_waitlist", args=[session.uuid]), {"action": "join"})
    assert WaitlistEntry.objects.get(student=student).status == "waiting"
    client.post(reverse("sessions_app:group_waitlist", args=[session.uuid]), {"action": "leave"})
    assert WaitlistEntry.objects.get(student=student).status == "left"


# --- group sessions: mentors -----------------------------------------------------------------------


def group_form_data(**overrides) -> dict:
    day = local_slot(days=6).date()
    data = {
        "title": "Physics doubts hour",
        "description": "Bring your questions.",
        "session_type": "exam_preparation",
        "category": "science",
        "skills": "physics",
        "language": language("en").pk,
        "date": day.isoformat(),
        "time": "17:00",
        "time_zone": "Asia/Kolkata",
        "duration_minutes": 60,
        "capacity": 10,
        "price_rupees": 0,
        "prerequisites": "",
        "learning_objectives": "",
    }
    data.update(overrides)
    return data


def test_a_thumbnail_is_re_encoded_under_a_random_name(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    mentor = MentorProfileFactory().user
    login(client, mentor)
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 120, 200)).save(buffer, format="PNG")
    polyglot = SimpleUploadedFile(
        "notes.pdf", buffer.getvalue() + b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    client.post(reverse("sessions_app:group_create"), {**group_form_data(), "thumbnail": polyglot})
    thumbnail = Session.objects.get(mentor=mentor).thumbnail
    assert re.fullmatch(r"session-thumbnails/\d{4}/\d{2}/[0-9a-f]{32}\.png", thumbnail.name)
    stored = thumbnail.read()
    assert b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) == 1280


def test_mentor_creates_edits_publishes_and_cancels_a_group_session(client, django_assert_max_num_queries):
    mentor = MentorProfileFactory().user
    login(client, mentor)
    assert client.get(reverse("sessions_app:group_create")).status_code == 200
    response = client.post(reverse("sessions_app:group_create"), group_form_data())
    session = Session.objects.get(mentor=mentor)
    assert response["Location"] == reverse("sessions_app:hosted_session", args=[session.uuid])
    assert session.status == Session.Status.DRAFT

    edit_url = reverse("sessions_app:group_edit", args=[session.uuid])
    assert client.get(edit_url).status_code == 200
    client.post(edit_url, group_form_data(title="Physics doubts: mechanics", price_rupees=200))
    session.refresh_from_db()
    assert (session.title, session.price_paise) == ("Physics doubts: mechanics", 20_000)

    client.post(reverse("sessions_app:group_publish", args=[session.uuid]))
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sessions_app:hosted_session", args=[session.uuid])).status_code == 200
    with django_assert_max_num_queries(8):
        listing = client.get(reverse("sessions_app:mentor_group_sessions")).content.decode()
    assert "Physics doubts: mechanics" in listing

    cancel_url = reverse("sessions_app:group_cancel", args=[session.uuid])
    assert client.get(cancel_url).status_code == 200
    assert client.post(cancel_url, {"reason": ""}).status_code == 400
    client.post(cancel_url, {"reason": "Unwell"})
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_group_form_shows_service_errors_on_its_fields(client):
    mentor = MentorProfileFactory().user
    login(client, mentor)
    response = client.post(reverse("sessions_app:group_create"), group_form_data(date="2020-01-01"))
    assert response.status_code == 400
    assert "Choose a time in the future." in response.content.decode()


def test_mentor_marks_a_started_session_completed(client):
    session = GroupSessionFactory()
    with time_machine.travel(session.starts_at + dt.timedelta(minutes=70), tick=False):
        login(client, session.mentor)
        client.post(reverse("sessions_app:session_complete", args=[session.uuid]))
    session.refresh_from_db()
    assert session.status == Session.Status.COMPLETED


def test_other_mentors_cannot_manage_a_session(client):
    session = GroupSessionFactory()
    login(client, MentorProfileFactory().user)
    assert client.get(reverse("sessions_app:hosted_session", args=[session.uuid])).status_code == 403
    assert client.get(reverse("sessions_app:group_edit", args=[session.uuid])).status_code == 403


# --- calendar -------------------------------------------------------------------------------------


def test_private_calendar_feed_and_revoking_it(client, student):
    booking = BookingFactory(student=student)
    login(client, student)
    page = client.get(reverse("sessions_app:calendar_settings")).content.decode()
    token = CalendarFeed.objects.get(user=student).token
    assert token in page
    client.logout()
    feed = client.get(reverse("sessions_app:calendar_feed", args=[token]))
    assert feed.status_code == 200
    assert booking.session.title in feed.content.decode()

    login(client, student)
    client.post(reverse("sessions_app:calendar_settings"))
    client.logout()
    assert client.get(reverse("sessions_app:calendar_feed", args=[token])).status_code == 404
    new_token = CalendarFeed.objects.get(user=student).token
    assert client.get(reverse("sessions_app:calendar_feed", args=[new_token])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("sessions_app:my_sessions"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_hold_expiry_releases_held_seats_for_new_bookers():
    session = GroupSessionFactory(capacity=1, price_paise=10_000)
    first = services.booking_hold_group_seat(student=student_with_profile(), session=session)
    with time_machine.travel(first.hold_expires_at + dt.timedelta(seconds=1), tick=False):
        second = services.booking_hold_group_seat(student=student_with_profile(), session=session)
    assert second.status == Booking.Status.PENDING_PAYMENT


def test_group_form_shows_what_the_mentor_earns_and_refuses_odd_prices(client):
    mentor = MentorProfileFactory().user
    login(client, mentor)
    page = client.get(reverse("sessions_app:group_create")).content.decode()
    assert 'data-testid="you-earn"' in page and reverse("payments:you_earn") in page
    assert "A free session" in page  # the form starts at ₹0

    response = client.post(reverse("sessions_app:group_create"), group_form_data(price_rupees=525))
    assert response.status_code == 400
    assert "Prices go in steps of ₹50" in response.content.decode()
    assert not Session.objects.filter(mentor=mentor).exists()

    response = client.post(reverse("sessions_app:group_create"), group_form_data(price_rupees=500))
    assert Session.objects.get(mentor=mentor).price_paise == 50_000
