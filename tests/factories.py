"""Factories shared by every test module. Each app's section keeps to its own models."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Language, User

DEFAULT_PASSWORD = "Str0ng!Passw0rd"


def language(code: str) -> Language:
    """The seeded language (the data migration creates them; transactional tests flush and need them back)."""
    from accounts.languages import INITIAL_LANGUAGES

    for lang_code, name, native_name, region, is_active, sort_order in INITIAL_LANGUAGES:
        if lang_code == code:
            found, _created = Language.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "native_name": native_name,
                    "region": region,
                    "is_active": is_active,
                    "sort_order": sort_order,
                },
            )
            return found
    raise LookupError(code)


# --- accounts ----------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="en_IN")
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365 * 20))
    city = "Hyderabad"
    state = "Telangana"
    country = "India"
    time_zone = "Asia/Kolkata"
    role = User.Role.STUDENT

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        """Mark the address verified (allauth's EmailAddress), as after clicking the link; pass False to skip."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


def birth_date_for_age(years: int) -> dt.date:
    """A date of birth making someone `years` old today (and not on their birthday)."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - dt.timedelta(days=40)


class StudentProfileFactory(factory.django.DjangoModelFactory):
    """A class 10 CBSE school student who has finished onboarding; `college=True` or `in_progress=True` vary it."""

    class Meta:
        model = "accounts.StudentProfile"

    user = factory.SubFactory(UserFactory, phone="+919876543210")
    academic_level = "school"
    school_name = "Kendriya Vidyalaya"
    board = "cbse"
    class_grade = 10
    subjects = factory.LazyFunction(lambda: ["Mathematics", "Science", "English"])
    industries = factory.LazyFunction(lambda: ["technology"])
    career_timeline = "1_year"
    interests = factory.LazyFunction(lambda: ["Robotics"])
    challenges = factory.LazyFunction(lambda: ["exam_preparation"])
    onboarding_step = 7
    onboarding_completed_at = factory.LazyFunction(timezone.now)

    class Params:
        college = factory.Trait(
            academic_level="college",
            school_name="",
            board="",
            class_grade=None,
            subjects=[],
            university="Osmania University",
            degree="B.Tech",
            major="Computer Science",
            semester=3,
            cgpa=Decimal("8.20"),
        )
        in_progress = factory.Trait(
            onboarding_step=1,
            onboarding_completed_at=None,
            academic_level="",
            school_name="",
            board="",
            class_grade=None,
            subjects=[],
            industries=[],
            career_timeline="",
            interests=[],
            challenges=[],
        )


def phone_verified(user, phone: str) -> None:
    """Record ``phone`` as already proved by ``user`` (the code flow itself is tested through the SMS)."""
    from accounts.models import PhoneVerification

    now = timezone.now()
    PhoneVerification.objects.create(user=user, phone=phone, code_hash="-", expires_at=now, verified_at=now)


class GuardianConsentFactory(factory.django.DjangoModelFactory):
    """A pending consent request for a 15-year-old; `granted=True` for one the guardian has given."""

    class Meta:
        model = "accounts.GuardianConsent"

    student = factory.SubFactory(UserFactory, date_of_birth=factory.LazyFunction(lambda: birth_date_for_age(15)))
    guardian_name = "Lakshmi Reddy"
    guardian_email = factory.Sequence(lambda n: f"guardian{n}@example.test")
    guardian_phone = factory.Sequence(lambda n: f"+9197{n % 100_000_000:08d}")
    relationship = "mother"
    status = "pending"
    last_sent_at = factory.LazyFunction(timezone.now)

    class Params:
        granted = factory.Trait(
            status="granted",
            granted_at=factory.LazyFunction(timezone.now),
            granted_ip="127.0.0.1",
            granted_user_agent="pytest",
            text_version="test",
        )


# --- mentors -----------------------------------------------------------------------------------


class MentorUserFactory(UserFactory):
    phone = factory.Sequence(lambda n: f"+9190000{n:05d}")

    @factory.post_generation
    def phone_verified(obj, create, extracted, **kwargs):  # noqa: N805
        """Mentors prove their number by SMS before payout details (pass False to skip)."""
        if create and extracted is not False:
            from accounts.models import PhoneVerification

            PhoneVerification.objects.create(
                user=obj, phone=obj.phone, code_hash="-", expires_at=timezone.now(), verified_at=timezone.now()
            )

    role = User.Role.MENTOR
    time_zone = "Asia/Kolkata"
    # Hindi-speaking by default, but reading the site in English so tests can assert English texts.
    ui_language = "en"

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):  # noqa: N805
        """Language codes the mentor speaks; the first is the primary language (default Hindi and English)."""
        if not create:
            return
        codes = list(extracted) if extracted else ["hi", "en"]
        obj.primary_language = language(codes[0])
        obj.save(update_fields=["primary_language"])
        obj.languages.set([language(code) for code in codes])


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """An approved, active mentor offering 30 / 60 / 90 minutes at ₹1,200 an hour, with no availability yet."""

    class Meta:
        model = "mentors.MentorProfile"

    user = factory.SubFactory(MentorUserFactory)
    slug = factory.Sequence(lambda n: f"mentor-{n}")
    title = "Senior Software Engineer"
    university = "IIT Hyderabad"
    company = "Infosys"
    years_experience = 8
    bio = "I help students prepare for engineering entrance exams and plan their careers."
    expertise_areas = factory.LazyFunction(lambda: ["Software Engineering"])
    specializations = factory.LazyFunction(lambda: ["JEE Physics"])
    industry_focus = factory.LazyFunction(lambda: ["Technology"])
    subjects = factory.LazyFunction(lambda: ["Physics", "Mathematics"])
    skills = factory.LazyFunction(lambda: ["Python", "Problem solving"])
    levels_served = factory.LazyFunction(lambda: ["school", "college"])
    hourly_rate_paise = 120_000
    verification_status = "approved"
    is_active = True
    submitted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    approved_at = factory.LazyFunction(timezone.now)
    minimum_notice_hours = 0
    booking_horizon_days = 60
    offered_durations = factory.LazyFunction(lambda: [30, 60, 90])

    class Params:
        pending = factory.Trait(verification_status="pending", approved_at=None)


def mentor_with_weekly_hours(
    *, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6), start: str = "09:00", end: str = "17:00", **profile_fields
):
    """An approved mentor open `start`–`end` (wall clock in the mentor's zone) on the given weekdays (Monday=0)."""
    from mentors.models import AvailabilityRule

    mentor = MentorProfileFactory(**profile_fields)
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            mentor=mentor,
            weekday=weekday,
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
        )
        for weekday in weekdays
    )
    return mentor


class AvailabilityOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentors.AvailabilityOverride"

    mentor = factory.SubFactory(MentorProfileFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
    kind = "blocked"
    start_time = None
    end_time = None


SAMPLE_PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _sample_pdf():
    from django.core.files.base import ContentFile

    return ContentFile(SAMPLE_PDF_BYTES, name="document.pdf")


class VerificationDocumentFactory(factory.django.DjangoModelFactory):
    """A small real PDF in private storage."""

    class Meta:
        model = "mentors.VerificationDocument"

    mentor = factory.SubFactory(MentorProfileFactory)
    document_type = "id_proof"
    original_name = "aadhaar.pdf"
    content_type = "application/pdf"
    size_bytes = len(SAMPLE_PDF_BYTES)
    file = factory.LazyFunction(_sample_pdf)


# --- payments ----------------------------------------------------------------------------------


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment row as ``payment_create`` leaves it (no gateway call). Use the services to move its state."""

    class Meta:
        model = "payments.Payment"

    payer = factory.SubFactory(UserFactory)
    payee = factory.SubFactory(UserFactory, role=User.Role.MENTOR)
    purpose = "test"
    reference_id = factory.Sequence(lambda n: n + 1)
    description = factory.Sequence(lambda n: f"Session {n + 1}")
    amount_paise = 50_000
    gateway = "offline"
    receipt = factory.Sequence(lambda n: f"pl_factory_{n}")
    razorpay_order_id = factory.Sequence(lambda n: f"order_test_factory{n:06d}")


# --- matching ----------------------------------------------------------------------------------


def listed_mentor(*, languages=("hi", "en"), city="Hyderabad", state="Telangana", time_zone="Asia/Kolkata", **fields):
    """An approved mentor already in the search index (`languages`: codes, the first is the primary language)."""
    from django.test import TestCase

    from matching.services import search_document_refresh

    mentor = MentorProfileFactory(
        user__languages=list(languages), user__city=city, user__state=state, user__time_zone=time_zone, **fields
    )
    # As after a real commit: the refresh's on-commit work (the search cache's data version) runs now, not never.
    with TestCase.captureOnCommitCallbacks(execute=True):
        search_document_refresh(mentor_id=mentor.pk)
    return mentor


def student_with_profile(*, languages=("te", "en"), user_fields=None, **profile_fields):
    """An onboarded student (`StudentProfileFactory`) speaking `languages` (codes, the first is the primary)."""
    student = UserFactory(**(user_fields or {}))
    student.primary_language = language(languages[0])
    student.save(update_fields=["primary_language"])
    student.languages.set([language(code) for code in languages])
    StudentProfileFactory(user=student, **profile_fields)
    return student


# --- sessions_app ------------------------------------------------------------------------------


def _next_round_hour(days: int) -> dt.datetime:
    start = timezone.now() + dt.timedelta(days=days)
    return start.replace(minute=0, second=0, microsecond=0)


class GroupSessionFactory(factory.django.DjangoModelFactory):
    """A scheduled (published) free group session three days ahead, run by an approved mentor."""

    class Meta:
        model = "sessions_app.Session"

    mentor = factory.LazyFunction(lambda: MentorProfileFactory().user)
    kind = "group"
    session_type = "exam_preparation"
    title = factory.Sequence(lambda n: f"JEE Physics: mechanics workshop {n}")
    description = "Worked problems on Newton's laws, friction and circular motion."
    category = "competitive_exams"
    skills = "physics, mechanics, JEE"
    language = factory.LazyFunction(lambda: language("en"))
    starts_at = factory.LazyFunction(lambda: _next_round_hour(3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
    time_zone = "Asia/Kolkata"
    capacity = 20
    price_paise = 0
    status = "scheduled"
    published_at = factory.LazyFunction(timezone.now)


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking of a group session by a student who may book."""

    class Meta:
        model = "sessions_app.Booking"

    session = factory.SubFactory(GroupSessionFactory)
    student = factory.LazyFunction(lambda: student_with_profile())
    price_paise = factory.LazyAttribute(lambda o: o.session.price_paise)
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)


# --- room ----------------------------------------------------------------------------------------


def live_group_session(*, starts_in_minutes: int = 5, duration_minutes: int = 60, **fields):
    """A scheduled group session whose room is open now (it starts in `starts_in_minutes`, maybe negative)."""
    starts_at = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=starts_in_minutes)
    return GroupSessionFactory(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=duration_minutes), **fields
    )


def room_member(session, **user_fields):
    """A student with a confirmed booking of `session` who has agreed to recording in the lobby."""
    from sessions_app.models import RoomConsent

    student = UserFactory(**user_fields)
    BookingFactory(session=session, student=student)
    RoomConsent.objects.create(session=session, user=student)
    return student


def room_consent(session, user):
    from sessions_app.models import RoomConsent

    return RoomConsent.objects.get_or_create(session=session, user=user)[0]


def minor_user(**fields):
    """A 15-year-old student."""
    return UserFactory(date_of_birth=timezone.localdate() - dt.timedelta(days=365 * 15 + 10), **fields)


class SessionMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_app.SessionMessage"

    session = factory.SubFactory(GroupSessionFactory)
    sender = factory.LazyAttribute(lambda o: o.session.mentor)
    text = factory.Sequence(lambda n: f"Message {n}")


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_app.Recording"

    session = factory.SubFactory(GroupSessionFactory)
    started_by = factory.LazyAttribute(lambda o: o.session.mentor)
    expires_at = factory.LazyAttribute(lambda o: o.session.ends_at + dt.timedelta(days=730))


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_app.Review"

    booking = factory.SubFactory(BookingFactory, status="completed")
    session = factory.LazyAttribute(lambda o: o.booking.session)
    student = factory.LazyAttribute(lambda o: o.booking.student)
    mentor = factory.LazyAttribute(lambda o: o.booking.session.mentor)
    language = factory.LazyAttribute(lambda o: o.booking.session.language)
    rating = 5
    comment = "Clear explanations of circular motion."


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_app.FollowUpTask"

    session = factory.SubFactory(GroupSessionFactory)
    student = factory.SubFactory(UserFactory)
    created_by = factory.LazyAttribute(lambda o: o.session.mentor)
    title = factory.Sequence(lambda n: f"Solve exercise set {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


# --- adminpanel (support desk) -------------------------------------------------------------------


def support_user(**fields):
    return UserFactory(is_staff=True, role=User.Role.SUPPORT, **fields)


def admin_user(**fields):
    return UserFactory(is_staff=True, role=User.Role.ADMIN, **fields)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "adminpanel.Ticket"

    requester = factory.SubFactory(UserFactory)
    category = "booking"
    subject = factory.Sequence(lambda n: f"Question {n}")
    priority = 3
    created_at = factory.LazyFunction(timezone.now)
    first_response_due_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(hours=24))
