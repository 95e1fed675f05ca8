"""Booking and hosted-session pages lead into the room while the session is on, and to the follow-up after it."""

import pytest
from django.urls import reverse

from sessions_app.models import Booking, Session
from tests.factories import BookingFactory
from tests.sessions_app.test_views import login

pytestmark = pytest.mark.django_db


def test_confirmed_booking_leads_both_parties_to_the_room(client):
    booking = BookingFactory()
    room = reverse("sessions_app:room", args=[booking.session.pk])
    login(client, booking.student)
    assert room in client.get(reverse("sessions_app:booking_detail", args=[booking.uuid])).content.decode()
    login(client, booking.session.mentor)
    hosted = reverse("sessions_app:hosted_session", args=[booking.session.uuid])
    assert room in client.get(hosted).content.decode()


def test_completed_booking_leads_to_notes_tasks_and_the_review(client):
    booking = BookingFactory(status=Booking.Status.COMPLETED, session__status=Session.Status.COMPLETED)
    after = reverse("sessions_app:after_session", args=[booking.session.pk])
    login(client, booking.student)
    html = client.get(reverse("sessions_app:booking_detail", args=[booking.uuid])).content.decode()
    assert after in html and reverse("sessions_app:room", args=[booking.session.pk]) not in html
    login(client, booking.session.mentor)
    assert after in client.get(reverse("sessions_app:hosted_session", args=[booking.session.uuid])).content.decode()
