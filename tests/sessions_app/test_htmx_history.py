"""Booking pages and lists: htmx swaps get the fragment, history restores the whole page."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import BookingFactory, GroupSessionFactory, student_with_profile
from tests.htmx import assert_page_or_partial
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_my_sessions(client):
    booking = BookingFactory(student=student_with_profile())
    client.force_login(booking.student)
    assert_page_or_partial(client, reverse("sessions_app:my_sessions"), fragment=booking.session.title)


def test_mentor_bookings(client):
    booking = BookingFactory()
    client.force_login(booking.session.mentor)
    assert_page_or_partial(client, reverse("sessions_app:mentor_bookings"), fragment='data-testid="booking-row"')


def test_group_list(client):
    session = GroupSessionFactory(title="Free maths clinic")
    assert_page_or_partial(client, reverse("sessions_app:group_list"), fragment=session.title)


def test_booking_slots(client, mentor, student):
    client.force_login(student)
    assert_page_or_partial(client, reverse("sessions_app:book", args=[mentor.slug]), fragment='name="starts_at"')


def test_reschedule_slots(client, paid_booking):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    client.force_login(booking.student)
    url = reverse("sessions_app:booking_reschedule", args=[booking.uuid])
    assert_page_or_partial(client, url, fragment='name="starts_at"')
