"""Making bookings: 1:1 slots, group seats, holds while the student pays, and the waitlist."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, User
from accounts.selectors import student_can_book
from mentors.hooks import announce_booked_times_changed
from mentors.models import MentorProfile
from mentors.slots import price_for_duration_paise, slot_is_open
from mentorship.db import lock_mentor_time, retry_on_lock_conflict
from payments.charges import charge_for, charge_open, charge_settle
from payments.models import Payment
from payments.services import payment_create, payment_expire
from sessions_app import policy, selectors, task_names
from sessions_app.models import Booking, Session, WaitlistEntry
from sessions_app.services._common import (
    ACTIVE_BOOKING_CONSTRAINT,
    OVERLAP_CONSTRAINT,
    PAYMENT_PURPOSE,
    already_booked_error,
    enqueue,
    logger,
    release_booking,
    slot_taken_error,
    violated_constraint,
)


@dataclass(frozen=True)
class Questionnaire:
    purpose: str = ""
    specific_questions: str = ""
    current_challenges: str = ""
    expected_outcomes: str = ""
    follow_up_of: Booking | None = None


def hold_duration() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SLOT_HOLD_MINUTES)


def _check_student(student: User, mentor: User) -> None:
    allowed, reason = student_can_book(student)
    if not allowed:
        raise ValidationError(reason, code="student_cannot_book")
    if student.pk == mentor.pk:
        raise ValidationError(_("You cannot book your own session."), code="own_session")


def release_expired_holds(*, now: dt.datetime, mentor_id: int | None = None, session_id: int | None = None,
                          starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None) -> list[Booking]:
    """Release held bookings whose time to pay ran out (all, or those in the way of a new booking).

    Runs inside the caller's transaction. Rows locked elsewhere (being released, or confirmed by a late payment)
    are skipped rather than waited for: the constraint or the seat count then decides, and waiting here could
    deadlock with the payment handler. Returns the released bookings.
    """
    expired = Booking.objects.select_for_update(of=("self",), skip_locked=True).select_related("session").filter(
        status=Booking.Status.PENDING_PAYMENT, hold_expires_at__lte=now
    )
    if mentor_id is not None:
        expired = expired.filter(
            session__mentor_id=mentor_id,
            session__kind=Session.Kind.ONE_TO_ONE,
            session__starts_at__lt=ends_at,
            session__ends_at__gt=starts_at,
        )
    if session_id is not None:
        expired = expired.filter(session_id=session_id)
    released = list(expired.order_by("pk"))
    for booking in released:
        release_booking(booking, reason=Booking.CancelReason.HOLD_EXPIRED, now=now)
    return released


@retry_on_lock_conflict(give_up=slot_taken_error)
def booking_hold_one_to_one(
    *,
    student: User,
    mentor: MentorProfile,
    starts_at: dt.datetime,
    duration_minutes: int,
    session_type: str,
    language: Language,
    questionnaire: Questionnaire,
    coupon_code: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """Take a mentor's open slot for a student: held for `SLOT_HOLD_MINUTES` while they pay, confirmed if free or
    fully paid with a package credit, scholarship credits or a coupon (`payments.charges`).

    Two students can never both hold the slot: the second insert violates `session_mentor_no_overlap`.
    """
    now = now or timezone.now()
    mentor_user = mentor.user
    _check_student(student, mentor_user)
    if not mentor.is_listed:
        raise ValidationError(_("This mentor is not taking bookings right now."), code="mentor_unavailable")
    if duration_minutes not in mentor.offered_durations:
        raise ValidationError(_("This mentor does not offer sessions of that length."), code="duration")
    if session_type not in Session.SessionType.values:
        raise ValidationError(_("Choose a session type."), code="session_type")
    if language not in selectors.common_languages(student, mentor_user):
        raise ValidationError(_("Choose a language you and the mentor both speak."), code="language")
    follow_up = questionnaire.follow_up_of
    if follow_up is not None and (follow_up.student_id != student.pk or follow_up.session.mentor_id != mentor_user.pk):
        raise ValidationError(
            _("You can only follow up on your own earlier session with this mentor."), code="follow_up"
        )
    if not slot_is_open(mentor=mentor, start=starts_at, duration_minutes=duration_minutes, now=now):
        raise slot_taken_error()

    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    price = price_for_duration_paise(mentor, duration_minutes)
    if 0 < price < policy.MIN_PAID_PRICE_PAISE:
        price = policy.MIN_PAID_PRICE_PAISE
    free = price == 0
    with transaction.atomic():
        lock_mentor_time(mentor_user.pk)
        release_expired_holds(now=now, mentor_id=mentor_user.pk, starts_at=starts_at, ends_at=ends_at)
        try:
            # No savepoint: if the insert fails, the whole use case rolls back with the ValidationError.
            session = Session.objects.create(
                mentor=mentor_user,
                kind=Session.Kind.ONE_TO_ONE,
                session_type=session_type,
                category=Session.Category.OTHER,
                language=language,
                starts_at=starts_at,
                ends_at=ends_at,
                time_zone=student.time_zone,
                capacity=1,
                price_paise=price,
                status=Session.Status.SCHEDULED if free else Session.Status.DRAFT,
                published_at=now if free else None,
            )
        except IntegrityError as exc:
            if violated_constraint(exc) == OVERLAP_CONSTRAINT:
                raise slot_taken_error() from None
            raise
        booking = Booking.objects.create(
            session=session,
            student=student,
            price_paise=price,
            status=Booking.Status.CONFIRMED if free else Booking.Status.PENDING_PAYMENT,
            hold_expires_at=None if free else now + hold_duration(),
            confirmed_at=now if free else None,
            purpose=questionnaire.purpose,
            specific_questions=questionnaire.specific_questions,
            current_challenges=questionnaire.current_challenges,
            expected_outcomes=questionnaire.expected_outcomes,
            follow_up_of=follow_up,
        )
        announce_booked_times_changed(mentor_user.pk)
        if free:
            _announce_confirmed(booking)
        else:
            _open_charge(booking, duration_minutes=duration_minutes, coupon_code=coupon_code, now=now)
    return booking


def _open_charge(booking: Booking, *, duration_minutes: int | None, coupon_code: str, now: dt.datetime) -> None:
    """Reserve how the student pays a held booking; one that needs no cash is confirmed at once."""
    session = booking.session
    charge = charge_open(
        purpose=PAYMENT_PURPOSE,
        reference_id=booking.pk,
        payer=booking.student,
        payee=session.mentor,
        price_paise=booking.price_paise,
        duration_minutes=duration_minutes,
        coupon_code=coupon_code,
        now=now,
    )
    if charge.cash_paise:
        return
    if session.status == Session.Status.DRAFT:
        session.status = Session.Status.SCHEDULED
        session.published_at = now
        session.save(update_fields=["status", "published_at", "updated_at"])
    booking.status = Booking.Status.CONFIRMED
    booking.confirmed_at = now
    booking.hold_expires_at = None
    booking.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    charge_settle(purpose=PAYMENT_PURPOSE, reference_id=booking.pk, now=now)
    _announce_confirmed(booking)


def booking_hold_group_seat(*, student: User, session: Session, now: dt.datetime | None = None) -> Booking:
    """Take a seat in a group session: confirmed at once if free, else held while the student pays.

    The session row is locked while its seats are counted, so concurrent attempts never exceed the capacity.
    """
    now = now or timezone.now()
    _check_student(student, session.mentor)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.is_group or session.status != Session.Status.SCHEDULED or session.starts_at <= now:
            raise ValidationError(_("This session is not open for booking."), code="not_bookable")
        release_expired_holds(now=now, session_id=session.pk)
        if session.bookings.filter(student=student, status__in=Booking.ACTIVE_STATUSES).exists():
            raise already_booked_error()
        if selectors.seats_taken(session, now) >= session.capacity:
            raise ValidationError(
                _("This session is full. You can join the waitlist and we will offer you a seat if one frees up."),
                code="full",
            )
        booking = _create_group_booking(session=session, student=student, now=now, hold_until=now + hold_duration())
        WaitlistEntry.objects.filter(
            session=session, student=student, status=WaitlistEntry.Status.WAITING
        ).update(status=WaitlistEntry.Status.BOOKED)
    return booking


def _create_group_booking(*, session: Session, student: User, now: dt.datetime, hold_until: dt.datetime) -> Booking:
    free = session.is_free
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                session=session,
                student=student,
                price_paise=session.price_paise,
                status=Booking.Status.CONFIRMED if free else Booking.Status.PENDING_PAYMENT,
                hold_expires_at=None if free else min(hold_until, session.starts_at),
                confirmed_at=now if free else None,
            )
    except IntegrityError as exc:
        if violated_constraint(exc) == ACTIVE_BOOKING_CONSTRAINT:
            raise already_booked_error() from None
        raise
    if free:
        _announce_confirmed(booking)
    else:
        _open_charge(booking, duration_minutes=None, coupon_code="", now=now)
    return booking


def _announce_confirmed(booking: Booking) -> None:
    enqueue(task_names.NOTIFY_BOOKING, booking.pk, "confirmed")


def booking_start_payment(*, booking: Booking, now: dt.datetime | None = None) -> Payment:
    """The Razorpay order for a held booking (a new one, or the one still open); the student then checks out."""
    now = now or timezone.now()
    expired = not booking.hold_expires_at or booking.hold_expires_at <= now
    if booking.status != Booking.Status.PENDING_PAYMENT or expired:
        raise ValidationError(_("The time to pay for this booking has run out. Please book again."), code="expired")
    if booking.payment and booking.payment.status == Payment.Status.CREATED:
        return booking.payment
    session = booking.session
    charge = charge_for(PAYMENT_PURPOSE, booking.pk)
    # The order is created at Razorpay before any statement runs, so no transaction stays open during the call;
    # the payment row and the booking's link to it are then written together.
    with transaction.atomic():
        payment = payment_create(
            payer=booking.student,
            purpose=PAYMENT_PURPOSE,
            reference_id=booking.pk,
            amount_paise=charge.cash_paise if charge else booking.price_paise,
            # What the payer sees at checkout and in their own history (the mentor's rows describe it afresh).
            description=f"{selectors.session_heading(session, viewer=booking.student)} · "
            f"{session.starts_at:%Y-%m-%d %H:%M} UTC",
            payee=session.mentor,
        )
        attached = Booking.objects.filter(pk=booking.pk, status=Booking.Status.PENDING_PAYMENT).update(
            payment=payment, updated_at=timezone.now()
        )
        if not attached:
            # Released while the order was being created: the order is simply never paid.
            raise ValidationError(
                _("The time to pay for this booking has run out. Please book again."), code="expired"
            )
    booking.payment = payment
    return payment


def bookings_expire_holds(*, now: dt.datetime | None = None) -> int:
    """Release every hold whose time ran out (the periodic task); returns how many were released."""
    now = now or timezone.now()
    with transaction.atomic():
        return len(release_expired_holds(now=now))


def booking_payment_expire(*, payment_id: int) -> None:
    payment = Payment.objects.filter(pk=payment_id, status=Payment.Status.CREATED).first()
    if payment is not None:
        payment_expire(payment=payment, reason=_("The time to pay ran out."))


# --- waitlist -------------------------------------------------------------------------------------


def waitlist_join(*, student: User, session: Session, now: dt.datetime | None = None) -> WaitlistEntry:
    now = now or timezone.now()
    _check_student(student, session.mentor)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.is_group or session.status != Session.Status.SCHEDULED or session.starts_at <= now:
            raise ValidationError(_("This session is not open for booking."), code="not_bookable")
        if session.bookings.filter(student=student, status__in=Booking.ACTIVE_STATUSES).exists():
            raise already_booked_error()
        if selectors.seats_taken(session, now) < session.capacity:
            raise ValidationError(_("There are seats left: book one now."), code="not_full")
        entry, _created = WaitlistEntry.objects.get_or_create(
            session=session,
            student=student,
            status=WaitlistEntry.Status.WAITING,
        )
    return entry


def waitlist_leave(*, student: User, session: Session) -> None:
    WaitlistEntry.objects.filter(session=session, student=student, status=WaitlistEntry.Status.WAITING).update(
        status=WaitlistEntry.Status.LEFT
    )


def waitlist_offer_seats(*, session_id: int, now: dt.datetime | None = None) -> list[Booking]:
    """Offer freed seats to the longest-waiting students: a free seat is booked for them, a paid one held
    until `policy.waitlist_offer_deadline` (daytime hours in the student's zone, never past the start)."""
    now = now or timezone.now()
    offered: list[Booking] = []
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        if not session.is_group or session.status != Session.Status.SCHEDULED or session.starts_at <= now:
            return offered
        release_expired_holds(now=now, session_id=session.pk)
        free_seats = session.capacity - selectors.seats_taken(session, now)
        waiting = session.waitlist_entries.select_for_update(skip_locked=True).filter(
            status=WaitlistEntry.Status.WAITING
        ).select_related("student").order_by("created_at", "pk")
        for entry in waiting:
            if free_seats <= 0:
                break
            if not student_can_book(entry.student)[0]:
                continue
            try:
                deadline = policy.waitlist_offer_deadline(
                    now=now, starts_at=session.starts_at, time_zone=entry.student.tzinfo
                )
                booking = _create_group_booking(session=session, student=entry.student, now=now, hold_until=deadline)
            except ValidationError:
                entry.status = WaitlistEntry.Status.BOOKED
                entry.save(update_fields=["status"])
                continue
            entry.status = WaitlistEntry.Status.BOOKED if session.is_free else WaitlistEntry.Status.OFFERED
            entry.offered_booking = booking
            entry.offered_at = now
            entry.save(update_fields=["status", "offered_booking", "offered_at"])
            if not session.is_free:
                enqueue(task_names.NOTIFY_BOOKING, booking.pk, "waitlist_offer")
            offered.append(booking)
            free_seats -= 1
    if offered:
        logger.info("Offered %s waitlisted seat(s) of session %s", len(offered), session_id)
    return offered
