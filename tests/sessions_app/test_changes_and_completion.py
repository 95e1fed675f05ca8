import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from payments.ledger import payment_positions
from payments.models import LedgerAccount, Refund
from sessions_app import services
from sessions_app.models import Booking, Dispute, RescheduleRequest, RoomVisit, SentReminder, Session
from sessions_app.room.services import RoomRefused, room_access_check
from tests.factories import BookingFactory, GroupSessionFactory, UserFactory, live_group_session, student_with_profile
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db

PRICE = 120_000


@pytest.fixture
def support(db):
    return UserFactory(role="support", is_staff=True)


# --- rescheduling --------------------------------------------------------------------------------


def test_student_moves_a_booking_within_policy_without_paying_again(paid_booking, committed, mailoutbox):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    SentReminder.objects.create(session=booking.session, recipient=booking.student, kind="24h")
    new_start = local_slot(days=4, hour=15)

    with committed():
        change = services.booking_reschedule(booking=booking, actor=booking.student, starts_at=new_start)

    booking.refresh_from_db()
    assert change.status == RescheduleRequest.Status.APPLIED
    assert booking.session.starts_at == new_start
    assert booking.session.ends_at == new_start + dt.timedelta(hours=1)
    assert booking.ics_sequence == 1
    assert booking.session.ics_sequence == 1
    assert booking.payment.refunds.count() == 0
    assert not SentReminder.objects.filter(session=booking.session).exists()
    assert {m.to[0] for m in mailoutbox[-2:]} == {booking.student.email, booking.session.mentor.email}


def test_a_booking_may_move_onto_part_of_its_own_old_time(paid_booking):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    half_past = local_slot(days=3, hour=10, minute=30)
    services.booking_reschedule(booking=booking, actor=booking.student, starts_at=half_past)
    booking.refresh_from_db()
    assert booking.session.starts_at == half_past


def test_rescheduling_onto_a_taken_slot_is_refused(paid_booking, hold_slot):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    taken = local_slot(days=3, hour=14)
    hold_slot(student_with_profile(languages=("hi",)), starts_at=taken)
    with pytest.raises(ValidationError) as error:
        services.booking_reschedule(booking=booking, actor=booking.student, starts_at=taken)
    assert error.value.code == "slot_taken"


def test_inside_24_hours_only_an_emergency_request_is_possible(paid_booking, support, committed):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    new_start = local_slot(days=5, hour=11)
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=5), tick=False):
        with pytest.raises(ValidationError) as error:
            services.booking_reschedule(booking=booking, actor=booking.student, starts_at=new_start)
        assert error.value.code == "too_late"
        request = services.reschedule_request_create(
            booking=booking, actor=booking.student, starts_at=new_start, reason="Hospital visit"
        )
        assert request.status == RescheduleRequest.Status.PENDING
        with committed():
            services.reschedule_request_approve(request=request, actor=support)

    booking.refresh_from_db()
    assert booking.session.starts_at == new_start
    assert RescheduleRequest.objects.get(pk=request.pk).status == RescheduleRequest.Status.APPLIED


def test_only_support_decides_emergency_requests(paid_booking):
    booking = paid_booking(starts_at=local_slot(days=3, hour=10))
    request = services.reschedule_request_create(
        booking=booking, actor=booking.student, starts_at=local_slot(days=5, hour=11), reason="Exam clash"
    )
    with pytest.raises(ValidationError):
        services.reschedule_request_approve(request=request, actor=booking.session.mentor)


# --- completion and escrow ---------------------------------------------------------------------


def test_completing_a_session_releases_escrow_seventy_thirty(paid_booking, committed):
    booking = paid_booking()
    mentor = booking.session.mentor
    with time_machine.travel(booking.session.ends_at, tick=False), committed():
        services.session_complete(session=booking.session, actor=mentor)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert booking.session.status == Session.Status.COMPLETED
    positions = payment_positions(booking.payment)
    assert positions.get(LedgerAccount.Kind.ESCROW, 0) == 0
    assert positions[LedgerAccount.Kind.MENTOR_PAYABLE] == PRICE * 70 // 100
    assert positions[LedgerAccount.Kind.PLATFORM_REVENUE] == PRICE - PRICE * 70 // 100


def test_completing_twice_changes_nothing(paid_booking):
    booking = paid_booking()
    with time_machine.travel(booking.session.ends_at, tick=False):
        services.session_complete(session=booking.session, actor=booking.session.mentor)
        services.session_complete(session=booking.session, actor=booking.session.mentor)
    assert booking.payment.ledger_transactions.filter(kind="release").count() == 1


def test_a_session_cannot_be_completed_before_it_starts(paid_booking):
    booking = paid_booking()
    with pytest.raises(ValidationError) as error:
        services.session_complete(session=booking.session, actor=booking.session.mentor)
    assert error.value.code == "not_started"


def test_mentor_ends_a_session_early_once_mentor_and_student_have_both_joined():
    session = live_group_session(starts_in_minutes=8)
    booking = BookingFactory(session=session)
    RoomVisit.objects.create(session=session, user=session.mentor, peer_id="1.a", joined_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.session_complete(session=session, actor=session.mentor)
    assert error.value.code == "not_started"

    RoomVisit.objects.create(session=session, user=booking.student, peer_id="2.b", joined_at=timezone.now())
    services.session_complete(session=session, actor=session.mentor)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED and booking.session.status == Session.Status.COMPLETED


def test_auto_completion_waits_for_the_dispute_window_and_skips_disputed_bookings(committed):
    session = GroupSessionFactory(capacity=3)
    quiet, unhappy = BookingFactory(session=session), BookingFactory(session=session)
    with time_machine.travel(session.ends_at + dt.timedelta(hours=1), tick=False):
        assert services.sessions_auto_complete() == 0
        services.dispute_raise(booking=unhappy, actor=unhappy.student, kind="quality", description="Mentor left early")

    with time_machine.travel(session.ends_at + dt.timedelta(hours=24), tick=False), committed():
        assert services.sessions_auto_complete() == 1

    quiet.refresh_from_db()
    unhappy.refresh_from_db()
    assert quiet.status == Booking.Status.COMPLETED
    assert unhappy.status == Booking.Status.CONFIRMED


def test_mentor_marks_a_no_show_and_is_paid(paid_booking):
    booking = paid_booking()
    too_early = time_machine.travel(booking.session.starts_at + dt.timedelta(minutes=5), tick=False)
    with too_early, pytest.raises(ValidationError):
        services.booking_mark_no_show(booking=booking, actor=booking.session.mentor)
    with time_machine.travel(booking.session.starts_at + dt.timedelta(minutes=20), tick=False):
        services.booking_mark_no_show(booking=booking, actor=booking.session.mentor)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert payment_positions(booking.payment)[LedgerAccount.Kind.MENTOR_PAYABLE] == PRICE * 70 // 100


# --- disputes ------------------------------------------------------------------------------------


def test_disputes_are_accepted_from_the_start_until_a_day_after_the_end(paid_booking):
    booking = paid_booking()
    session = booking.session
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=1), tick=False), pytest.raises(ValidationError):
        services.dispute_raise(booking=booking, actor=booking.student, kind="technical", description="No video")
    with time_machine.travel(session.ends_at + dt.timedelta(hours=24, seconds=1), tick=False), pytest.raises(
        ValidationError
    ):
        services.dispute_raise(booking=booking, actor=booking.student, kind="technical", description="No video")
    with time_machine.travel(session.ends_at + dt.timedelta(hours=23), tick=False):
        dispute = services.dispute_raise(
            booking=booking, actor=booking.student, kind="mentor_absent", description="Nobody came"
        )
    assert dispute.status == Dispute.Status.OPEN


def test_support_refunds_a_disputed_session_in_full(paid_booking, support, committed):
    booking = paid_booking()
    session = booking.session
    with time_machine.travel(session.ends_at + dt.timedelta(hours=1), tick=False):
        dispute = services.dispute_raise(booking=booking, actor=booking.student, kind="mentor_absent",
                                         description="Nobody came")
        services.session_complete(session=session, actor=session.mentor)
        with committed():
            services.dispute_resolve_refund(dispute=dispute, actor=support, note="Mentor confirmed absence")

    dispute.refresh_from_db()
    booking.refresh_from_db()
    assert dispute.status == Dispute.Status.RESOLVED_REFUNDED
    assert dispute.refund_paise == PRICE
    assert Refund.objects.get(payment=booking.payment).amount_paise == PRICE
    assert payment_positions(booking.payment).get(LedgerAccount.Kind.MENTOR_PAYABLE, 0) == 0


def test_support_decides_a_disputed_session_was_held(paid_booking, support):
    booking = paid_booking()
    session = booking.session
    with time_machine.travel(session.ends_at + dt.timedelta(hours=1), tick=False):
        dispute = services.dispute_raise(booking=booking, actor=booking.student, kind="quality", description="Meh")
        services.session_complete(session=session, actor=session.mentor)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        services.dispute_resolve_complete(dispute=dispute, actor=support)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert payment_positions(booking.payment)[LedgerAccount.Kind.MENTOR_PAYABLE] == PRICE * 70 // 100


# --- the room's rules ------------------------------------------------------------------------------


def test_only_the_mentor_and_confirmed_students_may_join_in_the_window(settings):
    session = GroupSessionFactory()
    confirmed = BookingFactory(session=session)
    held = BookingFactory(session=session, status="pending_payment", confirmed_at=None,
                          hold_expires_at=session.starts_at)
    outsider = student_with_profile()
    opens = session.starts_at - dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES_BEFORE)
    closes = session.ends_at + dt.timedelta(minutes=settings.ROOM_GRACE_MINUTES)

    def may_join(user, at) -> bool:
        try:
            room_access_check(user=user, session_id=session.pk, require_consent=False, now=at)
        except RoomRefused:
            return False
        return True

    assert may_join(session.mentor, opens)
    assert may_join(confirmed.student, opens)
    assert not may_join(confirmed.student, opens - dt.timedelta(seconds=1))
    assert not may_join(held.student, session.starts_at)
    assert not may_join(outsider, session.starts_at)
    assert may_join(confirmed.student, closes)
    assert not may_join(confirmed.student, closes + dt.timedelta(seconds=1))


def test_going_live_is_only_for_the_mentor_close_to_the_start():
    session = GroupSessionFactory()
    with pytest.raises(ValidationError):
        services.session_start(session=session, actor=session.mentor)
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=5), tick=False):
        services.session_start(session=session, actor=session.mentor)
    session.refresh_from_db()
    assert session.status == Session.Status.LIVE
