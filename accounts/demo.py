"""Demo accounts for `manage.py seed_demo`: staff and three students (school, college, a minor awaiting consent)."""

import datetime as dt
import os
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import GuardianConsent, Language, PhoneVerification, User

DEMO_DOMAIN = "demo.peerlearn.test"
DEFAULT_DEMO_PASSWORD = "Demo@12345"  # noqa: S105 (published in the README for the demo)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - dt.timedelta(days=30)


def _user(email: str, full_name: str, *, role: str, is_staff: bool = False, is_superuser: bool = False) -> User:
    user, _created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": role})
    user.full_name, user.role, user.is_staff, user.is_superuser = full_name, role, is_staff, is_superuser
    user.set_password(demo_password())
    user.save(update_fields=["full_name", "role", "is_staff", "is_superuser", "password", "updated_at"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _student(email: str, full_name: str, *, basic: dict, level: str, details: dict, languages: list[str]) -> User:
    user = _user(email, full_name, role=User.Role.STUDENT)
    services.student_register(user=user)
    if user.student_profile.is_onboarded:
        return user
    by_code = {language.code: language for language in Language.objects.filter(code__in=languages)}
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
    user: User, *, industries: list[str], roles: list[str], interests: list[str], challenges: list[str]
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
        photo=None,
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


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    _user(f"admin@{DEMO_DOMAIN}", "Asha Admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    _user(f"support@{DEMO_DOMAIN}", "Suresh Support", role=User.Role.SUPPORT, is_staff=True)

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
