import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mentors.slots import open_slots
from payments.models import Payment
from sessions_app import services
from sessions_app.models import Booking, Session
from tests.factories import (
    GroupSessionFactory,
    UserFactory,
    language,
    mentor_with_weekly_hours,
    student_with_profile,
)
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db


def test_holding_a_paid_slot_creates_a_draft_session_and_a_timed_hold(hold_slot, student, settings):
    now = timezone.now()
    booking = hold_slot(student, now=now)

    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.hold_expires_at == now + dt.timedelta(minutes=settings.SLOT_HOLD_MINUTES)
    assert booking.price_paise == 120_000
    assert booking.session.status == Session.Status.DRAFT
    assert booking.session.kind == Session.Kind.ONE_TO_ONE
    assert booking.purpose == "Choosing an engineering branch"


def test_a_free_mentor_slot_is_confirmed_at_once(hold_slot, student, mailoutbox):
    free_mentor = mentor_with_weekly_hours(hourly_rate_paise=0)
    booking = hold_slot(student, mentor=free_mentor, starts_at=local_slot(hour=10))

    assert booking.status == Booking.Status.CONFIRMED
    assert booking.session.status == Session.Status.SCHEDULED
    assert {message.to[0] for message in mailoutbox} == {student.email, free_mentor.user.email}


def test_held_slot_is_no_longer_offered(hold_slot, student, mentor):
    start = local_slot()
    hold_slot(student, starts_at=start)

    offered = open_slots(mentor=mentor, start=start - dt.timedelta(hours=2), end=start + dt.timedelta(hours=3),
                         duration_minutes=60)
    assert all(slot.end <= start or slot.start >= start + dt.timedelta(hours=1) for slot in offered)


def test_second_student_cannot_hold_a_held_slot(hold_slot, student):
    hold_slot(student)
    with pytest.raises(ValidationError) as error:
        hold_slot(student_with_profile(languages=("hi",)))
    assert error.value.code == "slot_taken"


def test_database_refuses_overlapping_sessions_of_one_mentor(mentor):
    start = local_slot()
    GroupSessionFactory(mentor=mentor.user, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    with pytest.raises(IntegrityError):
        GroupSessionFactory(
            mentor=mentor.user, starts_at=start + dt.timedelta(minutes=30), ends_at=start + dt.timedelta(hours=2)
        )


def test_mentor_group_session_blocks_one_to_one_times(hold_slot, student, mentor):
    start = local_slot()
    GroupSessionFactory(mentor=mentor.user, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        hold_slot(student, starts_at=start)
    assert error.value.code == "slot_taken"


def test_expired_hold_frees_the_slot_for_the_next_student(hold_slot, student):
    start = local_slot()
    first = hold_slot(student, starts_at=start)

    other_student = student_with_profile(languages=("hi",))
    with time_machine.travel(first.hold_expires_at + dt.timedelta(seconds=1)):
        second = hold_slot(other_student, starts_at=start)

    first.refresh_from_db()
    assert first.status == Booking.Status.CANCELLED
    assert first.cancellation_reason == Booking.CancelReason.HOLD_EXPIRED
    assert first.session.status == Session.Status.CANCELLED
    assert second.status == Booking.Status.PENDING_PAYMENT


def test_expire_holds_task_releases_only_expired_holds(hold_slot, student):
    expiring = hold_slot(student, starts_at=local_slot(hour=10))
    fresh = hold_slot(student, starts_at=local_slot(hour=14), now=expiring.hold_expires_at)

    released = services.bookings_expire_holds(now=expiring.hold_expires_at + dt.timedelta(seconds=1))

    assert released == 1
    expiring.refresh_from_db()
    fresh.refresh_from_db()
    assert expiring.status == Booking.Status.CANCELLED
    assert fresh.status == Booking.Status.PENDING_PAYMENT


def test_student_blocked_by_accounts_is_told_why(hold_slot):
    unverified = UserFactory(verified_email=False)
    with pytest.raises(ValidationError) as error:
        hold_slot(unverified)
    assert error.value.code == "student_cannot_book"
    assert "email" in error.value.messages[0].lower()


def test_language_must_be_spoken_by_both(hold_slot):
    telugu_only = student_with_profile(languages=("te",))
    with pytest.raises(ValidationError) as error:
        hold_slot(telugu_only, language=language("te"))
    assert error.value.code == "language"


def test_duration_must_be_offered(hold_slot, student):
    with pytest.raises(ValidationError) as error:
        hold_slot(student, duration=45)
    assert error.value.code == "duration"


def test_paying_confirms_the_booking_and_schedules_the_session(paid_booking, mailoutbox):
    booking = paid_booking()

    assert booking.session.status == Session.Status.SCHEDULED
    assert booking.payment.status == Payment.Status.CAPTURED
    assert booking.hold_expires_at is None
    assert len(mailoutbox) == 2


def test_failed_payment_keeps_the_slot_held_and_paying_again_confirms_it(
    hold_slot, student, razorpay_keys, mentor, committed, mailoutbox
):
    from payments.services import payment_record_checkout_failure, payment_verify_callback

    start = local_slot()
    booking = hold_slot(student, starts_at=start)
    payment = services.booking_start_payment(booking=booking)
    failed = razorpay_keys.fail(payment.razorpay_order_id)
    with committed():
        payment_record_checkout_failure(payment=payment, razorpay_payment_id=failed["error"]["metadata"]["payment_id"])

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert not any(
        slot.start == start
        for slot in open_slots(mentor=mentor, start=start, end=start + dt.timedelta(hours=1), duration_minutes=60)
    )
    # In the student's language (Hindi): "we are holding this time for you until …: you can try again".
    assert "तक आपके लिए रोक कर रख रहे हैं" in mailoutbox[-1].body

    retry = services.booking_start_payment(booking=booking)
    assert retry.pk != payment.pk
    with committed():
        payment_verify_callback(payment=retry, **razorpay_keys.pay(retry.razorpay_order_id))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.payment_id == retry.pk


def test_slot_held_after_a_failed_payment_is_released_when_the_hold_expires(
    hold_slot, student, razorpay_keys, mentor, committed
):
    from payments.services import payment_record_checkout_failure

    start = local_slot()
    booking = hold_slot(student, starts_at=start)
    payment = services.booking_start_payment(booking=booking)
    failed = razorpay_keys.fail(payment.razorpay_order_id)
    with committed():
        payment_record_checkout_failure(payment=payment, razorpay_payment_id=failed["error"]["metadata"]["payment_id"])
        services.bookings_expire_holds(now=booking.hold_expires_at + dt.timedelta(seconds=1))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancellation_reason == Booking.CancelReason.HOLD_EXPIRED
    assert any(
        slot.start == start
        for slot in open_slots(mentor=mentor, start=start, end=start + dt.timedelta(hours=1), duration_minutes=60)
    )


def test_late_capture_after_expiry_confirms_if_slot_still_free(hold_slot, student, razorpay_keys, committed):
    from payments.services import payment_verify_callback

    booking = hold_slot(student)
    payment = services.booking_start_payment(booking=booking)
    with committed():
        services.bookings_expire_holds(now=booking.hold_expires_at + dt.timedelta(seconds=1))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED

    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.session.status == Session.Status.SCHEDULED


def test_late_capture_after_slot_was_taken_is_refunded_in_full(hold_slot, student, razorpay_keys, committed):
    from payments.services import payment_verify_callback

    start = local_slot()
    booking = hold_slot(student, starts_at=start)
    payment = services.booking_start_payment(booking=booking)
    other_student = student_with_profile(languages=("hi",))
    with time_machine.travel(booking.hold_expires_at + dt.timedelta(seconds=1)):
        other = hold_slot(other_student, starts_at=start)

    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))

    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancellation_reason == Booking.CancelReason.SLOT_TAKEN
    assert booking.refund_paise == payment.amount_paise
    assert payment.refunds.get().amount_paise == payment.amount_paise
    assert other.status == Booking.Status.PENDING_PAYMENT
