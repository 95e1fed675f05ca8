"""The demo marketplace's past for `manage.py seed_demo`: eight weeks of sessions replayed through the real services
with the clock set back (time-machine, a development dependency like the demo itself), so every row is one the
product would have written: students booked and paid in the offline checkout, the sessions were completed (which
releases escrow to the mentors in the ledger), students wrote reviews in the language of their session, mentors set
follow-up tasks and recorded milestones, and one mentor's weekly payout went out.

Idempotent: a mentor who already has a completed session keeps their history; the payout is once per ISO week.
Deterministic: a fixed random seed, so `make run` shows the same ratings every time."""

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_DOMAIN, demo_password, reviewer_email, reviewers_seed
from accounts.models import Language, PhoneVerification, User
from accounts.selectors import user_has_mfa
from mentors.models import MentorProfile
from mentors.services.stats import mentor_stats_refresh
from mentors.slots import next_open_slots
from payments.gateway import OfflineGateway, keys_configured
from payments.models import Payout
from payments.payouts import payout_details_require_mfa, payout_details_set, payouts_run_weekly
from payments.services import payment_verify_callback
from sessions_app import services
from sessions_app.models import Booking, Session
from sessions_app.room.feedback import follow_up_task_add, follow_up_task_set_done, milestone_record, review_submit
from sessions_app.selectors import common_languages
from sessions_app.services import GroupSessionData

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
RANDOM_SEED = 20260415
# How good each mentor's sessions are on average (the centre of their ratings) and how many past sessions they
# gave; mentors not named here have no history yet and are listed as new.
TRACK_RECORD = {
    "priya": (4.8, 4),
    "ravi": (4.7, 4),
    "lakshmi": (4.9, 3),
    "arjun": (4.4, 3),
    "ananya": (4.6, 3),
    "sneha": (4.5, 3),
    "karthik": (4.2, 3),
    "sravani": (4.8, 2),
    "rahul": (3.9, 4),
    "meera": (4.6, 3),
    "sourav": (3.6, 2),
    "aditi": (4.3, 2),
    "venkat": (4.9, 3),
    "neha": (4.1, 3),
    "divya": (4.7, 2),
    "suresh": (4.0, 2),
    "amit": (4.4, 2),
    "kavya": (4.8, 2),
    "vikram": (3.0, 2),
    "harika": (4.5, 2),
    "ishita": (4.3, 2),
    "deepak": (4.6, 2),
    "shwetha": (4.7, 2),
    "prakash": (4.2, 2),
    "swathi": (4.5, 2),
}
# The mentor whose weekly payout the demo shows, and where it goes.
PAYOUT_MENTOR = "ravi"
PAYOUT_PHONE = "+919000000201"

# What students wrote, by the session's language and the stars they gave (5, 4, 3, 2 and 1 share the last list).
COMMENTS = {
    "hi": {
        5: [
            "बहुत अच्छा सत्र! हर सवाल को धैर्य से समझाया और अगले दो हफ़्ते का प्लान भी बना दिया।",
            "कॉन्सेप्ट पहली बार में साफ़ हो गया। मॉक टेस्ट की रणनीति बहुत काम की है।",
            "दीदी ने बहुत आसान भाषा में पढ़ाया, अब डर नहीं लगता।",
        ],
        4: ["अच्छा सत्र था, बस थोड़ा और समय प्रैक्टिस प्रश्नों पर चाहिए था।", "काफ़ी मदद मिली, नोट्स भी शेयर किए।"],
        3: ["ठीक था। कुछ हिस्से बहुत जल्दी-जल्दी निकल गए।"],
        2: ["सत्र देर से शुरू हुआ और मेरे सवाल पूरे नहीं हो पाए।"],
    },
    "te": {
        5: [
            "చాలా బాగా వివరించారు! ప్రతి డౌట్‌ని ఓపికగా క్లియర్ చేశారు.",
            "రొటేషనల్ మోషన్ ఇప్పుడు పూర్తిగా అర్థమైంది. థాంక్యూ సార్!",
            "తెలుగులో చెప్పడం వల్ల కాన్సెప్ట్స్ సులభంగా అర్థమయ్యాయి.",
        ],
        4: ["మంచి సెషన్, ఇంకొన్ని ప్రాక్టీస్ ప్రశ్నలు ఉంటే ఇంకా బాగుండేది.", "ఉపయోగకరమైన టిప్స్ ఇచ్చారు."],
        3: ["పర్లేదు. కొన్ని టాపిక్స్ చాలా వేగంగా చెప్పారు."],
        2: ["నెట్‌వర్క్ సమస్య వల్ల సగం సెషన్ పోయింది, ఇంకా క్లారిటీ రాలేదు."],
    },
    "ta": {
        5: [
            "மிகவும் தெளிவாக விளக்கினார்கள். ஒவ்வொரு சந்தேகத்துக்கும் பொறுமையாக பதில் சொன்னார்கள்.",
            "தமிழில் சொன்னதால் கணக்குகள் எளிதாகப் புரிந்தது. நன்றி!",
        ],
        4: ["நல்ல அமர்வு, இன்னும் கொஞ்சம் பயிற்சி கேள்விகள் இருந்திருக்கலாம்."],
        3: ["பரவாயில்லை. சில பகுதிகள் மிக வேகமாகச் சென்றன."],
        2: ["அமர்வு தாமதமாகத் தொடங்கியது, என் கேள்விகளுக்கு நேரம் போதவில்லை."],
    },
    "bn": {
        5: [
            "খুব সুন্দর করে বুঝিয়েছেন। প্রতিটা প্রশ্নের উত্তর ধৈর্য ধরে দিয়েছেন।",
            "বাংলায় বোঝানোয় কঠিন বিষয়ও সহজ লাগল। অনেক ধন্যবাদ!",
        ],
        4: ["ভালো সেশন, আরও কিছু প্র্যাকটিস প্রশ্ন থাকলে ভালো হত।"],
        3: ["মোটামুটি। কিছু অংশ খুব তাড়াতাড়ি হয়ে গেল।"],
        2: ["সেশন দেরিতে শুরু হয়েছে, আমার প্রশ্নগুলোর উত্তর পাইনি।"],
    },
    "mr": {
        5: [
            "खूप छान समजावून सांगितलं! प्रत्येक शंका शांतपणे सोडवली.",
            "मराठीत समजावल्यामुळे अकाउंट्स सोपं वाटलं. धन्यवाद ताई!",
        ],
        4: ["चांगलं सत्र होतं, अजून थोडे सरावाचे प्रश्न हवे होते."],
        3: ["ठीक होतं. काही भाग खूप घाईत झाले."],
        2: ["सत्र उशिरा सुरू झालं आणि माझे प्रश्न राहून गेले."],
    },
    "kn": {
        5: [
            "ತುಂಬಾ ಚೆನ್ನಾಗಿ ವಿವರಿಸಿದರು! ಪ್ರತಿಯೊಂದು ಸಂದೇಹವನ್ನೂ ತಾಳ್ಮೆಯಿಂದ ಬಗೆಹರಿಸಿದರು.",
            "ಕನ್ನಡದಲ್ಲಿ ಹೇಳಿದ್ದರಿಂದ ಕಾನ್ಸೆಪ್ಟ್‌ಗಳು ಸುಲಭವಾಗಿ ಅರ್ಥವಾದವು. ಧನ್ಯವಾದಗಳು!",
        ],
        4: ["ಒಳ್ಳೆಯ ಸೆಷನ್, ಇನ್ನೂ ಕೆಲವು ಅಭ್ಯಾಸದ ಪ್ರಶ್ನೆಗಳಿದ್ದರೆ ಚೆನ್ನಾಗಿತ್ತು."],
        3: ["ಪರವಾಗಿಲ್ಲ. ಕೆಲವು ಭಾಗಗಳು ತುಂಬಾ ವೇಗವಾಗಿ ಹೋದವು."],
        2: ["ಸೆಷನ್ ತಡವಾಗಿ ಶುರುವಾಯಿತು, ನನ್ನ ಪ್ರಶ್ನೆಗಳಿಗೆ ಸಮಯ ಸಾಕಾಗಲಿಲ್ಲ."],
    },
    "en": {
        5: [
            "Explained everything patiently and gave me a clear two-week plan. Worth every rupee.",
            "The mock interview was exactly what I needed. Very practical feedback.",
            "Super clear on concepts and honest about what to skip. Booking again!",
        ],
        4: ["Helpful session with good resources; I wish we had more time for practice questions.", ""],
        3: ["Decent, but a few topics were rushed."],
        2: ["Started late and my main question was not really answered."],
    },
}
# Follow-up tasks and milestones for the two demo students' past sessions.
PAST_WITH_DEMO_STUDENTS = (
    # student, mentor, days ago, rating, review, follow-up tasks (title, due in days from today, done),
    # milestones (recorded by, kind, title, notes, days ago)
    (
        "student.school",
        "ravi",
        16,
        5,
        "సార్ చాలా బాగా చెప్పారు, టార్క్ ఇప్పుడు పూర్తిగా అర్థమైంది!",
        (("Solve HC Verma chapter 10 exercises 1–20", -9, True), ("Revise moment of inertia formulas", 4, False)),
        (
            ("mentor", "academic", "Finished rotational motion", "Scored 18/20 in the chapter test.", 15),
            ("student", "exam", "Pre-board physics mock: 61/70", "Up from 48 in the first mock.", 5),
        ),
    ),
    (
        "student.college",
        "divya",
        12,
        5,
        "इंटरव्यू की तैयारी का पूरा रोडमैप मिल गया। बहुत धन्यवाद!",
        (("Solve 30 array and string problems", -4, True), ("Rewrite résumé with project impact", 6, False)),
        (
            ("mentor", "career", "Résumé reviewed for placements", "Projects now lead the résumé, with numbers.", 11),
            ("student", "skill", "100 DSA problems solved", "Arrays, strings, two pointers and hashing.", 2),
        ),
    ),
)
# Past group sessions: mentor, title, language, days ago, hour (IST), minutes, seats, price (₹), attendees
PAST_GROUP_SESSIONS = (
    ("priya", "NEET Biology: human physiology marathon", "hi", 20, 18, 120, 40, 0, 9),
    ("venkat", "GATE CSE: a six-month plan that works", "en", 9, 19, 90, 25, 150, 7),
)


@contextmanager
def _clock_at(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def _mentor(first: str) -> MentorProfile | None:
    return MentorProfile.objects.select_related("user").filter(user__email=f"mentor.{first}@{DEMO_DOMAIN}").first()


def _language(student: User, mentor: User) -> Language | None:
    """The student's own language when the mentor speaks it, else the mentor's, else another they share."""
    shared = {language.code: language for language in common_languages(student, mentor)}
    own = [language.code for language in (student.primary_language, mentor.primary_language) if language is not None]
    for code in (*own, *shared):
        if code in shared:
            return shared[code]
    return None


def _pay_offline(booking: Booking) -> None:
    payment = services.booking_start_payment(booking=booking)
    result = OfflineGateway().simulate_checkout(order_id=payment.razorpay_order_id, succeed=True)
    payment_verify_callback(payment=payment, **result)


def _book_past(student: User, mentor: MentorProfile, *, at: dt.datetime, real_now: dt.datetime) -> Booking | None:
    """Book and pay for the mentor's first open slot after `at`, as the student would have done that day; None if
    that slot had not ended well before now or the student could not take it."""
    language = _language(student, mentor.user)
    duration = 60 if 60 in mentor.offered_durations else min(mentor.offered_durations)
    session_type = "career_counselling" if "college" in mentor.levels_served else "exam_preparation"
    if language is None:
        return None
    try:
        with _clock_at(at), transaction.atomic():
            slots = next_open_slots(mentor, 1, duration_minutes=duration)
            if not slots or slots[0].end > real_now - dt.timedelta(days=1):
                return None
            booking = services.booking_hold_one_to_one(
                student=student,
                mentor=mentor,
                starts_at=slots[0].start,
                duration_minutes=duration,
                session_type=session_type,
                language=language,
                questionnaire=services.Questionnaire(purpose=f"Help with {mentor.specializations[0]}"),
            )
            if booking.status == Booking.Status.PENDING_PAYMENT:
                _pay_offline(booking)
    except ValidationError:
        return None
    booking.refresh_from_db()
    return booking if booking.status == Booking.Status.CONFIRMED else None


def _complete(session: Session) -> None:
    with _clock_at(session.ends_at + dt.timedelta(minutes=3)):
        services.session_complete(session=session, actor=session.mentor)


def _review(booking: Booking, rng: random.Random, *, rating: int, comment: str | None = None) -> None:
    session = booking.session
    if comment is None:
        by_rating = COMMENTS.get(session.language.code, COMMENTS["en"])
        comment = rng.choice(by_rating[max(2, rating)])
    with _clock_at(session.ends_at + dt.timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))):
        fresh = Booking.objects.get(pk=booking.pk)
        review_submit(booking=fresh, student=booking.student, rating=rating, comment=comment)


def _rating(rng: random.Random, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.8))))


def _speakers(students: list[User], mentor: User) -> list[User]:
    """The students who share a language with the mentor, those speaking the mentor's own language first."""
    own = [s for s in students if mentor.primary_language in [s.primary_language, *s.languages.all()]]
    others = [s for s in students if s not in own and common_languages(s, mentor)]
    return own + others


def _mentor_history(mentor: MentorProfile, students: list[User], rng, *, real_now: dt.datetime) -> int:
    centre, count = TRACK_RECORD[mentor.user.email.split("@")[0].removeprefix("mentor.")]
    speakers = _speakers(students, mentor.user)
    made = 0
    for days_ago in sorted(rng.sample(range(3, 56), count), reverse=True):
        student = speakers[made % len(speakers)] if rng.random() < 0.7 else rng.choice(speakers)
        at = real_now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))
        booking = _book_past(student, mentor, at=at, real_now=real_now)
        if booking is None:
            continue
        _complete(booking.session)
        if rng.random() < 0.85:  # most students leave a review
            _review(booking, rng, rating=_rating(rng, centre))
        made += 1
    return made


def _demo_student_sessions(rng, *, real_now: dt.datetime) -> int:
    made = 0
    for local, first, days_ago, rating, comment, tasks, milestones in PAST_WITH_DEMO_STUDENTS:
        student = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        mentor = _mentor(first)
        if student is None or mentor is None:
            continue
        if Booking.objects.filter(student=student, session__mentor=mentor.user, status=Booking.Status.COMPLETED):
            continue
        booking = _book_past(student, mentor, at=real_now - dt.timedelta(days=days_ago), real_now=real_now)
        if booking is None:
            continue
        session = booking.session
        _complete(session)
        _review(booking, rng, rating=rating, comment=comment)
        with _clock_at(session.ends_at + dt.timedelta(minutes=10)):
            for title, due_in_days, done in tasks:
                task = follow_up_task_add(
                    session=session,
                    mentor=mentor.user,
                    student_id=student.pk,
                    title=title,
                    due_on=timezone.localdate(real_now) + dt.timedelta(days=due_in_days),
                )
                if done:
                    follow_up_task_set_done(task=task, student=student, done=True)
        for recorder, kind, title, notes, achieved_days_ago in milestones:
            achieved_at = real_now - dt.timedelta(days=achieved_days_ago)
            achieved_on = timezone.localdate(achieved_at)
            recorded_at = max(session.ends_at + dt.timedelta(minutes=20), achieved_at)
            with _clock_at(recorded_at):
                milestone_record(
                    student=student,
                    recorded_by=mentor.user if recorder == "mentor" else student,
                    kind=kind,
                    title=title,
                    notes=notes,
                    achieved_on=achieved_on,
                    session=session if recorder == "mentor" else None,
                )
        made += 1
    return made


def _past_group_session(spec: tuple, students: list[User], rng, *, real_now: dt.datetime) -> int:
    first, title, code, days_ago, hour, minutes, seats, rupees, attendees = spec
    mentor = _mentor(first)
    if mentor is None or Session.objects.filter(mentor=mentor.user, title=title).exists():
        return 0
    language = Language.objects.get(code=code)
    day = timezone.localdate(real_now) - dt.timedelta(days=days_ago)
    starts_at = dt.datetime.combine(day, dt.time(hour), tzinfo=KOLKATA)
    with _clock_at(starts_at - dt.timedelta(days=12)):
        session = services.group_session_create(
            mentor=mentor.user,
            data=GroupSessionData(
                title=title,
                description="A live group session with questions from everyone; slides shared afterwards.",
                category="competitive_exams",
                session_type="exam_preparation",
                skills="",
                language=language,
                starts_at=starts_at,
                duration_minutes=minutes,
                time_zone="Asia/Kolkata",
                capacity=seats,
                price_paise=rupees * 100,
            ),
        )
        session = services.group_session_publish(session=session, actor=mentor.user)
    speakers = [s for s in students if language in [s.primary_language, *s.languages.all()]][:attendees]
    bookings = []
    for index, student in enumerate(speakers):
        with _clock_at(starts_at - dt.timedelta(days=10 - index, hours=rng.randint(1, 12))), transaction.atomic():
            booking = services.booking_hold_group_seat(student=student, session=session)
            if booking.status == Booking.Status.PENDING_PAYMENT:
                _pay_offline(booking)
        bookings.append(booking)
    _complete(session)
    for booking in bookings:
        if rng.random() < 0.7:
            _review(booking, rng, rating=_rating(rng, 4.6))
    return 1


def _payout(*, real_now: dt.datetime) -> str:
    """Payout details for one mentor (two-factor sign-in first when the site requires it), then last week's run."""
    mentor = _mentor(PAYOUT_MENTOR)
    if mentor is None or Payout.objects.filter(mentor=mentor.user).exists():
        return ""
    user = mentor.user
    secret = ""
    if payout_details_require_mfa() and not user_has_mfa(user):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    user.phone = PAYOUT_PHONE
    user.save(update_fields=["phone", "updated_at"])
    # Demo mentors have no phone to receive a code: the number is recorded as verified, as for demo guardians.
    PhoneVerification.objects.create(
        user=user, phone=PAYOUT_PHONE, code_hash="demo", expires_at=real_now, verified_at=real_now
    )
    payout_details_set(mentor=user, account_holder_name=user.full_name, upi_id=f"{PAYOUT_MENTOR}.teja@okaxis")
    with _clock_at(real_now - dt.timedelta(days=6)):
        payouts_run_weekly()
    return secret


def seed(*, stdout: TextIO) -> None:
    # It moves the process clock: never anywhere near real users, even when called without `seed_demo`'s own check.
    if settings.IS_PRODUCTION:
        raise RuntimeError("The demo history never runs with production settings.")
    if keys_configured():
        stdout.write("Past sessions: skipped (Razorpay keys are set, and the history is paid in the test checkout).\n")
        return
    real_now = timezone.now()
    rng = random.Random(RANDOM_SEED)
    with _clock_at(real_now - dt.timedelta(days=90)):
        seeded = reviewers_seed(password_hash=make_password(demo_password()))
    students = list(
        User.objects.filter(pk__in=[student.pk for student in seeded])
        .select_related("primary_language", "student_profile")
        .prefetch_related("languages")
        .order_by("pk")
    )
    school = User.objects.filter(email=f"student.school@{DEMO_DOMAIN}").first()
    college = User.objects.filter(email=f"student.college@{DEMO_DOMAIN}").first()
    demo_students = [student for student in (college, school) if student is not None]
    # Each mentor's own history first: a mentor with any completed session already has one (idempotency).
    made = 0
    for first in TRACK_RECORD:
        mentor = _mentor(first)
        if mentor is None or Session.objects.filter(mentor=mentor.user, status=Session.Status.COMPLETED).exists():
            continue
        made += _mentor_history(mentor, students, rng, real_now=real_now)
    made += _demo_student_sessions(rng, real_now=real_now)
    groups = sum(
        _past_group_session(spec, [*demo_students, *students], rng, real_now=real_now) for spec in PAST_GROUP_SESSIONS
    )
    for mentor_id in MentorProfile.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").values_list("pk", flat=True):
        # The stats task runs in the worker, which may not be up yet; the listing's search index is built next.
        mentor_stats_refresh(mentor_id=mentor_id)
    secret = _payout(real_now=real_now)
    stdout.write(f"Past sessions: {made} new 1:1 sessions and {groups} group sessions, with reviews.\n")
    stdout.write(f"  {reviewer_email('aarav')} and {len(students) - 1} more students wrote reviews.\n")
    if secret:
        stdout.write(f"  mentor.{PAYOUT_MENTOR}@{DEMO_DOMAIN} has earnings and a payout; two-factor secret: {secret}\n")
