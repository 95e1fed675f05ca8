"""Seed 000 §3.5 refund tiers at their exact boundaries, refunds through payments, and their limits."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from payments.models import Refund
from payments.services import refund_reconcile_one
from sessions_app import policy, selectors, services
from sessions_app.models import Booking, Session
from tests.factories import BookingFactory, GroupSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)
PRICE = 120_000  # an hour at ₹1,200


@pytest.mark.parametrize(
    ("before_start", "tier", "refund"),
    [
        (dt.timedelta(days=2), policy.RefundTier.FULL, PRICE),
        (dt.timedelta(hours=24) + SECOND, policy.RefundTier.FULL, PRICE),
        (dt.timedelta(hours=24), policy.RefundTier.PARTIAL, PRICE // 2),
        (dt.timedelta(hours=10), policy.RefundTier.PARTIAL, PRICE // 2),
        (dt.timedelta(hours=2), policy.RefundTier.PARTIAL, PRICE // 2),
        (dt.timedelta(hours=2) - SECOND, policy.RefundTier.NONE, 0),
        (dt.timedelta(minutes=5), policy.RefundTier.NONE, 0),
    ],
)
def test_student_cancellation_refunds_by_notice(paid_booking, committed, before_start, tier, refund):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at - before_start, tick=False):
        decision = selectors.refund_decision(
            booking, actor=booking.student, now=booking.session.starts_at - before_start
        )
        with committed():
            services.booking_cancel(booking=booking, actor=booking.student)

    booking.refresh_from_db()
    assert decision.tier == tier
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_paise == refund
    assert list(Refund.objects.filter(payment=booking.payment).values_list("amount_paise", flat=True)) == (
        [refund] if refund else []
    )
    assert booking.session.status == Session.Status.CANCELLED


def test_mentor_cancelling_even_at_the_last_minute_refunds_in_full(paid_booking, committed):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at - dt.timedelta(minutes=10), tick=False), committed():
        services.booking_cancel(booking=booking, actor=booking.session.mentor)

    booking.refresh_from_db()
    assert booking.cancellation_reason == Booking.CancelReason.MENTOR
    assert booking.refund_paise == PRICE
    assert Refund.objects.get(payment=booking.payment).amount_paise == PRICE


def test_student_cannot_cancel_after_the_start(paid_booking):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at + SECOND, tick=False), pytest.raises(ValidationError) as error:
        services.booking_cancel(booking=booking, actor=booking.student)
    assert error.value.code == "started"


def test_processed_refund_marks_the_booking_refunded(paid_booking, committed, razorpay_keys):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=10), tick=False), committed():
        services.booking_cancel(booking=booking, actor=booking.student)
    refund = Refund.objects.get(payment=booking.payment)
    razorpay_keys.settle_refund(refund.razorpay_refund_id)

    with committed():
        refund_reconcile_one(refund=refund)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert booking.refund_paise == PRICE // 2
    assert booking.refunded_at is not None


def test_full_refund_after_a_partial_one_is_refused_where_it_exceeds_the_capture(paid_booking, committed):
    booking = paid_booking()
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=10), tick=False), committed():
        services.booking_cancel(booking=booking, actor=booking.student)
    support = UserFactory(role="support", is_staff=True)
    booking.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        services.booking_refund_by_support(
            booking=booking, actor=support, amount_paise=PRICE, note="goodwill", key="full"
        )

    assert error.value.code == "exceeds_refundable"
    booking.refresh_from_db()
    assert booking.refund_paise == PRICE // 2
    assert Refund.objects.filter(payment=booking.payment).count() == 1
    services.booking_refund_by_support(booking=booking, actor=support, amount_paise=PRICE // 2, note="rest", key="rest")
    booking.refresh_from_db()
    assert booking.refund_paise == PRICE


def test_the_same_cancellation_refund_is_never_asked_twice(paid_booking, committed):
    booking = paid_booking()
    with committed():
        services.booking_cancel(booking=booking, actor=booking.student)
    services.booking_refund_now(
        booking_id=booking.pk, payment_id=booking.payment_id, amount_paise=PRICE, reason="cancel"
    )
    assert Refund.objects.filter(payment=booking.payment).count() == 1


def test_cancelling_a_group_session_cancels_and_refunds_every_booking(committed, mailoutbox):
    session = GroupSessionFactory(capacity=5)
    bookings = [BookingFactory(session=session) for _ in range(3)]

    with committed():
        services.session_cancel(session=session, actor=session.mentor, reason="I am unwell")

    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED
        assert booking.cancellation_reason == Booking.CancelReason.SESSION_CANCELLED
    cancellations = [m for m in mailoutbox if any(a.get_content_type() == "text/calendar" for a in m.attachments)]
    assert {m.to[0] for m in cancellations} == {b.student.email for b in bookings} | {session.mentor.email}
    assert all("I am unwell" in m.body for m in cancellations if m.to[0] != session.mentor.email)


def test_half_refund_of_an_odd_price_rounds_down():
    quote = policy.refund_quote(
        paid_paise=99_999,
        starts_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        now=dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC),
        by_host=False,
    )
    assert quote == policy.RefundQuote(tier=policy.RefundTier.PARTIAL, amount_paise=49_999)
