"""Demo accounts for `manage.py seed_demo`: staff and three students (school, college, a minor awaiting consent)."""

import datetime as dt
import os
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.demo_avatars import avatar_upload
from accounts.models import GuardianConsent, Language, PhoneVerification, User

DEMO_DOMAIN = "demo.peerlearn.test"
DEFAULT_DEMO_PASSWORD = "Demo@12345"  # noqa: S105 (published in the README for the demo)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - dt.timedelta(days=30)


# College students (adults, so no guardian consent) who have had sessions and write the demo's reviews:
# (local part, full name, languages (primary first), city, state, university, degree, major)
REVIEWERS = (
    (
        "aarav",
        "Aarav Mishra",
        ["hi", "en"],
        "Varanasi",
        "Uttar Pradesh",
        "Banaras Hindu University",
        "B.Sc.",
        "Physics",
    ),
    ("pooja", "Pooja Yadav", ["hi", "en"], "Patna", "Bihar", "Patna University", "B.A.", "Political Science"),
    ("sai", "Sai Charan Goud", ["te", "en"], "Hyderabad", "Telangana", "Osmania University", "B.Tech", "Mechanical"),
    (
        "keerthi",
        "Keerthi Naidu",
        ["te", "en", "hi"],
        "Guntur",
        "Andhra Pradesh",
        "Acharya Nagarjuna University",
        "B.Sc.",
        "Biotechnology",
    ),
    (
        "nandini",
        "Nandini Subramaniam",
        ["ta", "en"],
        "Chennai",
        "Tamil Nadu",
        "Anna University",
        "B.E.",
        "Computer Science",
    ),
    (
        "vignesh",
        "Vignesh Kumar",
        ["ta", "en"],
        "Coimbatore",
        "Tamil Nadu",
        "PSG College of Technology",
        "B.E.",
        "Electronics",
    ),
    (
        "arnab",
        "Arnab Mukherjee",
        ["bn", "en", "hi"],
        "Kolkata",
        "West Bengal",
        "Jadavpur University",
        "B.E.",
        "Chemical Engineering",
    ),
    ("sana", "Sana Parveen", ["bn", "en"], "Howrah", "West Bengal", "University of Calcutta", "B.Com", "Accountancy"),
    (
        "omkar",
        "Omkar Patil",
        ["mr", "en", "hi"],
        "Pune",
        "Maharashtra",
        "Savitribai Phule Pune University",
        "B.Com",
        "Finance",
    ),
    ("megha", "Megha Jadhav", ["mr", "en"], "Nagpur", "Maharashtra", "RTM Nagpur University", "B.A.", "English"),
    (
        "darshan",
        "Darshan Shetty",
        ["kn", "en"],
        "Mangaluru",
        "Karnataka",
        "NITK Surathkal",
        "B.Tech",
        "Computer Science",
    ),
    (
        "kavitha",
        "Kavitha Gowda",
        ["kn", "en", "hi"],
        "Mysuru",
        "Karnataka",
        "University of Mysore",
        "B.Sc.",
        "Mathematics",
    ),
    ("rohit", "Rohit Nair", ["en", "hi"], "Kochi", "Kerala", "Cochin University", "B.Tech", "Information Technology"),
    ("fatima", "Fatima Sheikh", ["en", "hi"], "Bhopal", "Madhya Pradesh", "Barkatullah University", "MBA", "Marketing"),
)


def _user(
    email: str,
    full_name: str,
    *,
    role: str,
    password_hash: str,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user, _created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": role})
    user.full_name, user.role, user.is_staff, user.is_superuser = full_name, role, is_staff, is_superuser
    user.password = password_hash
    user.save(update_fields=["full_name", "role", "is_staff", "is_superuser", "password", "updated_at"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _student(
    email: str, full_name: str, *, basic: dict, level: str, details: dict, languages: list[str], password_hash: str
) -> User:
    user = _user(email, full_name, role=User.Role.STUDENT, password_hash=password_hash)
    services.student_register(user=user)
    if user.student_profile.is_onboarded:
        return user
    # Students choose among the active languages only: a language not offered yet is left out of their profile.
    by_code = {language.code: language for language in Language.objects.filter(code__in=languages, is_active=True)}
    languages = [code for code in languages if code in by_code]
    primary = by_code[languages[0]]
    services.student_basic_info_save(
        user=user, full_name=full_name, time_zone="Asia/Kolkata", country="India", primary_language=primary, **basic
    )
    services.student_level_save(user=user, academic_level=level)
    if level == "school":
        services.student_school_details_save(user=user, **details)
    else:
        services.student_college_details_save(user=user, **details)
    services.student_languages_save(
        user=user, primary_language=primary, additional_languages=[by_code[code] for code in languages[1:]]
    )
    return user


def _finish(
    user: User,
    *,
    industries: list[str],
    roles: list[str],
    interests: list[str],
    challenges: list[str],
    with_photo: bool = False,
) -> None:
    if user.student_profile.is_onboarded:
        return
    services.student_career_goals_save(
        user=user,
        industries=industries,
        target_roles=roles,
        target_companies=[],
        desired_locations=["Hyderabad", "Bengaluru"],
        career_timeline="2_years",
    )
    services.student_interests_save(user=user, interests=interests, challenges=challenges, challenge_details="")
    services.student_photo_and_preferences_save(
        user=user,
        photo=avatar_upload(user.full_name) if with_photo else None,
        remove_photo=False,
        notify_email=True,
        notify_in_app=True,
        notify_sms=False,
        notify_reminders=True,
    )


def _demo_guardian_phone(student: User, phone: str) -> str:
    """Demo guardians have no phone to receive a code: their number is recorded as verified."""
    now = timezone.now()
    PhoneVerification.objects.get_or_create(
        user=student, phone=phone, defaults={"code_hash": "demo", "expires_at": now, "verified_at": now}
    )
    return phone


def _consent_granted_for_demo(student: User) -> None:
    """A class 10 student is usually under 18: give the demo one a granted consent so it can book at once."""
    if GuardianConsent.objects.filter(student=student).exists():
        return
    consent = services.guardian_consent_request(
        student=student,
        guardian_name="Venkata Kumar",
        guardian_email=f"guardian.school@{DEMO_DOMAIN}",
        guardian_phone=_demo_guardian_phone(student, "+919000000101"),
        relationship="father",
    )
    services.guardian_consent_grant(
        consent_id=consent.pk, link_fresh=True, ip_address=None, user_agent="manage.py seed_demo"
    )


def reviewer_email(local_part: str) -> str:
    return f"student.{local_part}@{DEMO_DOMAIN}"


@transaction.atomic
def reviewers_seed(*, password_hash: str) -> list[User]:
    """The college students behind the demo's past sessions and reviews, onboarded through the real steps."""
    students = []
    for index, (local, full_name, languages, city, state, university, degree, major) in enumerate(REVIEWERS):
        student = _student(
            reviewer_email(local),
            full_name,
            basic={
                "phone": f"+9198765{10000 + index:05d}",
                "date_of_birth": _years_ago(19 + index % 5),
                "city": city,
                "state": state,
            },
            level="college",
            details={
                "university": university,
                "degree": degree,
                "major": major,
                "minor": "",
                "semester": 1 + index % 8,
                "cgpa": Decimal("7.20") + Decimal(index % 6) / 4,
                "projects": [],
                "internships": [],
            },
            languages=languages,
            password_hash=password_hash,
        )
        _finish(
            student,
            industries=["technology"] if degree in {"B.Tech", "B.E."} else ["education"],
            roles=[],
            interests=[major],
            challenges=["career_clarity", "exam_preparation"],
            with_photo=index % 3 != 2,
        )
        students.append(student)
    return students


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    # One hash for every demo login: hashing each at Django's work factor would take most of the seeding time.
    password_hash = make_password(demo_password())
    _user(
        f"admin@{DEMO_DOMAIN}",
        "Asha Admin",
        role=User.Role.ADMIN,
        password_hash=password_hash,
        is_staff=True,
        is_superuser=True,
    )
    support_email = f"support@{DEMO_DOMAIN}"
    _user(support_email, "Suresh Support", role=User.Role.SUPPORT, password_hash=password_hash, is_staff=True)

    school = _student(
        f"student.school@{DEMO_DOMAIN}",
        "Ravi Teja Kumar",
        basic={
            "phone": "+919876500001",
            "date_of_birth": _years_ago(16),
            "city": "Vijayawada",
            "state": "Andhra Pradesh",
        },
        level="school",
        details={
            "school_name": "Kendriya Vidyalaya No. 1",
            "board": "cbse",
            "class_grade": 10,
            "stream": "",
            "subjects": ["Mathematics", "Science", "Social Science", "English", "Telugu"],
            "extracurriculars": ["Chess", "Science club"],
        },
        languages=["te", "en"],
        password_hash=password_hash,
    )
    _finish(
        school,
        industries=["engineering", "technology"],
        roles=["Software engineer"],
        interests=["Robotics", "Mathematics olympiad"],
        challenges=["stream_choice", "exam_preparation"],
    )
    _consent_granted_for_demo(school)

    college = _student(
        f"student.college@{DEMO_DOMAIN}",
        "Priya Sharma",
        basic={"phone": "+919876500002", "date_of_birth": _years_ago(20), "city": "Lucknow", "state": "Uttar Pradesh"},
        level="college",
        details={
            "university": "Dr. A.P.J. Abdul Kalam Technical University",
            "degree": "B.Tech",
            "major": "Computer Science",
            "minor": "",
            "semester": 5,
            "cgpa": Decimal("8.40"),
            "projects": ["Crop price predictor"],
            "internships": [],
        },
        languages=["hi", "en"],
        password_hash=password_hash,
    )
    _finish(
        college,
        industries=["technology"],
        roles=["Data scientist", "Machine learning engineer"],
        interests=["Machine learning", "Debating"],
        challenges=["internships_jobs", "interviews"],
    )

    minor = _student(
        f"student.minor@{DEMO_DOMAIN}",
        "Ananya Reddy",
        basic={"phone": "+919876500003", "date_of_birth": _years_ago(15), "city": "Hyderabad", "state": "Telangana"},
        level="school",
        details={
            "school_name": "Zilla Parishad High School",
            "board": "state",
            "class_grade": 9,
            "stream": "",
            "subjects": ["Mathematics", "Science", "English", "Hindi"],
            "extracurriculars": ["Dance"],
        },
        languages=["te", "hi", "en"],
        password_hash=password_hash,
    )
    if not GuardianConsent.objects.filter(student=minor).exists():
        services.guardian_consent_request(
            student=minor,
            guardian_name="Lakshmi Reddy",
            guardian_email=f"guardian.minor@{DEMO_DOMAIN}",
            guardian_phone=_demo_guardian_phone(minor, "+919000000102"),
            relationship="mother",
        )
    _finish(
        minor,
        industries=["healthcare"],
        roles=["Doctor"],
        interests=["Biology", "Classical dance"],
        challenges=["study_habits", "career_clarity"],
    )

    stdout.write(f"Demo logins (password: {demo_password()}):\n")
    stdout.write(f"  admin@{DEMO_DOMAIN}            admin (superuser)\n")
    stdout.write(f"  support@{DEMO_DOMAIN}          support staff\n")
    stdout.write(f"  student.school@{DEMO_DOMAIN}   school student (16), class 10 CBSE, Telugu, consent granted\n")
    stdout.write(f"  student.college@{DEMO_DOMAIN}  college student, B.Tech, Hindi\n")
    stdout.write(f"  student.minor@{DEMO_DOMAIN}    15 years old, guardian consent pending\n")
