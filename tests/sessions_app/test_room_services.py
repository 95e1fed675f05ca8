"""The room's rules outside the socket: the mentor no-show refund, recordings, tips."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentors.models import MentorProfile
from payments.models import LedgerAccount, Payment, Refund
from payments.selectors import mentor_balances
from payments.services import payment_verify_callback
from sessions_app import services
from sessions_app.models import Booking, MentorNoShow, RoomVisit, Session, SessionMessage, Tip
from sessions_app.room import services as room_services
from sessions_app.room.tasks import process_mentor_no_shows
from sessions_app.room.tips import tip_create
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    UserFactory,
    live_group_session,
    minor_user,
    student_with_profile,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_group(razorpay_keys):
    """A ₹500 group session with two students who paid through the fake Razorpay checkout."""
    session = GroupSessionFactory(price_paise=50_000, capacity=5)
    bookings = []
    for _ in range(2):
        booking = services.booking_hold_group_seat(student=student_with_profile(), session=session)
        payment = services.booking_start_payment(booking=booking)
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        bookings.append(booking)
    return session, bookings


# --- the mentor who never came ---------------------------------------------------------------------------------


def test_mentor_no_show_refunds_every_participant_in_full(paid_group, django_capture_on_commit_callbacks):
    session, bookings = paid_group
    late = session.starts_at + dt.timedelta(minutes=16)

    with django_capture_on_commit_callbacks(execute=True):
        assert room_services.mentor_no_show_process(session_id=session.pk, now=late) is True

    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.status in (Booking.Status.CANCELLED, Booking.Status.REFUNDED)
        assert booking.refund_paise == 50_000
        refund = Refund.objects.get(payment=booking.payment)
        assert refund.amount_paise == 50_000
    assert MentorNoShow.objects.filter(session=session, mentor=session.mentor).exists()
    assert MentorProfile.objects.get(user=session.mentor).no_show_count == 1


def test_no_refund_before_fifteen_minutes_or_when_the_mentor_came(paid_group):
    session, bookings = paid_group
    assert not room_services.mentor_no_show_process(
        session_id=session.pk, now=session.starts_at + dt.timedelta(minutes=14)
    )
    RoomVisit.objects.create(session=session, user=session.mentor, peer_id="1.abcdef12", joined_at=session.starts_at)
    assert not room_services.mentor_no_show_process(
        session_id=session.pk, now=session.starts_at + dt.timedelta(minutes=30)
    )
    assert not Refund.objects.exists()
    assert Session.objects.get(pk=session.pk).status == Session.Status.SCHEDULED


def test_the_periodic_task_refunds_late_sessions_once(django_capture_on_commit_callbacks):
    late = live_group_session(starts_in_minutes=-20)
    BookingFactory(session=late)
    on_time = live_group_session(starts_in_minutes=-20)
    BookingFactory(session=on_time)
    RoomVisit.objects.create(session=on_time, user=on_time.mentor, peer_id="1.abcdef12", joined_at=timezone.now())
    not_yet = live_group_session(starts_in_minutes=-10)
    BookingFactory(session=not_yet)

    with django_capture_on_commit_callbacks(execute=True):
        assert process_mentor_no_shows() == 1
    assert process_mentor_no_shows() == 0
    assert list(MentorNoShow.objects.values_list("session_id", flat=True)) == [late.pk]


# --- access ----------------------------------------------------------------------------------------------------


def test_room_opens_ten_minutes_before_and_closes_after_the_grace_period(settings):
    session = GroupSessionFactory()
    member = UserFactory()
    BookingFactory(session=session, student=member)
    check = room_services.room_access_check

    with pytest.raises(room_services.RoomRefused) as refused:
        check(
            user=member, session_id=session.pk, require_consent=False, now=session.starts_at - dt.timedelta(minutes=11)
        )
    assert refused.value.close_code == room_services.CLOSE_NOT_OPEN
    assert check(
        user=member, session_id=session.pk, require_consent=False, now=session.starts_at - dt.timedelta(minutes=10)
    )
    grace_end = session.ends_at + dt.timedelta(minutes=settings.ROOM_GRACE_MINUTES)
    assert check(user=member, session_id=session.pk, require_consent=False, now=grace_end)
    with pytest.raises(room_services.RoomRefused):
        check(user=member, session_id=session.pk, require_consent=False, now=grace_end + dt.timedelta(seconds=1))


# --- tips ------------------------------------------------------------------------------------------------------


def test_a_paid_tip_goes_to_the_mentor_and_into_the_chat(razorpay_keys, django_capture_on_commit_callbacks):
    session = live_group_session(starts_in_minutes=-5)
    student = UserFactory(full_name="Asha Reddy")
    BookingFactory(session=session, student=student)

    tip = tip_create(session=session, student=student, amount_paise=20_000, message="Thanks a lot")
    assert tip.payment.purpose == "tip" and tip.payment.payee == session.mentor
    assert tip.payment.holds_in_escrow is False
    with django_capture_on_commit_callbacks(execute=True):
        payment_verify_callback(payment=tip.payment, **razorpay_keys.pay(tip.payment.razorpay_order_id))

    tip.refresh_from_db()
    assert tip.status == Tip.Status.PAID and tip.payment.status == Payment.Status.CAPTURED
    assert mentor_balances(session.mentor).available_paise == 20_000
    assert not LedgerAccount.objects.filter(kind=LedgerAccount.Kind.ESCROW, owner=session.mentor).exists()
    message = SessionMessage.objects.get(session=session)
    assert (message.kind, message.amount_paise, message.text, message.sender) == (
        "tip",
        20_000,
        "Thanks a lot",
        student,
    )


@pytest.mark.parametrize("amount_paise", [999, 10_000_01])
def test_tips_stay_within_the_limits(amount_paise):
    session = live_group_session()
    student = UserFactory()
    BookingFactory(session=session, student=student)
    with pytest.raises(ValidationError) as error:
        tip_create(session=session, student=student, amount_paise=amount_paise)
    assert error.value.code == "amount"
    assert not Tip.objects.exists()


def test_minors_and_outsiders_cannot_tip():
    session = live_group_session()
    minor = minor_user()
    BookingFactory(session=session, student=minor)
    with pytest.raises(ValidationError) as error:
        tip_create(session=session, student=minor, amount_paise=10_000)
    assert error.value.code == "minor"
    with pytest.raises(ValidationError) as error:
        tip_create(session=session, student=UserFactory(), amount_paise=10_000)
    assert error.value.code == "not_member"


def test_an_adults_tip_message_is_masked_in_a_room_with_a_minor(razorpay_keys, django_capture_on_commit_callbacks):
    session = live_group_session()
    adult = UserFactory()
    BookingFactory(session=session, student=adult)
    BookingFactory(session=session, student=minor_user())
    tip = tip_create(session=session, student=adult, amount_paise=5_000, message="Call 98765 43210")
    with django_capture_on_commit_callbacks(execute=True):
        payment_verify_callback(payment=tip.payment, **razorpay_keys.pay(tip.payment.razorpay_order_id))
    assert SessionMessage.objects.get(session=session).text == "Call [•••]"


def test_a_tip_paid_while_redis_is_down_is_still_recorded_and_shown_later(
    razorpay_keys, django_capture_on_commit_callbacks, settings
):
    from channels.layers import channel_layers

    session = live_group_session(starts_in_minutes=-5)
    student = UserFactory()
    BookingFactory(session=session, student=student)
    tip = tip_create(session=session, student=student, amount_paise=20_000, message="Thanks")
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": ["redis://127.0.0.1:9/0"]}}}
    channel_layers.backends.clear()

    with django_capture_on_commit_callbacks(execute=True):
        payment_verify_callback(payment=tip.payment, **razorpay_keys.pay(tip.payment.razorpay_order_id))

    channel_layers.backends.clear()
    tip.refresh_from_db()
    assert tip.status == Tip.Status.PAID
    assert SessionMessage.objects.filter(session=session, kind="tip").exists()
