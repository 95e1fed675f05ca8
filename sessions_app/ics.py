"""iCalendar (RFC 5545 / 5546) for session invitations and the private calendar feed.

One event per calendar entry a person sees, with a UID that never changes: a student's entry is their booking
(`booking-<uuid>`), a mentor's entry is the session (`session-<uuid>`), so a 1:1 reschedule or cancellation
updates the entry already in both calendars. SEQUENCE is the booking's / session's `ics_sequence`, bumped by the
services on every change. Times carry the recipient's TZID (with its VTIMEZONE), so clients show them right.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import Booking, Session

PRODID = "-//PeerLearn//Sessions//EN"
UID_DOMAIN = "peerlearn.in"


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.uuid}@{UID_DOMAIN}"


def session_uid(session: Session) -> str:
    return f"session-{session.uuid}@{UID_DOMAIN}"


def _calendar(method: str | None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _organizer() -> icalendar.vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = "PeerLearn"
    return organizer


def _attendee(email: str, name: str) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["CN"] = name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "ACCEPTED"
    return attendee


def session_summary(session: Session, *, counterpart_name: str) -> str:
    if session.is_group:
        return session.title
    return _("%(type)s with %(name)s") % {"type": session.get_session_type_display(), "name": counterpart_name}


def _event(
    *,
    uid: str,
    sequence: int,
    session: Session,
    summary: str,
    url: str,
    tz: zoneinfo.ZoneInfo,
    cancelled: bool,
    attendee: tuple[str, str] | None,
    now: dt.datetime,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", now)
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("description", _("Details and the link to join: %(url)s") % {"url": url})
    event.add("url", url)
    event.add("location", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("organizer", _organizer())
    if attendee:
        event.add("attendee", _attendee(*attendee))
    return event


def _booking_event(booking: Booking, *, cancelled: bool, with_attendee: bool, now: dt.datetime) -> icalendar.Event:
    session, student = booking.session, booking.student
    return _event(
        uid=booking_uid(booking),
        sequence=booking.ics_sequence,
        session=session,
        summary=session_summary(session, counterpart_name=session.mentor.full_name),
        url=settings.SITE_URL + reverse("sessions_app:booking_detail", args=[booking.uuid]),
        tz=student.tzinfo,
        cancelled=cancelled,
        attendee=(student.email, student.full_name) if with_attendee else None,
        now=now,
    )


def _hosted_event(
    session: Session, *, counterpart_name: str, cancelled: bool, with_attendee: bool, now: dt.datetime
) -> icalendar.Event:
    mentor = session.mentor
    return _event(
        uid=session_uid(session),
        sequence=session.ics_sequence,
        session=session,
        summary=session_summary(session, counterpart_name=counterpart_name),
        url=settings.SITE_URL + reverse("sessions_app:hosted_session", args=[session.uuid]),
        tz=mentor.tzinfo,
        cancelled=cancelled,
        attendee=(mentor.email, mentor.full_name) if with_attendee else None,
        now=now,
    )


def booking_invitation(booking: Booking, *, cancelled: bool = False) -> bytes:
    """The student's invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_booking_event(booking, cancelled=cancelled, with_attendee=True, now=timezone.now()))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def hosted_invitation(session: Session, *, counterpart_name: str, cancelled: bool = False) -> bytes:
    """The mentor's entry for a session they host (counterpart: the 1:1 student, ignored for groups)."""
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(
        _hosted_event(
            session, counterpart_name=counterpart_name, cancelled=cancelled, with_attendee=True, now=timezone.now()
        )
    )
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(
    *, bookings: Iterable[Booking], hosted: Iterable[tuple[Session, str]], name: str, now: dt.datetime
) -> bytes:
    """A subscription feed (METHOD:PUBLISH): the user's bookings and hosted sessions, cancelled ones marked so."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for booking in bookings:
        cancelled = booking.status in {Booking.Status.CANCELLED, Booking.Status.REFUNDED}
        calendar.add_component(_booking_event(booking, cancelled=cancelled, with_attendee=False, now=now))
    for session, counterpart_name in hosted:
        cancelled = session.status == Session.Status.CANCELLED
        calendar.add_component(
            _hosted_event(session, counterpart_name=counterpart_name, cancelled=cancelled, with_attendee=False, now=now)
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
