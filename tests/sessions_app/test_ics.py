import datetime as dt
import zoneinfo

import icalendar
import pytest
import time_machine

from sessions_app import ics, selectors, services
from tests.factories import BookingFactory, GroupSessionFactory
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_invitation_carries_the_students_time_zone_and_a_stable_uid(paid_booking):
    booking = paid_booking()
    booking.student.time_zone = "Europe/London"
    booking.student.save(update_fields=["time_zone"])

    calendar, event = parse(ics.booking_invitation(booking))

    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"booking-{booking.uuid}@peerlearn.in"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    start = event.decoded("DTSTART")
    assert start == booking.session.starts_at
    assert start.tzinfo == zoneinfo.ZoneInfo("Europe/London")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert event.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert str(event["ATTENDEE"]) == f"mailto:{booking.student.email}"
    assert parse(ics.booking_invitation(booking))[1]["UID"] == event["UID"]


def test_rescheduling_bumps_the_sequence_and_keeps_the_uid(paid_booking):
    booking = paid_booking()
    _calendar, before = parse(ics.booking_invitation(booking))
    services.booking_reschedule(booking=booking, actor=booking.student, starts_at=local_slot(days=4, hour=9))
    booking.refresh_from_db()

    _calendar, after = parse(ics.booking_invitation(booking))
    _calendar, mentors = parse(ics.hosted_invitation(booking.session, counterpart_name=booking.student.full_name))

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == local_slot(days=4, hour=9)
    assert mentors["UID"] == f"session-{booking.session.uuid}@peerlearn.in"
    assert mentors["SEQUENCE"] == 1


def test_cancellation_is_a_cancel_with_a_newer_sequence(paid_booking, committed, mailoutbox):
    booking = paid_booking()
    mailoutbox.clear()
    with committed():
        services.booking_cancel(booking=booking, actor=booking.student)

    student_mail = next(m for m in mailoutbox if m.to == [booking.student.email])
    (attachment,) = student_mail.attachments
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"
    calendar, event = parse(attachment.get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == f"booking-{booking.uuid}@peerlearn.in"
    assert event["SEQUENCE"] == 1


def test_feed_lists_a_users_sessions_and_marks_cancelled_ones():
    session = GroupSessionFactory()
    kept = BookingFactory(session=session)
    cancelled_session = GroupSessionFactory(mentor=session.mentor, starts_at=session.starts_at + dt.timedelta(days=1),
                                            ends_at=session.ends_at + dt.timedelta(days=1))
    BookingFactory(session=cancelled_session, student=kept.student)
    services.session_cancel(session=cancelled_session, actor=cancelled_session.mentor, reason="Clash")

    with time_machine.travel(session.starts_at - dt.timedelta(days=1)):
        bookings, hosted = selectors.feed_entries(kept.student, session.starts_at - dt.timedelta(days=1))
        calendar = icalendar.Calendar.from_ical(ics.feed(bookings=bookings, hosted=hosted, name="x",
                                                         now=session.starts_at))
        mentor_bookings, mentor_hosted = selectors.feed_entries(session.mentor, session.starts_at)
        mentor_calendar = icalendar.Calendar.from_ical(
            ics.feed(bookings=mentor_bookings, hosted=mentor_hosted, name="y", now=session.starts_at)
        )

    assert calendar["METHOD"] == "PUBLISH"
    statuses = {str(event["SUMMARY"]): str(event["STATUS"]) for event in calendar.walk("VEVENT")}
    assert statuses == {session.title: "CONFIRMED", cancelled_session.title: "CANCELLED"}
    assert {str(event["UID"]) for event in mentor_calendar.walk("VEVENT")} == {
        f"session-{session.uuid}@peerlearn.in", f"session-{cancelled_session.uuid}@peerlearn.in"
    }
