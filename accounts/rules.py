"""The onboarding rules of seed 000 (§3.1, §7.2 generateStudentForm) as pure checks.

Services enforce them before writing; forms run the same checks so a student sees every problem at once.
Each function returns {field: message} for what is wrong, and skips values that are missing (None).
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

CLASS_GRADE_RANGE = (6, 12)
STREAM_CLASSES = (11, 12)
SUBJECT_COUNT_RANGE = (3, 8)
SEMESTER_RANGE = (1, 10)
CGPA_RANGE = (Decimal("0"), Decimal("10"))
STUDENT_AGE_RANGE = (8, 100)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def basic_info_errors(*, date_of_birth: dt.date | None, primary_language: object, today: dt.date) -> dict[str, str]:
    errors = {}
    if date_of_birth is not None and date_of_birth > today:
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    elif date_of_birth is not None and not STUDENT_AGE_RANGE[0] <= age_on(date_of_birth, today) <= STUDENT_AGE_RANGE[1]:
        errors["date_of_birth"] = _("Check the date of birth: students must be between %(min)d and %(max)d.") % {
            "min": STUDENT_AGE_RANGE[0],
            "max": STUDENT_AGE_RANGE[1],
        }
    errors |= primary_language_errors(primary_language)
    return errors


def primary_language_errors(primary_language: object) -> dict[str, str]:
    if primary_language is None or not getattr(primary_language, "is_active", False):
        return {"primary_language": _("Choose your primary language.")}
    return {}


def school_details_errors(
    *, class_grade: int | None, stream: str, subjects: Sequence[str] | None, board: str
) -> dict[str, str]:
    from accounts.models import StudentProfile

    errors = {}
    if class_grade is not None and not CLASS_GRADE_RANGE[0] <= class_grade <= CLASS_GRADE_RANGE[1]:
        errors["class_grade"] = _("Class must be between %(min)d and %(max)d.") % {
            "min": CLASS_GRADE_RANGE[0],
            "max": CLASS_GRADE_RANGE[1],
        }
    elif class_grade in STREAM_CLASSES and not stream:
        errors["stream"] = _("Choose your stream: it is needed for classes 11 and 12.")
    elif class_grade is not None and class_grade not in STREAM_CLASSES and stream:
        errors["stream"] = _("A stream applies only to classes 11 and 12; leave it empty for class %(grade)d.") % {
            "grade": class_grade
        }
    if stream and stream not in StudentProfile.Stream.values:
        errors["stream"] = _("Choose a stream from the list.")
    low, high = SUBJECT_COUNT_RANGE
    if subjects is not None and not low <= len(subjects) <= high:
        errors["subjects"] = _("List between %(min)d and %(max)d subjects (you entered %(count)d).") % {
            "min": low,
            "max": high,
            "count": len(subjects),
        }
    if board not in StudentProfile.Board.values:
        errors["board"] = _("Choose your board.")
    return errors


def college_details_errors(*, semester: int | None, cgpa: Decimal | None) -> dict[str, str]:
    errors = {}
    if semester is not None and not SEMESTER_RANGE[0] <= semester <= SEMESTER_RANGE[1]:
        errors["semester"] = _("Semester must be between %(min)d and %(max)d.") % {
            "min": SEMESTER_RANGE[0],
            "max": SEMESTER_RANGE[1],
        }
    if cgpa is not None and not CGPA_RANGE[0] <= cgpa <= CGPA_RANGE[1]:
        errors["cgpa"] = _("CGPA must be between 0 and 10.")
    return errors


def career_goals_errors(*, industries: Sequence[str]) -> dict[str, str]:
    return {} if industries else {"industries": _("Choose at least one industry.")}


def interests_errors(*, interests: Sequence[str], challenges: Sequence[str]) -> dict[str, str]:
    errors = {}
    if not interests:
        errors["interests"] = _("Add at least one interest.")
    if not challenges:
        errors["challenges"] = _("Choose at least one thing you would like help with.")
    return errors
