"""1:1 session titles are derived for each viewer, in the viewer's language, naming the other person."""


import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from payments.ledger import ledger_release_escrow
from sessions_app.models import Booking, RoomVisit, Session
from tests.factories import BookingFactory, live_group_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_to_one(paid_booking, mentor, student):
    """A paid 1:1 career-counselling session booked by a student whose interface is in Telugu; the mentor reads
    English."""
    mentor.user.full_name, mentor.user.ui_language = "Ravi Kumar", "en"
    mentor.user.save(update_fields=["full_name", "ui_language"])
    student.full_name, student.ui_language = "Asha Reddy", "te"
    student.save(update_fields=["full_name", "ui_language"])
    with translation.override("te"):
        booking = paid_booking()
    return booking


def _as(client, user):
    client.force_login(user)
    return client


def test_one_to_one_sessions_store_no_title_in_the_booking_students_language(one_to_one):
    assert one_to_one.session.title == ""


def test_mentor_reads_the_room_heading_in_english_naming_the_student(client, one_to_one, mentor):
    session = one_to_one.session
    with time_machine.travel(session.starts_at, tick=False):
        page = _as(client, mentor.user).get(reverse("sessions_app:room", args=[session.pk])).content.decode()
    assert 'data-testid="session-heading">Career counselling with Asha Reddy</h1>' in page
    assert "<title>Career counselling with Asha Reddy" in page
    assert "with Ravi Kumar" not in page


def test_student_reads_the_room_heading_in_telugu_naming_the_mentor(client, one_to_one, student):
    session = one_to_one.session
    with time_machine.travel(session.starts_at, tick=False):
        page = _as(client, student).get(reverse("sessions_app:room", args=[session.pk])).content.decode()
    assert 'data-testid="session-heading">Ravi Kumar తో కెరీర్ కౌన్సెలింగ్</h1>' in page


def test_after_session_page_and_earnings_read_in_the_mentors_language(
    client, one_to_one, mentor, django_assert_max_num_queries
):
    session = one_to_one.session
    Session.objects.filter(pk=session.pk).update(status=Session.Status.COMPLETED)
    Booking.objects.filter(pk=one_to_one.pk).update(status=Booking.Status.COMPLETED)
    ledger_release_escrow(payment=one_to_one.payment)
    _as(client, mentor.user)

    after = client.get(reverse("sessions_app:after_session", args=[session.pk])).content.decode()
    assert 'data-testid="session-heading">Career counselling with Asha Reddy</h1>' in after
    assert "with Ravi Kumar" not in after

    with django_assert_max_num_queries(13):
        earnings = client.get(reverse("payments:earnings")).content.decode()
    # One line for the session's payment, described in the mentor's words.
    assert earnings.count("Career counselling with Asha Reddy") == 1
    assert "కెరీర్" not in earnings


def test_review_page_names_the_mentor_once(client, one_to_one, student):
    Booking.objects.filter(pk=one_to_one.pk).update(status=Booking.Status.COMPLETED)
    student.ui_language = "en"
    student.save(update_fields=["ui_language"])
    page = _as(client, student).get(reverse("sessions_app:review", args=[one_to_one.uuid])).content.decode()
    assert "Career counselling with Ravi Kumar, in " in page
    assert page.count("Ravi Kumar") == 1


def test_group_mentor_header_does_not_say_with_themselves(client):
    session = live_group_session(starts_in_minutes=-5, title="Optics doubt clinic")
    session.mentor.full_name = "Ravi Kumar"
    session.mentor.save(update_fields=["full_name"])
    member = BookingFactory(session=session).student
    member.ui_language = "en"
    member.save(update_fields=["ui_language"])
    RoomVisit.objects.create(session=session, user=member, peer_id="1.a", joined_at=session.starts_at)

    mentor_page = _as(client, session.mentor).get(reverse("sessions_app:room", args=[session.pk])).content.decode()
    assert 'data-testid="session-heading">Optics doubt clinic</h1>' in mentor_page
    assert "with Ravi Kumar" not in mentor_page

    student_page = _as(client, member).get(reverse("sessions_app:room", args=[session.pk])).content.decode()
    assert "with Ravi Kumar" in student_page


def test_existing_one_to_one_titles_are_cleared_by_the_migration(one_to_one):
    from importlib import import_module

    from django.apps import apps

    Session.objects.filter(pk=one_to_one.session_id).update(title="కెరీర్ కౌన్సెలింగ్ · Ravi Kumar")
    group = live_group_session(title="Optics doubt clinic")
    migration = import_module("sessions_app.migrations.0003_one_to_one_titles_derived")
    migration.forget_stored_one_to_one_titles(apps, None)
    assert Session.objects.get(pk=one_to_one.session_id).title == ""
    assert Session.objects.get(pk=group.pk).title == "Optics doubt clinic"
