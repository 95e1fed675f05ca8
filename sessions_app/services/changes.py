"""Cancelling and rescheduling bookings (seed 000 §3.5), and the refunds they lead to."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mentors.hooks import announce_booked_times_changed
from mentors.slots import slot_is_open
from payments.models import Payment, Refund
from payments.services import payment_refund
from sessions_app import policy, selectors, task_names
from sessions_app.models import Booking, RescheduleRequest, SentReminder, Session, WaitlistEntry
from sessions_app.services._common import (
    OVERLAP_CONSTRAINT,
    enqueue,
    release_booking,
    slot_taken_error,
    violated_constraint,
)
from sessions_app.services.booking import release_expired_holds


def _is_host(actor: User, booking: Booking) -> bool:
    return actor.pk == booking.session.mentor_id


def refund_key(booking: Booking, reason: str) -> str:
    """The idempotency key of a booking's refund: one refund per booking and reason, however often it is retried."""
    return f"booking-{booking.pk}-{reason}"[:64]


def schedule_refund(booking: Booking, *, amount_paise: int, reason: str, payment_id: int | None = None) -> None:
    """Ask payments for the refund once the cancellation has committed (never while our rows are locked)."""
    payment_id = payment_id or booking.payment_id
    if amount_paise > 0 and payment_id:
        enqueue(task_names.REFUND_BOOKING, booking.pk, payment_id, amount_paise, reason)


def refund_kind(reason: str) -> str:
    """The kind the student sees for one of `schedule_refund`'s reason codes."""
    if reason.startswith("unused-"):
        return Refund.Kind.UNUSED
    return {"cancel": Refund.Kind.CANCELLATION, "mentor-no-show": Refund.Kind.MENTOR_NO_SHOW}.get(
        reason, Refund.Kind.OTHER
    )


def booking_refund_now(*, booking_id: int, payment_id: int, amount_paise: int, reason: str) -> None:
    booking = Booking.objects.get(pk=booking_id)
    payment = Payment.objects.get(pk=payment_id)
    payment_refund(
        payment=payment,
        amount_paise=amount_paise,
        reason=f"Booking {booking.uuid}: {reason}",
        idempotency_key=refund_key(booking, reason),
        kind=refund_kind(reason),
    )


def booking_cancel(*, booking: Booking, actor: User, note: str = "", now: dt.datetime | None = None) -> Booking:
    """Cancel a held or confirmed booking. Refund (of a paid, confirmed one) by who cancels and how late:
    the mentor or support → full; the student → `policy.refund_quote`. A 1:1 session is cancelled with it."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=booking.pk)
        session = booking.session
        if actor.pk != booking.student_id and not _is_host(actor, booking) and not actor.is_support_staff:
            raise ValidationError(_("You cannot cancel this booking."), code="forbidden")
        if not booking.is_active:
            raise ValidationError(_("This booking is no longer active."), code="inactive")
        if session.starts_at <= now and not actor.is_support_staff:
            raise ValidationError(
                _("This session has already started. If something went wrong, report a problem instead."),
                code="started",
            )
        was_confirmed = booking.status == Booking.Status.CONFIRMED
        quote = selectors.refund_decision(booking, actor=actor, now=now)
        if actor.pk == booking.student_id:
            reason = Booking.CancelReason.STUDENT
        elif _is_host(actor, booking):
            reason = Booking.CancelReason.MENTOR
        else:
            reason = Booking.CancelReason.SUPPORT
        booking.refund_paise = quote.amount_paise
        booking.save(update_fields=["refund_paise", "updated_at"])
        release_booking(booking, reason=reason, now=now, actor=actor, note=note, refund_percent=quote.percent)
        schedule_refund(booking, amount_paise=quote.amount_paise, reason="cancel")
        if was_confirmed:
            enqueue(task_names.NOTIFY_BOOKING, booking.pk, "cancelled")
    return booking


def session_cancel_and_refund(
    *,
    session: Session,
    bookings: list[Booking],
    cancel_reason: str,
    refund_reason: str,
    note: str,
    actor: User | None,
    now: dt.datetime,
) -> None:
    """Cancel a whole session and the given active bookings of it, refunding every confirmed one in full (the
    caller holds the locks, in the documented order, inside its transaction). Used when the mentor or support
    cancels a group session and when the mentor never came (``room.services.mentor_no_show_process``)."""
    session.status = Session.Status.CANCELLED
    session.cancelled_at = now
    session.cancellation_reason = note
    session.ics_sequence += 1
    session.save(update_fields=["status", "cancelled_at", "cancellation_reason", "ics_sequence", "updated_at"])
    announce_booked_times_changed(session.mentor_id)
    for booking in bookings:
        booking.session = session
        was_confirmed = booking.status == Booking.Status.CONFIRMED
        booking.refund_paise = booking.price_paise if was_confirmed else 0
        booking.save(update_fields=["refund_paise", "updated_at"])
        release_booking(booking, reason=cancel_reason, now=now, actor=actor, note=note)
        schedule_refund(booking, amount_paise=booking.refund_paise, reason=refund_reason)
        if was_confirmed:
            enqueue(task_names.NOTIFY_BOOKING, booking.pk, "cancelled")


def session_cancel(*, session: Session, actor: User, reason: str, now: dt.datetime | None = None) -> Session:
    """The mentor (or support) cancels a whole group session: every booking is cancelled with a full refund."""
    now = now or timezone.now()
    if actor.pk != session.mentor_id and not actor.is_support_staff:
        raise ValidationError(_("You cannot cancel this session."), code="forbidden")
    if not session.is_group:
        raise ValidationError(_("A 1:1 session is cancelled through its booking."), code="one_to_one")
    if not reason.strip():
        raise ValidationError(_("Tell the students why the session is cancelled."), code="reason")
    with transaction.atomic():
        bookings = list(
            Booking.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(session=session, status__in=Booking.ACTIVE_STATUSES)
            .order_by("pk")
        )
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in (Session.Status.DRAFT, Session.Status.SCHEDULED):
            raise ValidationError(_("Only a draft or scheduled session can be cancelled."), code="status")
        was_published = session.status == Session.Status.SCHEDULED
        session_cancel_and_refund(
            session=session,
            bookings=bookings,
            cancel_reason=Booking.CancelReason.SESSION_CANCELLED,
            refund_reason="cancel",
            note=reason,
            actor=actor,
            now=now,
        )
        WaitlistEntry.objects.filter(
            session=session, status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
        ).update(status=WaitlistEntry.Status.LEFT)
        if was_published:
            enqueue(task_names.NOTIFY_HOSTED_SESSION, session.pk, "cancelled")
    return session


# --- rescheduling --------------------------------------------------------------------------------


def _check_reschedulable(booking: Booking, actor: User) -> None:
    if booking.session.is_group:
        raise ValidationError(_("Group sessions are moved by their mentor, not per booking."), code="group")
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed booking can be moved."), code="inactive")
    if actor.pk not in (booking.student_id, booking.session.mentor_id) and not actor.is_support_staff:
        raise ValidationError(_("You cannot move this booking."), code="forbidden")


def _check_new_slot(booking: Booking, starts_at: dt.datetime, now: dt.datetime) -> None:
    session = booking.session
    if starts_at == session.starts_at:
        raise ValidationError(_("Choose a different time."), code="same_time")
    mentor = session.mentor.mentor_profile
    if not slot_is_open(
        mentor=mentor,
        start=starts_at,
        duration_minutes=session.duration_minutes,
        now=now,
        exclude_session_ids=(session.pk,),
    ):
        raise slot_taken_error()


def _move(booking: Booking, *, starts_at: dt.datetime, now: dt.datetime) -> None:
    """Move a locked 1:1 booking and its session; the exclusion constraint refuses a taken time."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    duration = session.ends_at - session.starts_at
    release_expired_holds(now=now, mentor_id=session.mentor_id, starts_at=starts_at, ends_at=starts_at + duration)
    session.starts_at = starts_at
    session.ends_at = starts_at + duration
    session.ics_sequence += 1
    try:
        with transaction.atomic():
            session.save(update_fields=["starts_at", "ends_at", "ics_sequence", "updated_at"])
    except IntegrityError as exc:
        if violated_constraint(exc) == OVERLAP_CONSTRAINT:
            raise slot_taken_error() from None
        raise
    booking.session = session
    booking.ics_sequence += 1
    booking.save(update_fields=["ics_sequence", "updated_at"])
    # Reminders belong to the old time; the new time gets its own.
    SentReminder.objects.filter(session=session).delete()
    announce_booked_times_changed(session.mentor_id)


def booking_reschedule(
    *, booking: Booking, actor: User, starts_at: dt.datetime, now: dt.datetime | None = None
) -> RescheduleRequest:
    """Move a confirmed 1:1 booking to another open slot of the same length, free of charge, when the session is
    more than `policy.RESCHEDULE_NOTICE` away. Later than that, use `reschedule_request_create`."""
    now = now or timezone.now()
    _check_reschedulable(booking, actor)
    if not policy.can_self_reschedule(starts_at=booking.session.starts_at, now=now):
        raise ValidationError(
            _("Sessions can be moved up to 24 hours before they start. Later than that, ask support for an emergency "
              "reschedule."),
            code="too_late",
        )
    _check_new_slot(booking, starts_at, now)
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=booking.pk)
        _check_reschedulable(booking, actor)
        old_starts_at, old_ends_at = booking.session.starts_at, booking.session.ends_at
        _move(booking, starts_at=starts_at, now=now)
        request = RescheduleRequest.objects.create(
            booking=booking,
            kind=RescheduleRequest.Kind.SELF_SERVICE,
            status=RescheduleRequest.Status.APPLIED,
            requested_by=actor,
            old_starts_at=old_starts_at,
            old_ends_at=old_ends_at,
            new_starts_at=booking.session.starts_at,
            new_ends_at=booking.session.ends_at,
            decided_at=now,
        )
        enqueue(task_names.NOTIFY_BOOKING, booking.pk, "rescheduled")
    return request


def reschedule_request_create(
    *, booking: Booking, actor: User, starts_at: dt.datetime, reason: str, now: dt.datetime | None = None
) -> RescheduleRequest:
    """An emergency move inside the 24 hours: recorded for support to approve (free when approved)."""
    now = now or timezone.now()
    _check_reschedulable(booking, actor)
    if not reason.strip():
        raise ValidationError(_("Tell support what happened."), code="reason")
    if booking.session.starts_at + policy.DISPUTE_WINDOW <= now:
        raise ValidationError(_("This session is long over."), code="over")
    _check_new_slot(booking, starts_at, now)
    duration = booking.session.ends_at - booking.session.starts_at
    try:
        with transaction.atomic():
            return RescheduleRequest.objects.create(
                booking=booking,
                kind=RescheduleRequest.Kind.EMERGENCY,
                requested_by=actor,
                reason=reason,
                old_starts_at=booking.session.starts_at,
                old_ends_at=booking.session.ends_at,
                new_starts_at=starts_at,
                new_ends_at=starts_at + duration,
            )
    except IntegrityError:
        raise ValidationError(_("A request to move this booking is already waiting for support."), code="pending")


def reschedule_request_approve(
    *, request: RescheduleRequest, actor: User, note: str = "", now: dt.datetime | None = None
) -> RescheduleRequest:
    """Support approves an emergency move: the booking moves if the mentor is still free then."""
    now = now or timezone.now()
    if not actor.is_support_staff:
        raise ValidationError(_("Only support can approve this."), code="forbidden")
    with transaction.atomic():
        request = RescheduleRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RescheduleRequest.Status.PENDING:
            raise ValidationError(_("This request was already decided."), code="decided")
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=request.booking_id)
        _check_reschedulable(booking, actor)
        if request.new_starts_at <= now:
            raise ValidationError(_("The requested time has passed."), code="past")
        _move(booking, starts_at=request.new_starts_at, now=now)
        request.status = RescheduleRequest.Status.APPLIED
        request.decided_by = actor
        request.decided_at = now
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        enqueue(task_names.NOTIFY_BOOKING, booking.pk, "rescheduled")
    return request


def reschedule_request_reject(
    *, request: RescheduleRequest, actor: User, note: str = "", now: dt.datetime | None = None
) -> RescheduleRequest:
    now = now or timezone.now()
    if not actor.is_support_staff:
        raise ValidationError(_("Only support can reject this."), code="forbidden")
    with transaction.atomic():
        request = RescheduleRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RescheduleRequest.Status.PENDING:
            raise ValidationError(_("This request was already decided."), code="decided")
        request.status = RescheduleRequest.Status.REJECTED
        request.decided_by = actor
        request.decided_at = now
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request
