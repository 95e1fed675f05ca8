"""The end of a session: going live, completion (which releases escrow), no-shows, disputes and support refunds."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from payments.charges import charge_release
from payments.ledger import ledger_release_escrow
from payments.models import Payment, Refund
from payments.services import payment_refund, refundable_paise
from sessions_app import policy, task_names
from sessions_app.models import Booking, Dispute, Session
from sessions_app.models.room import RoomVisit
from sessions_app.services._common import PAYMENT_PURPOSE, enqueue, logger


def _release_escrow(booking: Booking) -> None:
    if booking.payment and booking.payment.status == Payment.Status.CAPTURED:
        ledger_release_escrow(payment=booking.payment)
    # Credits, a discount or a package credit that paid (part of) the price leave escrow the same way.
    charge_release(purpose=PAYMENT_PURPOSE, reference_id=booking.pk)


def _finish_booking(booking: Booking, *, status: str, now: dt.datetime) -> None:
    """Complete (or mark as no-show) a locked confirmed booking and pay the mentor out of escrow."""
    booking.status = status
    booking.completed_at = now
    booking.save(update_fields=["status", "completed_at", "updated_at"])
    _release_escrow(booking)


def _refresh_mentor_stats(session: Session) -> None:
    enqueue(task_names.REFRESH_MENTOR_STATS, session.mentor_id)


def session_start(*, session: Session, actor: User, now: dt.datetime | None = None) -> Session:
    """The mentor opens the room: scheduled → live, from `ROOM_OPENS_MINUTES_BEFORE` before the start.
    Idempotent for a session already live."""
    now = now or timezone.now()
    if actor.pk != session.mentor_id:
        raise ValidationError(_("Only the mentor can start this session."), code="forbidden")
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == Session.Status.LIVE:
            return session
        if session.status != Session.Status.SCHEDULED:
            raise ValidationError(_("This session cannot be started."), code="status")
        if now < session.starts_at - dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES_BEFORE):
            raise ValidationError(_("It is too early to start this session."), code="too_early")
        session.status = Session.Status.LIVE
        session.went_live_at = now
        session.save(update_fields=["status", "went_live_at", "updated_at"])
    return session


def _mentor_and_student_joined(session: Session) -> bool:
    visitors = RoomVisit.objects.filter(session=session)
    students = Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).values("student_id")
    return visitors.filter(user_id=session.mentor_id).exists() and visitors.filter(user_id__in=students).exists()


def session_complete(*, session: Session, actor: User | None = None, now: dt.datetime | None = None) -> Session:
    """Mark a session completed: its confirmed bookings complete and their escrow goes 70 / 30 to the mentor and
    the platform (`payments.ledger.ledger_release_escrow`). Bookings with an open dispute wait for support.

    Called by the room when the mentor ends the session (`actor` = the mentor), by support, and by the periodic
    auto-completion (`actor=None`). Idempotent: completing a completed session changes nothing.
    """
    now = now or timezone.now()
    if actor is not None and actor.pk != session.mentor_id and not actor.is_support_staff:
        raise ValidationError(_("Only the mentor can end this session."), code="forbidden")
    with transaction.atomic():
        completable = Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).exclude(
            disputes__status=Dispute.Status.OPEN
        )
        # Lock order payment → booking → session, as in the payment handler.
        list(
            Payment.objects.select_for_update()
            .filter(pk__in=completable.exclude(payment=None).values("payment_id"))
            .order_by("pk")
        )
        bookings = list(completable.select_for_update(of=("self",)).select_related("payment").order_by("pk"))
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == Session.Status.COMPLETED:
            return session
        if session.status not in Session.OCCUPYING_STATUSES:
            raise ValidationError(_("Only a scheduled or live session can be completed."), code="status")
        # The room opens before the start: once the mentor and a student have both come in, the session is under
        # way and the mentor may end it (and the after-session flow start) even before its scheduled start.
        if now < session.starts_at and not _mentor_and_student_joined(session):
            raise ValidationError(_("This session has not started yet."), code="not_started")
        session.status = Session.Status.COMPLETED
        session.completed_at = now
        session.save(update_fields=["status", "completed_at", "updated_at"])
        for booking in bookings:
            _finish_booking(booking, status=Booking.Status.COMPLETED, now=now)
        _refresh_mentor_stats(session)
    return session


def sessions_auto_complete(*, now: dt.datetime | None = None) -> int:
    """Complete sessions whose end is `policy.AUTO_COMPLETE_AFTER_END` behind us (the dispute window has closed)."""
    now = now or timezone.now()
    due = Session.objects.filter(
        status__in=Session.OCCUPYING_STATUSES, ends_at__lte=now - policy.AUTO_COMPLETE_AFTER_END
    ).order_by("ends_at")
    completed = 0
    for session in due.iterator():
        session_complete(session=session, now=now)
        completed += 1
    return completed


def booking_mark_no_show(*, booking: Booking, actor: User, now: dt.datetime | None = None) -> Booking:
    """The mentor reports that the student never came: no refund (seed 000 §3.5), the mentor is paid."""
    now = now or timezone.now()
    if actor.pk != booking.session.mentor_id:
        raise ValidationError(_("Only the mentor can report a no-show."), code="forbidden")
    if not policy.student_no_show_reportable(starts_at=booking.session.starts_at, now=now):
        raise ValidationError(
            _("You can report a no-show from %(minutes)s minutes after the start.")
            % {"minutes": int(policy.NO_SHOW_AFTER_START.total_seconds() // 60)},
            code="too_early",
        )
    with transaction.atomic():
        if booking.payment_id:
            Payment.objects.select_for_update().get(pk=booking.payment_id)
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session", "payment").get(
            pk=booking.pk
        )
        if booking.status != Booking.Status.CONFIRMED:
            raise ValidationError(_("Only a confirmed booking can be marked as a no-show."), code="status")
        _finish_booking(booking, status=Booking.Status.NO_SHOW, now=now)
    return booking


# --- disputes ------------------------------------------------------------------------------------


def dispute_raise(
    *, booking: Booking, actor: User, kind: str, description: str, now: dt.datetime | None = None
) -> Dispute:
    """A student reports a problem with a session, from its start until `policy.DISPUTE_WINDOW` after its end."""
    now = now or timezone.now()
    if actor.pk != booking.student_id:
        raise ValidationError(_("Only the student who booked can report a problem."), code="forbidden")
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW):
        raise ValidationError(_("You can only report a problem with a session you attended or booked."), code="status")
    session = booking.session
    if not policy.dispute_window_open(starts_at=session.starts_at, ends_at=session.ends_at, now=now):
        raise ValidationError(
            _("Problems can be reported from the start of the session until 24 hours after its end."), code="window"
        )
    if kind not in Dispute.Kind.values:
        raise ValidationError(_("Choose what went wrong."), code="kind")
    if not description.strip():
        raise ValidationError(_("Describe what happened."), code="description")
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(booking=booking, raised_by=actor, kind=kind, description=description)
            enqueue(task_names.NOTIFY_DISPUTE, dispute.pk)
    except IntegrityError:
        raise ValidationError(_("You have already reported a problem with this session."), code="open")
    return dispute


def _lock_open_dispute(dispute: Dispute, actor: User) -> Dispute:
    if not actor.is_support_staff:
        raise ValidationError(_("Only support can resolve disputes."), code="forbidden")
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(_("This dispute was already resolved."), code="resolved")
    return dispute


def _close_dispute(dispute: Dispute, *, status: str, actor: User, note: str, refund_paise: int, now: dt.datetime):
    dispute.status = status
    dispute.resolved_by = actor
    dispute.resolved_at = now
    dispute.resolution_note = note
    dispute.refund_paise = refund_paise
    dispute.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "refund_paise"])


def dispute_resolve_complete(
    *, dispute: Dispute, actor: User, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """Support decides the session counts as held: the booking completes and the mentor is paid."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_related("payment").get(pk=dispute.booking_id)
        if booking.payment_id:
            Payment.objects.select_for_update().get(pk=booking.payment_id)
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session", "payment").get(
            pk=booking.pk
        )
        dispute = _lock_open_dispute(dispute, actor)
        if booking.status == Booking.Status.CONFIRMED and booking.session.status == Session.Status.COMPLETED:
            _finish_booking(booking, status=Booking.Status.COMPLETED, now=now)
        _close_dispute(
            dispute, status=Dispute.Status.RESOLVED_COMPLETED, actor=actor, note=note, refund_paise=0, now=now
        )
    return dispute


def booking_refund_by_support(
    *, booking: Booking, actor: User, amount_paise: int, note: str, key: str
) -> Refund:
    """Support refunds part or all of a booking's payment. Never more than is still refundable: `payments`
    refuses that (a refund after an earlier partial one is checked against what is left of the capture)."""
    if not actor.is_support_staff:
        raise ValidationError(_("Only support can refund a booking."), code="forbidden")
    if not booking.payment or booking.payment.status != Payment.Status.CAPTURED:
        raise ValidationError(_("This booking has no completed payment to refund."), code="not_paid")
    refund = payment_refund(
        payment=booking.payment,
        amount_paise=amount_paise,
        reason=f"Booking {booking.uuid}: {note or 'support refund'}",
        idempotency_key=f"booking-{booking.pk}-{key}"[:64],
        kind=Refund.Kind.SUPPORT,
    )
    with transaction.atomic():
        locked = Booking.objects.select_for_update(of=("self",)).select_related("payment").get(pk=booking.pk)
        assert locked.payment is not None  # refunded above, so it has a payment
        refunded_or_on_the_way = locked.payment.amount_paise - refundable_paise(locked.payment)
        locked.refund_paise = min(locked.price_paise, refunded_or_on_the_way)
        locked.save(update_fields=["refund_paise", "updated_at"])
    logger.info("Support %s refunded %s paise of booking %s", actor.pk, amount_paise, booking.pk)
    return refund


def dispute_resolve_refund(
    *, dispute: Dispute, actor: User, amount_paise: int | None = None, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """Support refunds the student (all that is still refundable, or `amount_paise`); any rest of the payment
    then goes to the mentor as for a completed session."""
    now = now or timezone.now()
    if not actor.is_support_staff:
        raise ValidationError(_("Only support can resolve disputes."), code="forbidden")
    booking = Booking.objects.select_related("payment", "session").get(pk=dispute.booking_id)
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(_("This dispute was already resolved."), code="resolved")
    amount = refundable_paise(booking.payment) if amount_paise is None and booking.payment else amount_paise or 0
    booking_refund_by_support(booking=booking, actor=actor, amount_paise=amount, note=note, key=f"dispute-{dispute.pk}")
    assert booking.payment_id is not None  # refunded above, so it has a payment
    with transaction.atomic():
        Payment.objects.select_for_update().get(pk=booking.payment_id)
        booking = Booking.objects.select_for_update(of=("self",)).select_related("session", "payment").get(
            pk=booking.pk
        )
        dispute = _lock_open_dispute(dispute, actor)
        if booking.status == Booking.Status.CONFIRMED and booking.session.status == Session.Status.COMPLETED:
            _finish_booking(booking, status=Booking.Status.COMPLETED, now=now)
        else:
            _release_escrow(booking)
        _close_dispute(
            dispute, status=Dispute.Status.RESOLVED_REFUNDED, actor=actor, note=note, refund_paise=amount, now=now
        )
    return dispute
