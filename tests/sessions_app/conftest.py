import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Booking
from tests.factories import language, mentor_with_weekly_hours, student_with_profile

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def local_slot(*, days: int = 2, hour: int = 10, minute: int = 0, now: dt.datetime | None = None) -> dt.datetime:
    """A slot start `days` ahead at `hour`:`minute` in Kolkata (where the test mentor's hours are), in UTC."""
    day = (now or timezone.now()).astimezone(KOLKATA).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA).astimezone(dt.UTC)


@pytest.fixture
def mentor(db):
    """An approved mentor open 09:00–17:00 Kolkata every day, ₹1,200 an hour, speaking Hindi and English."""
    return mentor_with_weekly_hours()


@pytest.fixture
def student(db):
    return student_with_profile(languages=("hi", "en"))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the code inside defers to after commit (tasks, emails, refunds) at its end,
    as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def hold_slot(mentor, committed):
    """Hold a 1:1 slot for a student through the service (paid unless the mentor is free)."""

    def hold(student, *, starts_at: dt.datetime | None = None, duration: int = 60, now=None, **kwargs) -> Booking:
        with committed():
            return services.booking_hold_one_to_one(
                student=student,
                mentor=kwargs.pop("mentor", mentor),
                starts_at=starts_at or local_slot(),
                duration_minutes=duration,
                session_type=kwargs.pop("session_type", "career_counselling"),
                language=kwargs.pop("language", language("hi")),
                questionnaire=services.Questionnaire(purpose="Choosing an engineering branch"),
                now=now,
            )

    return hold


@pytest.fixture
def paid_booking(hold_slot, student, razorpay_keys, committed):
    """A confirmed 1:1 booking paid through the fake Razorpay checkout (₹1,200 for an hour)."""
    from payments.services import payment_verify_callback

    def make(*, student=student, starts_at=None, now=None) -> Booking:
        booking = hold_slot(student, starts_at=starts_at, now=now)
        payment = services.booking_start_payment(booking=booking, now=now)
        with committed():
            payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        return booking

    return make
