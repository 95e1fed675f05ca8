import datetime as dt

import pytest
import time_machine
from django.utils import formats, translation

from accounts.models import Notification
from sessions_app import services
from sessions_app.models import SentReminder
from tests.factories import BookingFactory, GroupSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(paid_booking, mailoutbox):
    """A paid 1:1 booking two days ahead: the student reads Hindi, the mentor English. Outbox emptied."""
    booking = paid_booking()
    mentor = booking.session.mentor
    mentor.ui_language = "en"
    mentor.save(update_fields=["ui_language"])
    mailoutbox.clear()
    return booking


def month_name(day: dt.datetime, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "F")


def test_nothing_is_sent_more_than_a_day_ahead(booked, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(booked.session.starts_at - dt.timedelta(hours=24, minutes=1), tick=False),
    ):
        assert services.reminders_send_due() == 0
    assert mailoutbox == []


def test_day_and_hour_reminders_go_out_once_each_in_each_persons_language(
    booked, mailoutbox, django_capture_on_commit_callbacks
):
    session = booked.session
    student, mentor = booked.student, session.mentor
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(session.starts_at - dt.timedelta(hours=23, minutes=59), tick=False),
    ):
        assert services.reminders_send_due() == 2
        assert services.reminders_send_due() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([student.email, mentor.email])
    to_student = next(m for m in mailoutbox if m.to == [student.email])
    to_mentor = next(m for m in mailoutbox if m.to == [mentor.email])
    local_start = session.starts_at.astimezone(student.tzinfo)
    assert month_name(local_start, "hi") in to_student.body
    assert month_name(local_start, "en") in to_mentor.body
    assert month_name(local_start, "hi") != month_name(local_start, "en")

    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(session.starts_at - dt.timedelta(minutes=59), tick=False),
    ):
        assert services.reminders_send_due() == 2
        assert services.reminders_send_due() == 0
    assert len(mailoutbox) == 4
    assert set(SentReminder.objects.filter(session=session).values_list("recipient_id", "kind")) == {
        (student.pk, "24h"),
        (mentor.pk, "24h"),
        (student.pk, "1h"),
        (mentor.pk, "1h"),
    }
    assert Notification.objects.filter(recipient=student).count() >= 2


def test_an_hour_before_only_the_hour_reminder_is_sent(booked, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(booked.session.starts_at - dt.timedelta(minutes=30), tick=False),
    ):
        assert services.reminders_send_due() == 2
    assert set(SentReminder.objects.values_list("kind", flat=True)) == {"1h"}


def test_late_bookers_get_no_day_before_reminder(mailoutbox, django_capture_on_commit_callbacks):
    session = GroupSessionFactory()
    BookingFactory(session=session, confirmed_at=session.starts_at - dt.timedelta(hours=5))
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(session.starts_at - dt.timedelta(hours=4), tick=False),
    ):
        # Only the mentor, who published long before, is reminded a day ahead.
        assert services.reminders_send_due() == 1
    assert mailoutbox[0].to == [session.mentor.email]


def test_students_who_turned_reminders_off_get_none(booked, mailoutbox, django_capture_on_commit_callbacks):
    profile = booked.student.student_profile
    profile.notify_reminders = False
    profile.save(update_fields=["notify_reminders"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(booked.session.starts_at - dt.timedelta(minutes=30), tick=False),
    ):
        services.reminders_send_due()
    assert [m.to[0] for m in mailoutbox] == [booked.session.mentor.email]


def test_a_moved_session_is_reminded_again_for_its_new_time(booked, mailoutbox, django_capture_on_commit_callbacks):
    from tests.sessions_app.conftest import local_slot

    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(booked.session.starts_at - dt.timedelta(hours=23), tick=False),
    ):
        services.reminders_send_due()
    services.booking_reschedule(booking=booked, actor=booked.student, starts_at=local_slot(days=5, hour=12))
    booked.refresh_from_db()
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(booked.session.starts_at - dt.timedelta(hours=23), tick=False),
    ):
        assert services.reminders_send_due() == 2
