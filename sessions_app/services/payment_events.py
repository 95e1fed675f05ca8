"""What a booking does when its payment changes: the "booking" purpose handler registered with `payments`.

`payments` calls these inside its own transaction with the payment row locked, once per real transition, in any
order (a capture may follow a failure, or arrive after the hold ran out). They never call the gateway: refunds are
asked for after commit.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mentorship.db import lock_mentor_time
from payments.charges import charge_settle
from payments.models import Payment, Refund
from payments.registry import PaymentSubject
from sessions_app import selectors, task_names
from sessions_app.models import Booking, Session, WaitlistEntry
from sessions_app.services._common import PAYMENT_PURPOSE, enqueue, logger, release_booking
from sessions_app.services.changes import schedule_refund


def _confirm(booking: Booking, payment: Payment, now: dt.datetime) -> None:
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = now
    booking.hold_expires_at = None
    booking.payment = payment
    booking.cancelled_at = None
    booking.cancelled_by = None
    booking.cancellation_reason = ""
    booking.cancellation_note = ""
    booking.save(
        update_fields=[
            "status",
            "confirmed_at",
            "hold_expires_at",
            "payment",
            "cancelled_at",
            "cancelled_by",
            "cancellation_reason",
            "cancellation_note",
            "updated_at",
        ]
    )
    WaitlistEntry.objects.filter(offered_booking=booking).update(status=WaitlistEntry.Status.BOOKED)
    charge_settle(purpose=PAYMENT_PURPOSE, reference_id=booking.pk, now=now)
    enqueue(task_names.NOTIFY_BOOKING, booking.pk, "confirmed")


def _claim_place(booking: Booking, now: dt.datetime) -> bool:
    """Make sure the booking's slot or seat is (still, or again) its own; False if someone else has it now."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    booking.session = session
    if session.starts_at <= now:
        return False
    if session.is_group:
        if session.status != Session.Status.SCHEDULED:
            return False
        others = session.bookings.exclude(pk=booking.pk)
        if others.filter(student=booking.student_id, status__in=Booking.ACTIVE_STATUSES).exists():
            return False
        return others.filter(selectors.held_seat_q(now)).count() < session.capacity
    if session.status == Session.Status.SCHEDULED:
        return True
    if session.status not in (Session.Status.DRAFT, Session.Status.CANCELLED):
        return False
    session.status = Session.Status.SCHEDULED
    session.published_at = now
    session.cancelled_at = None
    try:
        with transaction.atomic():
            session.save(update_fields=["status", "published_at", "cancelled_at", "updated_at"])
    except IntegrityError:
        # The slot was released and someone else took it meanwhile.
        return False
    return True


def booking_payment_captured(*, payment: Payment, now: dt.datetime | None = None) -> Booking:
    """Confirm the booking the payment was for; if it can no longer be had, refund the payment in full."""
    now = now or timezone.now()
    # The lock order of mentorship/db.py: payment (locked by payments) → the mentor's time → booking → session.
    lock_mentor_time(Booking.objects.values_list("session__mentor_id", flat=True).get(pk=payment.reference_id))
    booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=payment.reference_id)
    if booking.payment_id == payment.pk and booking.status != Booking.Status.PENDING_PAYMENT and booking.confirmed_at:
        return booking
    awaiting = booking.status == Booking.Status.PENDING_PAYMENT
    released_unpaid = booking.status == Booking.Status.CANCELLED and booking.cancellation_reason in (
        Booking.CancelReason.HOLD_EXPIRED,
        Booking.CancelReason.PAYMENT_FAILED,
    )
    if (awaiting or released_unpaid) and _claim_place(booking, now):
        _confirm(booking, payment, now)
        return booking
    # Paid for nothing: the place went to someone else, the booking was cancelled meanwhile, or paid twice.
    logger.warning(
        "Payment %s for booking %s cannot be used (%s): refunding it", payment.pk, booking.pk, booking.status
    )
    if awaiting or released_unpaid:
        booking.payment = payment
        booking.refund_paise = payment.amount_paise
        booking.save(update_fields=["payment", "refund_paise", "updated_at"])
        if awaiting:
            release_booking(booking, reason=Booking.CancelReason.SLOT_TAKEN, now=now)
        else:
            booking.cancellation_reason = Booking.CancelReason.SLOT_TAKEN
            booking.save(update_fields=["cancellation_reason", "updated_at"])
        enqueue(task_names.NOTIFY_BOOKING, booking.pk, "late_payment_refunded")
    schedule_refund(booking, amount_paise=payment.amount_paise, reason=f"unused-{payment.pk}", payment_id=payment.pk)
    return booking


def booking_payment_failed(*, payment: Payment) -> Booking:
    """A failed attempt keeps the slot or seat held until the hold runs out, so paying again gets the same one;
    the hold's expiry (``bookings_expire_holds``) releases it if no payment succeeds by then."""
    booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=payment.reference_id)
    if booking.status == Booking.Status.PENDING_PAYMENT and booking.payment_id == payment.pk:
        enqueue(task_names.NOTIFY_BOOKING, booking.pk, "payment_failed")
    return booking


def booking_refund_processed(*, payment: Payment, refund: Refund, now: dt.datetime | None = None) -> Booking:
    """Razorpay paid the refund back: the booking shows as refunded with what was paid back."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=payment.reference_id)
    if booking.payment_id != payment.pk:
        return booking
    booking.refund_paise = min(booking.price_paise, max(booking.refund_paise, payment.refunded_paise))
    booking.refunded_at = now
    fields = ["refund_paise", "refunded_at", "updated_at"]
    if booking.status != Booking.Status.PENDING_PAYMENT:
        booking.status = Booking.Status.REFUNDED
        fields.append("status")
    booking.save(update_fields=fields)
    enqueue(task_names.NOTIFY_BOOKING, booking.pk, "refunded")
    return booking


class BookingPaymentHandler:
    """Registered with `payments.registry` under the purpose "booking" (`SessionsAppConfig.ready`)."""

    def on_captured(self, payment: Payment) -> None:
        booking_payment_captured(payment=payment)

    def on_failed(self, payment: Payment) -> None:
        booking_payment_failed(payment=payment)

    def on_refund_processed(self, payment: Payment, refund: Refund) -> None:
        booking_refund_processed(payment=payment, refund=refund)

    def return_url(self, payment: Payment) -> str:
        booking_uuid = Booking.objects.values_list("uuid", flat=True).get(pk=payment.reference_id)
        return reverse("sessions_app:booking_detail", args=[booking_uuid])

    def describe(self, payments: Sequence[Payment], *, viewer: User) -> dict[int, PaymentSubject]:
        bookings = Booking.objects.select_related("session__mentor", "student").in_bulk(
            [p.reference_id for p in payments]
        )
        subjects = {}
        for payment in payments:
            booking = bookings.get(payment.reference_id)
            if booking is None:
                continue
            session = booking.session
            if session.is_group:
                # A group session's title is what its mentor typed.
                title = _("Group session “%(title)s”") % {"title": session.title}
            else:
                # A 1:1 session names the other person: the mentor for the student, the student for the mentor.
                title = selectors.session_heading(session, viewer=viewer, student=booking.student)
            subjects[payment.pk] = PaymentSubject(title=title, starts_at=session.starts_at)
        return subjects
