"""The seven onboarding sections (seed 000 §3.1): one form and one service per section.

The wizard walks through them in order; the profile editor opens any one of them later with the same form.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.forms import (
    AcademicLevelForm,
    BasicInfoForm,
    CareerGoalsForm,
    CollegeDetailsForm,
    InterestsForm,
    LanguagesForm,
    PhotoPreferencesForm,
    SchoolDetailsForm,
)
from accounts.models import StudentProfile, User


@dataclass(frozen=True)
class Section:
    number: int
    slug: str
    title: Promise
    intro: Promise
    build_form: Callable[..., forms.Form]
    save: Callable[[User, dict], StudentProfile]

    @property
    def template(self) -> str:
        return f"accounts/onboarding/_{self.slug}.html"


def _basic_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    first_visit = data is None and not profile.is_onboarded and profile.onboarding_step == 1
    return BasicInfoForm(data, user=user, detect_time_zone=first_visit)


def _level_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    return AcademicLevelForm(data, initial={"academic_level": profile.academic_level})


def _academics_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    if profile.academic_level == StudentProfile.AcademicLevel.COLLEGE:
        fields = ["university", "degree", "major", "minor", "semester", "cgpa", "projects", "internships"]
        return CollegeDetailsForm(data, initial={name: getattr(profile, name) for name in fields})
    fields = ["school_name", "board", "class_grade", "stream", "subjects", "extracurriculars"]
    return SchoolDetailsForm(data, initial={name: getattr(profile, name) for name in fields})


def _languages_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    spoken = [language.pk for language in user.languages.all() if language.pk != user.primary_language_id]
    return LanguagesForm(data, initial={"primary_language": user.primary_language_id, "additional_languages": spoken})


def _goals_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    fields = ["industries", "target_roles", "target_companies", "desired_locations", "career_timeline"]
    return CareerGoalsForm(data, initial={name: getattr(profile, name) for name in fields})


def _interests_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    fields = ["interests", "challenges", "challenge_details"]
    return InterestsForm(data, initial={name: getattr(profile, name) for name in fields})


def _photo_form(user: User, profile: StudentProfile, data: Any, files: Any) -> forms.Form:
    fields = ["notify_email", "notify_in_app", "notify_sms", "notify_reminders"]
    initial = {name: getattr(profile, name) for name in fields}
    return PhotoPreferencesForm(data, files, has_photo=bool(user.photo), initial=initial)


def _save_academics(user: User, data: dict) -> StudentProfile:
    if "university" in data:
        return services.student_college_details_save(user=user, **data)
    return services.student_school_details_save(user=user, **data)


def _save_photo(user: User, data: dict) -> StudentProfile:
    return services.student_photo_and_preferences_save(
        user=user, photo=data.pop("photo") or None, remove_photo=data.pop("remove_photo", False), **data
    )


SECTIONS = (
    Section(
        1,
        "basic",
        _("Basic information"),
        _("Tell us who you are and where you are, so mentors can meet you at a time that suits you."),
        _basic_form,
        lambda user, data: services.student_basic_info_save(user=user, **data),
    ),
    Section(
        2,
        "level",
        _("Academic level"),
        _("Are you in school or in college?"),
        _level_form,
        lambda user, data: services.student_level_save(user=user, **data),
    ),
    Section(
        3,
        "academics",
        _("Academic details"),
        _("What and where you study, so we can suggest mentors who know it."),
        _academics_form,
        _save_academics,
    ),
    Section(
        4,
        "languages",
        _("Languages"),
        _("We match you with mentors who speak your language."),
        _languages_form,
        lambda user, data: services.student_languages_save(user=user, **data),
    ),
    Section(
        5,
        "goals",
        _("Career goals"),
        _("Where would you like to go? It is fine not to know yet."),
        _goals_form,
        lambda user, data: services.student_career_goals_save(user=user, **data),
    ),
    Section(
        6,
        "interests",
        _("Interests and challenges"),
        _("What you enjoy and where you would like guidance."),
        _interests_form,
        lambda user, data: services.student_interests_save(user=user, **data),
    ),
    Section(
        7,
        "photo",
        _("Photo and preferences"),
        _("Add a photo if you like, and choose how we keep in touch."),
        _photo_form,
        _save_photo,
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def section_for_step(number: int) -> Section:
    return SECTIONS[number - 1]
