"""Writes for accounts: registration, the onboarding steps, contact changes and guardian consent.

Every onboarding rule of seed 000 (§3.1, §7.2 generateStudentForm) is checked here, so a step saved from the
wizard, the profile editor or the demo seeder obeys the same rules; each use case is one transaction.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import rules
from accounts.consent import CONSENT_RESEND_INTERVAL, CONSENT_TEXT_VERSION
from accounts.models import GuardianConsent, Language, StudentProfile, User
from accounts.photos import photo_normalize, photo_validate
from accounts.privacy.phone import phone_is_verified
from accounts.validators import normalize_phone
from outbox.services import enqueue

_SCHOOL_FIELDS: dict[str, object] = {
    "school_name": "",
    "board": "",
    "class_grade": None,
    "stream": "",
    "subjects": [],
    "extracurriculars": [],
}
_COLLEGE_FIELDS: dict[str, object] = {
    "university": "",
    "degree": "",
    "major": "",
    "minor": "",
    "semester": None,
    "cgpa": None,
    "projects": [],
    "internships": [],
}


def _profile_for_update(user: User) -> StudentProfile:
    profile, _created = StudentProfile.objects.select_for_update().get_or_create(user=user)
    return profile


def _advance(profile: StudentProfile, step: int, update_fields: list[str]) -> None:
    """Record that `step` is saved: the next step opens, and saving the last one completes onboarding."""
    if profile.is_onboarded:
        return
    if step >= StudentProfile.ONBOARDING_STEPS and profile.onboarding_step >= StudentProfile.ONBOARDING_STEPS:
        profile.onboarding_completed_at = timezone.now()
        update_fields.append("onboarding_completed_at")
    elif step + 1 > profile.onboarding_step:
        profile.onboarding_step = min(step + 1, StudentProfile.ONBOARDING_STEPS)
        update_fields.append("onboarding_step")


def _save_profile(profile: StudentProfile, step: int, values: Mapping[str, object]) -> StudentProfile:
    update_fields = [*values, "updated_at"]
    for name, value in values.items():
        setattr(profile, name, value)
    _advance(profile, step, update_fields)
    profile.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    profile.save(update_fields=update_fields)
    student_profile_changed(profile)
    return profile


def student_profile_changed(profile: StudentProfile) -> None:
    """Move the account's `updated_at` with its profile: readers cache what they derive from both (matching's
    student facts) under it, and the account row is read on every request anyway."""
    User.objects.filter(pk=profile.user_id).update(updated_at=timezone.now())


def _check_choices(field: str, values: Iterable[str], choices: type[models.Choices]) -> None:
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        raise ValidationError({field: _("Unknown choice: %(value)s.") % {"value": ", ".join(unknown)}})


@transaction.atomic
def student_register(*, user: User) -> StudentProfile:
    """A new signup is a student: role, role group and an empty profile at wizard step 1."""
    if user.role != User.Role.STUDENT:
        user.role = User.Role.STUDENT
        user.save(update_fields=["role", "updated_at"])
    user.groups.add(Group.objects.get_or_create(name=User.Role.STUDENT)[0])
    profile, _created = StudentProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def student_basic_info_save(
    *,
    user: User,
    full_name: str,
    date_of_birth: dt.date,
    city: str,
    state: str,
    country: str,
    time_zone: str,
    primary_language: Language | None,
    phone: str | None = None,
) -> StudentProfile:
    """Step 1. `phone` only when the account has none yet; changing one goes through user_phone_change.
    `date_of_birth` is fixed once set."""
    errors = rules.basic_info_errors(
        date_of_birth=date_of_birth, primary_language=primary_language, today=timezone.localdate()
    )
    if user.date_of_birth is not None and date_of_birth != user.date_of_birth:
        # Age decides guardian consent and every minor's safeguard: once set it changes only through support.
        errors["date_of_birth"] = _("Your date of birth cannot be changed here; contact support to correct it.")
    if not user.phone and not phone:
        errors["phone"] = _("Enter your mobile number.")
    elif not user.phone and phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    elif phone is not None and normalize_phone(phone) != user.phone:
        errors["phone"] = _("Change your phone number from its own page; it asks for your password first.")
    if errors:
        raise ValidationError(errors)

    profile = _profile_for_update(user)
    user.full_name = full_name.strip()
    user.date_of_birth = date_of_birth
    user.city, user.state, user.country = city.strip(), state.strip(), country.strip()
    user.time_zone = time_zone
    user.primary_language = primary_language
    fields = ["full_name", "date_of_birth", "city", "state", "country", "time_zone", "primary_language", "updated_at"]
    if not user.phone:
        user.phone = phone or ""
        fields.append("phone")
    try:
        user.full_clean(
            exclude=["password", "email", "languages", "photo"], validate_unique=False, validate_constraints=False
        )
    except ValidationError:
        # The caller's user object (request.user) must not keep values that were refused.
        user.refresh_from_db(fields=[name for name in fields if name != "updated_at"])
        raise
    user.save(update_fields=fields)
    assert primary_language is not None  # refused above (rules.basic_info_errors)
    user.languages.add(primary_language)
    return _save_profile(profile, 1, {})


@transaction.atomic
def student_level_save(*, user: User, academic_level: str) -> StudentProfile:
    """Step 2. Switching school <-> college needs new academic details, so the wizard reopens at step 3."""
    _check_choices("academic_level", [academic_level], StudentProfile.AcademicLevel)
    profile = _profile_for_update(user)
    changed = bool(profile.academic_level) and profile.academic_level != academic_level
    profile.academic_level = academic_level
    update_fields = ["academic_level", "updated_at"]
    if changed and (profile.is_onboarded or profile.onboarding_step > 3):
        profile.onboarding_step = 3
        profile.onboarding_completed_at = None
        update_fields += ["onboarding_step", "onboarding_completed_at"]
    else:
        _advance(profile, 2, update_fields)
    profile.save(update_fields=update_fields)
    student_profile_changed(profile)
    return profile


@transaction.atomic
def student_school_details_save(
    *,
    user: User,
    school_name: str,
    board: str,
    class_grade: int,
    stream: str,
    subjects: Sequence[str],
    extracurriculars: Sequence[str],
) -> StudentProfile:
    """Step 3 for school students: class 6–12, stream only (and always) for 11–12, 3–8 subjects."""
    profile = _profile_for_update(user)
    if profile.academic_level != StudentProfile.AcademicLevel.SCHOOL:
        raise ValidationError(_("Choose “School student” as your academic level first."))
    errors = rules.school_details_errors(class_grade=class_grade, stream=stream, subjects=subjects, board=board)
    if errors:
        raise ValidationError(errors)
    values = {
        **_COLLEGE_FIELDS,
        "school_name": school_name.strip(),
        "board": board,
        "class_grade": class_grade,
        "stream": stream,
        "subjects": list(subjects),
        "extracurriculars": list(extracurriculars),
    }
    return _save_profile(profile, 3, values)


@transaction.atomic
def student_college_details_save(
    *,
    user: User,
    university: str,
    degree: str,
    major: str,
    minor: str,
    semester: int,
    cgpa: Decimal | None,
    projects: Sequence[str],
    internships: Sequence[str],
) -> StudentProfile:
    """Step 3 for college students: semester 1–10, CGPA 0–10 when given."""
    profile = _profile_for_update(user)
    if profile.academic_level != StudentProfile.AcademicLevel.COLLEGE:
        raise ValidationError(_("Choose “College student” as your academic level first."))
    errors = rules.college_details_errors(semester=semester, cgpa=cgpa)
    if errors:
        raise ValidationError(errors)
    values = {
        **_SCHOOL_FIELDS,
        "university": university.strip(),
        "degree": degree.strip(),
        "major": major.strip(),
        "minor": minor.strip(),
        "semester": semester,
        "cgpa": cgpa,
        "projects": list(projects),
        "internships": list(internships),
    }
    return _save_profile(profile, 3, values)


@transaction.atomic
def student_languages_save(
    *, user: User, primary_language: Language | None, additional_languages: Iterable[Language]
) -> StudentProfile:
    """Step 4: the primary language (required) and any others, all from the active languages."""
    additional = list(additional_languages)
    errors = rules.primary_language_errors(primary_language)
    if any(not language.is_active for language in additional):
        errors["additional_languages"] = _("Choose languages from the list.")
    if errors:
        raise ValidationError(errors)
    profile = _profile_for_update(user)
    user.primary_language = primary_language
    user.save(update_fields=["primary_language", "updated_at"])
    assert primary_language is not None  # refused above (rules.primary_language_errors)
    user.languages.set({primary_language, *additional})
    return _save_profile(profile, 4, {})


@transaction.atomic
def student_career_goals_save(
    *,
    user: User,
    industries: Sequence[str],
    target_roles: Sequence[str],
    target_companies: Sequence[str],
    desired_locations: Sequence[str],
    career_timeline: str,
) -> StudentProfile:
    """Step 5: at least one industry and a timeline; roles, companies and places are optional."""
    errors = rules.career_goals_errors(industries=industries)
    if errors:
        raise ValidationError(errors)
    _check_choices("industries", industries, StudentProfile.Industry)
    _check_choices("career_timeline", [career_timeline], StudentProfile.CareerTimeline)
    values = {
        "industries": list(industries),
        "target_roles": list(target_roles),
        "target_companies": list(target_companies),
        "desired_locations": list(desired_locations),
        "career_timeline": career_timeline,
    }
    return _save_profile(_profile_for_update(user), 5, values)


@transaction.atomic
def student_interests_save(
    *, user: User, interests: Sequence[str], challenges: Sequence[str], challenge_details: str
) -> StudentProfile:
    """Step 6: at least one interest and one thing the student wants help with."""
    errors = rules.interests_errors(interests=interests, challenges=challenges)
    if errors:
        raise ValidationError(errors)
    _check_choices("challenges", challenges, StudentProfile.Challenge)
    values = {
        "interests": list(interests),
        "challenges": list(challenges),
        "challenge_details": challenge_details.strip(),
    }
    return _save_profile(_profile_for_update(user), 6, values)


@transaction.atomic
def user_photo_set(*, user: User, photo: UploadedFile | None, remove: bool = False, square: str = "") -> bool:
    """Store a new profile photo (checked by content, re-encoded and resized; cut to a square keeping the `square`
    part when given, see `accounts.photos.SQUARE_FOCUS`) or remove the current one. The replaced file is deleted
    once the change commits. Returns whether the photo changed."""
    if photo is not None:
        photo_validate(photo)
    old_photo_name = user.photo.name if user.photo else ""
    if photo is not None:
        resized = photo_normalize(photo, square=square)
        user.photo.save(resized.name, resized, save=False)
        user.save(update_fields=["photo", "updated_at"])
    elif remove and old_photo_name:
        user.photo = ""
        user.save(update_fields=["photo", "updated_at"])
    else:
        return False
    if old_photo_name:
        storage = user.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo_name))
    return True


@transaction.atomic
def student_photo_and_preferences_save(
    *,
    user: User,
    photo: UploadedFile | None,
    remove_photo: bool,
    notify_email: bool,
    notify_in_app: bool,
    notify_sms: bool,
    notify_reminders: bool,
) -> StudentProfile:
    """Step 7: an optional photo (checked, resized) and how PeerLearn may contact the student; completes onboarding."""
    if notify_sms and not user.phone:
        raise ValidationError({"notify_sms": _("Add a mobile number before choosing SMS.")})
    profile = _profile_for_update(user)
    user_photo_set(user=user, photo=photo, remove=remove_photo)
    values = {
        "notify_email": notify_email,
        "notify_in_app": notify_in_app,
        "notify_sms": notify_sms,
        "notify_reminders": notify_reminders,
    }
    return _save_profile(profile, 7, values)


@transaction.atomic
def user_phone_change(*, user: User, phone: str) -> User:
    """A new phone number (the view has re-authenticated the user)."""
    user.phone = normalize_phone(phone)
    user.save(update_fields=["phone", "updated_at"])
    return user


def user_ui_language_set(*, user: User, language_code: str) -> None:
    if language_code not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Unknown language."))
    if user.ui_language != language_code:
        user.ui_language = language_code
        user.save(update_fields=["ui_language", "updated_at"])


# --- guardian consent ---------------------------------------------------------------------------

GUARDIAN_PHONE_UNVERIFIED = "guardian_phone_unverified"


def _send_consent_request_after_commit(consent: GuardianConsent) -> None:
    from accounts.tasks import send_guardian_consent_request

    enqueue(send_guardian_consent_request, consent.pk)


@transaction.atomic
def guardian_consent_request(
    *, student: User, guardian_name: str, guardian_email: str, guardian_phone: str, relationship: str
) -> GuardianConsent:
    """Name a guardian and email them a consent link; a pending request is updated and sent again.

    The guardian's mobile number must first be proved with a code texted to it (seed 000 §14.4): raises a
    ValidationError with code ``guardian_phone_unverified`` until it is."""
    if not student.is_minor:
        raise ValidationError(_("Guardian consent is only needed for students under 18."))
    if guardian_email.strip().lower() == student.email.lower():
        raise ValidationError({"guardian_email": _("Enter your parent or guardian's own email address, not yours.")})
    try:
        guardian_phone = normalize_phone(guardian_phone)
    except ValidationError as error:
        raise ValidationError({"guardian_phone": error}) from None
    if student.phone and guardian_phone == student.phone:
        raise ValidationError({"guardian_phone": _("Enter your parent or guardian's own mobile number, not yours.")})
    if not phone_is_verified(student, guardian_phone):
        raise ValidationError(
            {"guardian_phone": ValidationError(_("Verify this mobile number first."), code=GUARDIAN_PHONE_UNVERIFIED)}
        )
    _check_choices("relationship", [relationship], GuardianConsent.Relationship)
    # Lock the student's row: two quick submissions must not create two open requests.
    User.objects.select_for_update().get(pk=student.pk)
    open_consent = (
        GuardianConsent.objects.select_for_update()
        .filter(student=student, status__in=[GuardianConsent.Status.PENDING, GuardianConsent.Status.GRANTED])
        .first()
    )
    now = timezone.now()
    if open_consent is not None and open_consent.status == GuardianConsent.Status.GRANTED:
        raise ValidationError(_("Your guardian has already given consent."))
    if open_consent is None:
        consent = GuardianConsent(student=student, last_sent_at=now)
    else:
        _check_resend_interval(open_consent, now)
        consent = open_consent
        consent.last_sent_at = now
        consent.send_count += 1
    consent.guardian_name = guardian_name.strip()
    consent.guardian_email = guardian_email.strip().lower()
    consent.guardian_phone = guardian_phone
    consent.relationship = relationship
    consent.full_clean(exclude=["student"])
    consent.save()
    _send_consent_request_after_commit(consent)
    return consent


def _check_resend_interval(consent: GuardianConsent, now: dt.datetime) -> None:
    wait = consent.last_sent_at + CONSENT_RESEND_INTERVAL - now
    if wait > dt.timedelta(0):
        seconds = int(wait.total_seconds()) + 1
        raise ValidationError(
            ngettext(
                "We just sent the link. You can send it again in %(seconds)d second.",
                "We just sent the link. You can send it again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds},
            code="resend_too_soon",
        )


@transaction.atomic
def guardian_consent_resend(*, student: User) -> GuardianConsent:
    """Send the pending request again with a fresh link (at most once every two minutes)."""
    consent = (
        GuardianConsent.objects.select_for_update()
        .filter(student=student, status=GuardianConsent.Status.PENDING)
        .first()
    )
    if consent is None:
        raise ValidationError(_("There is no pending consent request to send again."))
    now = timezone.now()
    _check_resend_interval(consent, now)
    consent.last_sent_at = now
    consent.send_count += 1
    consent.save(update_fields=["last_sent_at", "send_count", "updated_at"])
    _send_consent_request_after_commit(consent)
    return consent


@transaction.atomic
def guardian_consent_grant(
    *, consent_id: int, link_fresh: bool, ip_address: str | None, user_agent: str
) -> GuardianConsent:
    """Record the guardian's consent with its evidence; a link works for this only once and only while fresh."""
    consent = GuardianConsent.objects.select_for_update().get(pk=consent_id)
    if consent.status != GuardianConsent.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="already_decided")
    if not link_fresh:
        raise ValidationError(_("This link has expired. Ask the student to send a new one."), code="expired")
    consent.status = GuardianConsent.Status.GRANTED
    consent.granted_at = timezone.now()
    consent.granted_ip = ip_address
    consent.granted_user_agent = user_agent[:512]
    consent.text_version = CONSENT_TEXT_VERSION
    consent.save(
        update_fields=["status", "granted_at", "granted_ip", "granted_user_agent", "text_version", "updated_at"]
    )
    from accounts.tasks import send_guardian_consent_granted

    enqueue(send_guardian_consent_granted, consent_id)
    _notify_guardian_consent(consent, granted=True)
    return consent


@transaction.atomic
def guardian_consent_withdraw(*, consent_id: int, ip_address: str | None, user_agent: str) -> GuardianConsent:
    """The guardian declines a pending request or withdraws a given consent; allowed for as long as they like."""
    consent = GuardianConsent.objects.select_for_update().get(pk=consent_id)
    if consent.status == GuardianConsent.Status.WITHDRAWN:
        raise ValidationError(_("Consent has already been withdrawn."), code="already_withdrawn")
    consent.status = GuardianConsent.Status.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_ip = ip_address
    consent.withdrawn_user_agent = user_agent[:512]
    consent.save(update_fields=["status", "withdrawn_at", "withdrawn_ip", "withdrawn_user_agent", "updated_at"])
    _notify_guardian_consent(consent, granted=False)
    return consent


def _notify_guardian_consent(consent: GuardianConsent, *, granted: bool) -> None:
    from django.urls import reverse

    notification_raise(
        recipient=consent.student,
        kind="accounts.guardian_consent_given" if granted else "accounts.guardian_consent_withdrawn",
        params={"guardian": consent.guardian_name},
        link=reverse("accounts:guardian"),
        dedupe_key=f"guardian-consent:{consent.pk}:{'granted' if granted else 'withdrawn'}",
    )


# Notifications (the implementation lives in ``accounts.notifications``; other apps call these names).
from accounts.notifications.services import (  # noqa: E402, F401
    notification_archive,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
    notification_raise,
)
