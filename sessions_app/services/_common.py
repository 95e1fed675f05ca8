"""Helpers the service modules share; not part of the app's API.

Lock order, everywhere: payment → the mentor's time → booking → session (mentorship/db.py). `payments` locks the
payment before calling our handler, and our handler then takes the mentor's advisory lock, the booking and its
session, so our own use cases take the mentor's lock, then bookings, then their session too.
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from psycopg import errors as pg_errors

from mentors.hooks import announce_booked_times_changed
from outbox.services import enqueue
from payments.charges import charge_cancel
from sessions_app import task_names
from sessions_app.models import Booking, Session, WaitlistEntry
from sessions_app.room.groups import room_member_removed
from sessions_app.selectors import PAYMENT_PURPOSE

__all__ = ["PAYMENT_PURPOSE", "enqueue"]

logger = logging.getLogger("sessions_app")

OVERLAP_CONSTRAINT = "session_mentor_no_overlap"
ACTIVE_BOOKING_CONSTRAINT = "booking_one_active_per_student"


def violated_constraint(exc: IntegrityError) -> str:
    cause = exc.__cause__
    if isinstance(cause, pg_errors.IntegrityError) and cause.diag is not None:
        return cause.diag.constraint_name or ""
    return ""


def slot_taken_error() -> ValidationError:
    return ValidationError(
        _("Sorry, someone else just took this time. Please pick another slot."), code="slot_taken"
    )


def mentor_busy_error() -> ValidationError:
    return ValidationError(_("You already have a session at this time."), code="mentor_busy")


def already_booked_error() -> ValidationError:
    return ValidationError(_("You have already booked this session."), code="already_booked")


def release_booking(
    booking: Booking, *, reason: str, now: dt.datetime, actor=None, note: str = "", refund_percent: int = 100
) -> None:
    """Free what a booking held (the caller has locked it): the booking is cancelled, a 1:1 session with it,
    a waitlist offer lapses, an unpaid order is given up, a freed group seat is offered to the waitlist, and
    credits or a coupon it used come back as far as `refund_percent` (the refund tier) allows."""
    if booking.status == Booking.Status.CONFIRMED:
        # A room socket the student already has open must not outlive their place in the session.
        session_id, student_id = booking.session_id, booking.student_id
        transaction.on_commit(lambda: room_member_removed(session_id=session_id, user_id=student_id))
    if booking.status == Booking.Status.PENDING_PAYMENT and booking.payment_id:
        # Tell payments the order is abandoned; a capture that still arrives wins and our handler deals with it.
        enqueue(task_names.EXPIRE_PAYMENT, booking.payment_id)
    booking.status = Booking.Status.CANCELLED
    booking.cancellation_reason = reason
    booking.cancelled_at = now
    booking.cancelled_by = actor
    booking.cancellation_note = note
    fields = ["status", "cancellation_reason", "cancelled_at", "cancelled_by", "cancellation_note", "updated_at"]
    if booking.confirmed_at is not None:
        # Calendars that received the invitation must see the cancellation as a newer revision.
        booking.ics_sequence += 1
        fields.append("ics_sequence")
    booking.save(update_fields=fields)
    charge_cancel(purpose=PAYMENT_PURPOSE, reference_id=booking.pk, percent=refund_percent)
    session = booking.session
    if not session.is_group and session.status in (Session.Status.DRAFT, *Session.OCCUPYING_STATUSES):
        session.status = Session.Status.CANCELLED
        session.cancelled_at = now
        session.ics_sequence += 1
        session.save(update_fields=["status", "cancelled_at", "ics_sequence", "updated_at"])
        announce_booked_times_changed(session.mentor_id)
    WaitlistEntry.objects.filter(offered_booking=booking, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.LAPSED
    )
    if session.is_group and session.status in Session.OCCUPYING_STATUSES:
        enqueue(task_names.OFFER_WAITLIST_SEATS, session.pk)
