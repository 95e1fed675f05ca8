import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions_app import policy, services
from sessions_app.models import Booking, Session, WaitlistEntry
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    UserFactory,
    language,
    student_with_profile,
)

pytestmark = pytest.mark.django_db


def group_data(**overrides) -> services.GroupSessionData:
    start = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    values = {
        "title": "Cracking NEET biology",
        "description": "Genetics and evolution, with past questions.",
        "category": "competitive_exams",
        "session_type": "exam_preparation",
        "skills": "biology, NEET",
        "language": language("en"),
        "starts_at": start,
        "duration_minutes": 90,
        "time_zone": "Asia/Kolkata",
        "capacity": 2,
        "price_paise": 0,
    }
    values.update(overrides)
    return services.GroupSessionData(**values)


def test_verified_mentor_creates_a_draft_then_publishes_it(mailoutbox, committed):
    mentor = MentorProfileFactory().user
    session = services.group_session_create(mentor=mentor, data=group_data())
    assert session.status == Session.Status.DRAFT
    assert session.duration_minutes == 90

    with committed():
        services.group_session_publish(session=session, actor=mentor)

    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    assert mailoutbox[-1].to == [mentor.email]
    assert "text/calendar" in mailoutbox[-1].attachments[0].get_content_type()


def test_unverified_mentor_cannot_create_group_sessions():
    pending = MentorProfileFactory(pending=True).user
    with pytest.raises(ValidationError) as error:
        services.group_session_create(mentor=pending, data=group_data())
    assert error.value.code == "not_verified"


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_minutes", 20), ("duration_minutes", 200), ("capacity", 0), ("capacity", 51), ("price_paise", 50)],
)
def test_group_session_limits(field, value):
    mentor = MentorProfileFactory().user
    with pytest.raises(ValidationError) as error:
        services.group_session_create(mentor=mentor, data=group_data(**{field: value}))
    assert field in error.value.message_dict


def test_publishing_over_another_session_of_the_mentor_is_refused():
    mentor = MentorProfileFactory().user
    data = group_data()
    GroupSessionFactory(mentor=mentor, starts_at=data.starts_at, ends_at=data.starts_at + dt.timedelta(hours=1))
    draft = services.group_session_create(mentor=mentor, data=data)
    with pytest.raises(ValidationError) as error:
        services.group_session_publish(session=draft, actor=mentor)
    assert error.value.code == "mentor_busy"


def test_free_seat_is_confirmed_at_once():
    session = GroupSessionFactory()
    booking = services.booking_hold_group_seat(student=student_with_profile(), session=session)
    assert booking.status == Booking.Status.CONFIRMED


def test_paid_seat_is_held_for_payment(settings):
    session = GroupSessionFactory(price_paise=49_900)
    booking = services.booking_hold_group_seat(student=student_with_profile(), session=session)
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.price_paise == 49_900


def test_a_student_cannot_take_two_seats():
    session = GroupSessionFactory()
    student = student_with_profile()
    services.booking_hold_group_seat(student=student, session=session)
    with pytest.raises(ValidationError) as error:
        services.booking_hold_group_seat(student=student, session=session)
    assert error.value.code == "already_booked"


def test_full_session_refuses_and_offers_the_waitlist():
    session = GroupSessionFactory(capacity=1)
    BookingFactory(session=session)
    late = student_with_profile()
    with pytest.raises(ValidationError) as error:
        services.booking_hold_group_seat(student=late, session=session)
    assert error.value.code == "full"
    entry = services.waitlist_join(student=late, session=session)
    assert entry.status == WaitlistEntry.Status.WAITING


def test_waitlist_is_only_for_full_sessions():
    with pytest.raises(ValidationError) as error:
        services.waitlist_join(student=student_with_profile(), session=GroupSessionFactory(capacity=5))
    assert error.value.code == "not_full"


def test_freed_paid_seat_is_offered_to_the_longest_waiting_student_with_time_to_pay(committed, mailoutbox):
    session = GroupSessionFactory(capacity=1, price_paise=30_000)
    holder = BookingFactory(session=session)
    first, second = student_with_profile(), student_with_profile()
    services.waitlist_join(student=first, session=session)
    services.waitlist_join(student=second, session=session)

    with committed():
        services.booking_cancel(booking=holder, actor=holder.student)

    offer = Booking.objects.get(session=session, student=first)
    assert offer.status == Booking.Status.PENDING_PAYMENT
    assert offer.hold_expires_at >= timezone.now() + dt.timedelta(hours=1, minutes=59)
    assert WaitlistEntry.objects.get(student=first).status == WaitlistEntry.Status.OFFERED
    assert WaitlistEntry.objects.get(student=second).status == WaitlistEntry.Status.WAITING
    (offer_mail,) = [message for message in mailoutbox if message.to == [first.email]]
    assert session.title in offer_mail.subject
    assert not [message for message in mailoutbox if message.to == [second.email]]


KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def _ist(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA)


@pytest.mark.parametrize(
    ("offered", "lapses"),
    [
        ((1, 12), (11, 0)),  # at night: two hours of the next morning, not 03:12 while asleep
        ((10, 0), (12, 0)),  # in the day: two hours
        ((20, 30), (10, 30)),  # late evening: half an hour tonight and an hour and a half tomorrow morning
    ],
)
def test_waitlist_offer_lasts_two_daytime_hours_in_the_students_zone(offered, lapses):
    day = dt.date(2026, 12, 5)
    deadline = policy.waitlist_offer_deadline(
        now=_ist(day, *offered), starts_at=_ist(day, 0) + dt.timedelta(days=7), time_zone=KOLKATA
    )
    expected_day = day if lapses > offered else day + dt.timedelta(days=1)
    assert deadline == _ist(expected_day, *lapses)


def test_waitlist_offer_never_lasts_past_the_sessions_start():
    now = _ist(dt.date(2026, 12, 5), 1, 12)
    assert policy.waitlist_offer_deadline(now=now, starts_at=now + dt.timedelta(hours=5), time_zone=KOLKATA) == (
        now + dt.timedelta(hours=5)
    )


def test_seat_freed_at_night_is_held_for_the_student_into_their_morning(committed):
    night = _ist(timezone.localdate() + dt.timedelta(days=1), 1, 12)
    session = GroupSessionFactory(capacity=1, price_paise=30_000, starts_at=night + dt.timedelta(days=2),
                                  ends_at=night + dt.timedelta(days=2, hours=1))
    holder = BookingFactory(session=session)
    waiting = student_with_profile()
    waiting.time_zone = "Asia/Kolkata"
    waiting.save(update_fields=["time_zone"])
    services.waitlist_join(student=waiting, session=session)

    with time_machine.travel(night, tick=False), committed():
        services.booking_cancel(booking=holder, actor=holder.student)

    offer = Booking.objects.get(session=session, student=waiting)
    assert offer.hold_expires_at == _ist(night.date(), 11, 0)


def test_lapsed_offer_moves_on_to_the_next_student(committed):
    session = GroupSessionFactory(capacity=1, price_paise=30_000)
    holder = BookingFactory(session=session)
    first, second = student_with_profile(), student_with_profile()
    services.waitlist_join(student=first, session=session)
    services.waitlist_join(student=second, session=session)
    with committed():
        services.booking_cancel(booking=holder, actor=holder.student)
    offer = Booking.objects.get(session=session, student=first)

    with committed():
        services.bookings_expire_holds(now=offer.hold_expires_at + dt.timedelta(seconds=1))

    assert WaitlistEntry.objects.get(student=first).status == WaitlistEntry.Status.LAPSED
    assert Booking.objects.get(session=session, student=second, status=Booking.Status.PENDING_PAYMENT)


def test_freed_free_seat_is_booked_for_the_waiting_student(committed):
    session = GroupSessionFactory(capacity=1)
    holder = BookingFactory(session=session)
    waiting = student_with_profile()
    services.waitlist_join(student=waiting, session=session)

    with committed():
        services.booking_cancel(booking=holder, actor=holder.student)

    assert Booking.objects.get(session=session, student=waiting).status == Booking.Status.CONFIRMED


def test_mentor_cannot_shrink_below_taken_seats_or_reprice_after_bookings():
    session = GroupSessionFactory(capacity=3, price_paise=10_000)
    BookingFactory(session=session)
    BookingFactory(session=session)
    data = group_data(starts_at=session.starts_at, duration_minutes=90, capacity=1, price_paise=10_000)
    with pytest.raises(ValidationError) as error:
        services.group_session_update(session=session, actor=session.mentor, data=data)
    assert "capacity" in error.value.message_dict
    data = group_data(starts_at=session.starts_at, duration_minutes=90, capacity=3, price_paise=20_000)
    with pytest.raises(ValidationError) as error:
        services.group_session_update(session=session, actor=session.mentor, data=data)
    assert "price_paise" in error.value.message_dict


def test_moving_a_scheduled_group_session_tells_every_student(committed, mailoutbox):
    session = GroupSessionFactory(capacity=3)
    bookings = [BookingFactory(session=session) for _ in range(2)]
    new_start = session.starts_at + dt.timedelta(days=1)

    with committed():
        services.group_session_update(
            session=session, actor=session.mentor, data=group_data(starts_at=new_start, capacity=3)
        )

    for booking in bookings:
        booking.refresh_from_db()
        assert booking.ics_sequence == 1
    recipients = {message.to[0] for message in mailoutbox}
    assert {b.student.email for b in bookings} | {session.mentor.email} <= recipients


def test_only_the_owner_edits_a_session():
    session = GroupSessionFactory()
    with pytest.raises(ValidationError):
        services.group_session_update(session=session, actor=UserFactory(), data=group_data())
