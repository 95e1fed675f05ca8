"""Many students at once, each on its own PostgreSQL connection (one thread each), racing for the same place."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from sessions_app import services
from sessions_app.models import Booking, SentReminder, Session
from tests.factories import BookingFactory, GroupSessionFactory, language, student_with_profile
from tests.sessions_app.conftest import local_slot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def race(attempts: list) -> Counter:
    """Run every attempt in its own thread, released together; count outcomes ("ok" or the error code)."""
    barrier = threading.Barrier(len(attempts))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(attempt) -> None:
        try:
            barrier.wait(timeout=30)
            attempt()
            outcome = "ok"
        except ValidationError as exc:
            outcome = exc.code
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_students_racing_for_one_slot_leave_exactly_one_hold(mentor):
    students = [student_with_profile(languages=("hi", "en")) for _ in range(50)]
    start = local_slot(days=3, hour=11)
    hindi = language("hi")

    def attempt_for(student):
        return lambda: services.booking_hold_one_to_one(
            student=student,
            mentor=mentor,
            starts_at=start,
            duration_minutes=60,
            session_type="academic_guidance",
            language=hindi,
            questionnaire=services.Questionnaire(purpose="Board exam plan"),
        )

    outcomes = race([attempt_for(student) for student in students])

    assert outcomes == Counter({"ok": 1, "slot_taken": 49})
    held = Booking.objects.filter(session__mentor=mentor.user, status__in=Booking.ACTIVE_STATUSES)
    assert held.count() == 1
    occupying = Session.objects.filter(mentor=mentor.user).exclude(status=Session.Status.CANCELLED)
    assert list(occupying.values_list("starts_at", flat=True)) == [start]


def test_sixty_students_racing_for_fifty_seats_get_exactly_fifty():
    session = GroupSessionFactory(capacity=50, price_paise=0)
    students = [student_with_profile(languages=("en",)) for _ in range(60)]

    outcomes = race(
        [
            lambda student=student: services.booking_hold_group_seat(student=student, session=session)
            for student in students
        ]
    )

    assert outcomes == Counter({"ok": 50, "full": 10})
    assert session.bookings.filter(status=Booking.Status.CONFIRMED).count() == 50


def test_two_schedulers_sending_reminders_at_once_send_each_once(mailoutbox):
    session = GroupSessionFactory(capacity=10)
    for _ in range(3):
        BookingFactory(session=session, confirmed_at=session.starts_at - dt.timedelta(days=2))
    sent: list[int] = []

    def run_scheduler() -> None:
        sent.append(services.reminders_send_due())

    # time-machine moves the clock of the whole process, every thread included.
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=30), tick=False):
        outcomes = race([run_scheduler] * 4)

    assert outcomes == Counter({"ok": 4})
    assert sum(sent) == 4  # three students and the mentor, once each
    assert SentReminder.objects.filter(session=session, kind="1h").count() == 4
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [session.mentor.email, *session.bookings.values_list("student__email", flat=True)]
    )
