"""Demo sessions for `manage.py seed_demo`: published group sessions (free, paid, one full with a waitlist) and
bookings for the demo students, one of them a paid 1:1 paid through the offline test checkout. Idempotent: what
exists (by title, or by the student's booking with that mentor) is left alone."""

import datetime as dt
import zoneinfo
from typing import TextIO

from django.utils import timezone

from accounts.demo import REVIEWERS, reviewer_email
from accounts.models import Language, User
from mentors.models import MentorProfile
from mentors.slots import next_open_slots
from payments.gateway import OfflineGateway, keys_configured
from payments.services import payment_verify_callback
from sessions_app import services
from sessions_app.models import Booking, Session

DEMO_DOMAIN = "demo.peerlearn.test"
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")

# mentor, title, category, type, language, days ahead, hour (IST), minutes, seats, price (₹), description
GROUP_SESSIONS = (
    ("priya", "NEET Biology: genetics in one evening", "competitive_exams", "exam_preparation", "hi", 3, 19, 90, 30, 0,
     "Mendel to molecular genetics, with twenty past NEET questions solved live."),
    ("ravi", "JEE Physics: rotational motion drill", "competitive_exams", "exam_preparation", "te", 5, 18, 120, 20, 200,
     "Torque, angular momentum and rolling, from basics to JEE Advanced level problems."),
    ("meera", "Choosing a stream after class 10", "careers", "career_counselling", "en", 4, 17, 60, 50, 0,
     "Science, commerce or humanities? How to decide, what each leads to, and questions from parents welcome."),
    ("arjun", "Your first machine learning project", "computer_science", "academic_guidance", "en", 6, 18, 90, 2, 300,
     "Pick a dataset, clean it, train a model and explain it: a small hands-on group."),
)


def _user(local_part: str) -> User | None:
    return User.objects.filter(email=f"{local_part}@{DEMO_DOMAIN}").first()


def _mentor(first: str) -> MentorProfile | None:
    return MentorProfile.objects.select_related("user").filter(user__email=f"mentor.{first}@{DEMO_DOMAIN}").first()


def _group_session(spec: tuple, now: dt.datetime) -> Session | None:
    first, title, category, session_type, code, days, hour, minutes, seats, rupees, description = spec
    mentor = _mentor(first)
    if mentor is None:
        return None
    existing = Session.objects.filter(mentor=mentor.user, title=title).first()
    if existing is not None:
        return existing
    day = now.astimezone(KOLKATA).date() + dt.timedelta(days=days)
    session = services.group_session_create(
        mentor=mentor.user,
        data=services.GroupSessionData(
            title=title,
            description=description,
            category=category,
            session_type=session_type,
            skills="",
            language=Language.objects.get(code=code),
            starts_at=dt.datetime.combine(day, dt.time(hour), tzinfo=KOLKATA),
            duration_minutes=minutes,
            time_zone="Asia/Kolkata",
            capacity=seats,
            price_paise=rupees * 100,
        ),
        now=now,
    )
    return services.group_session_publish(session=session, actor=mentor.user, now=now)


def _pay_offline(booking: Booking) -> None:
    """Pay a held booking as a student would in the test checkout (only when no Razorpay keys are set)."""
    payment = services.booking_start_payment(booking=booking)
    result = OfflineGateway().simulate_checkout(order_id=payment.razorpay_order_id, succeed=True)
    payment_verify_callback(payment=payment, **result)


def _one_to_one(student: User, mentor: MentorProfile, now: dt.datetime) -> Booking | None:
    if Booking.objects.filter(student=student, session__mentor=mentor.user).exists():
        return None
    duration = 60 if 60 in mentor.offered_durations else min(mentor.offered_durations)
    slots = next_open_slots(mentor, 1, now=now + dt.timedelta(days=2), duration_minutes=duration)
    if not slots:
        return None
    language = student.primary_language or mentor.user.primary_language
    booking = services.booking_hold_one_to_one(
        student=student,
        mentor=mentor,
        starts_at=slots[0].start,
        duration_minutes=duration,
        session_type="career_counselling",
        language=language,
        questionnaire=services.Questionnaire(
            purpose="Plan my preparation for campus placements",
            specific_questions="Which projects should I show? How many DSA problems are enough?",
            current_challenges="I freeze in technical interviews.",
            expected_outcomes="A 3-month plan.",
        ),
        now=now,
    )
    if booking.status == Booking.Status.PENDING_PAYMENT:
        _pay_offline(booking)
    return booking


def _fill_seats(sessions: list[Session], now: dt.datetime) -> int:
    """Other students who speak a session's language take seats in it (paying in the test checkout), so upcoming
    sessions show seats taken; the small full one is left to the demo students."""
    students = list(
        User.objects.filter(email__in=[reviewer_email(spec[0]) for spec in REVIEWERS])
        .select_related("primary_language")
        .prefetch_related("languages")
        .order_by("pk")
    )
    booked = 0
    for session in sessions:
        if session.capacity <= 2 or (session.price_paise and keys_configured()):
            continue
        speakers = [s for s in students if session.language in [s.primary_language, *s.languages.all()]]
        for student in speakers[: session.capacity // 3]:
            if session.bookings.filter(student=student).exists():
                continue
            booking = services.booking_hold_group_seat(student=student, session=session, now=now)
            if booking.status == Booking.Status.PENDING_PAYMENT:
                _pay_offline(booking)
            booked += 1
    return booked


def seed(*, stdout: TextIO) -> None:
    now = timezone.now()
    sessions = [session for spec in GROUP_SESSIONS if (session := _group_session(spec, now)) is not None]
    college, school = _user("student.college"), _user("student.school")
    booked = 0
    by_title = {session.title: session for session in sessions}
    free_session = by_title.get("NEET Biology: genetics in one evening")
    full_session = by_title.get("Your first machine learning project")
    for student, session in ((college, free_session), (school, by_title.get("Choosing a stream after class 10"))):
        if student and session and not session.bookings.filter(student=student).exists():
            services.booking_hold_group_seat(student=student, session=session, now=now)
            booked += 1
    if full_session is not None and not keys_configured():
        # Fill the small paid session so the waitlist can be tried; the demo students join it if they like.
        for student in (college, school):
            if student and not full_session.bookings.filter(student=student).exists():
                _pay_offline(services.booking_hold_group_seat(student=student, session=full_session, now=now))
                booked += 1
    booked += _fill_seats(sessions, now)
    rahul = _mentor("rahul")
    if college and rahul and not keys_configured() and _one_to_one(college, rahul, now):
        booked += 1
    stdout.write(f"Sessions: {len(sessions)} group sessions, {booked} new bookings.\n")
