"""`/api/v1/me`: my account, student profile (academic details, languages, career goals, preferences) and the
onboarding sections, each saved through the same form and service as the wizard on the site."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import ConfigDict

from accounts import selectors
from accounts.models import GuardianConsent, Notification, StudentProfile, User
from accounts.notifications import selectors as notification_selectors
from accounts.notifications import services as notification_services
from accounts.notifications.forms import NotificationPreferencesForm
from accounts.notifications.kinds import CATEGORIES
from accounts.onboarding import SECTIONS, SECTIONS_BY_SLUG
from accounts.photos import SQUARE_FOCUS
from accounts.services import user_photo_set
from api.auth import ApiRequest
from api.errors import ApiError, ErrorEnvelope, form_error
from api.pagination import decode_position, encode_position
from api.parser import StrictJsonParser
from mentorship.forms import add_service_errors

router = Router(tags=["me"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
PROFILE_FIELDS = (
    "academic_level", "school_name", "board", "class_grade", "stream", "subjects", "extracurriculars", "university",
    "degree", "major", "minor", "semester", "cgpa", "projects", "internships", "industries", "target_roles",
    "target_companies", "desired_locations", "career_timeline", "interests", "challenges", "challenge_details",
    "notify_email", "notify_in_app", "notify_sms", "notify_reminders",
)  # fmt: skip


class SectionState(Schema):
    number: int
    slug: str
    title: str
    done: bool


class OnboardingOut(Schema):
    step: int
    completed: bool
    progress_percent: int
    needs_guardian_consent: bool
    sections: list[SectionState]


class StudentProfileOut(Schema):
    academic_level: str
    school_name: str
    board: str
    class_grade: int | None
    stream: str
    subjects: list[str]
    extracurriculars: list[str]
    university: str
    degree: str
    major: str
    minor: str
    semester: int | None
    cgpa: float | None
    projects: list[str]
    internships: list[str]
    industries: list[str]
    target_roles: list[str]
    target_companies: list[str]
    desired_locations: list[str]
    career_timeline: str
    interests: list[str]
    challenges: list[str]
    challenge_details: str
    notify_email: bool
    notify_in_app: bool
    notify_sms: bool
    notify_reminders: bool


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    is_staff: bool
    phone: str
    date_of_birth: dt.date | None
    city: str
    state: str
    country: str
    time_zone: str
    ui_language: str
    primary_language: str | None
    languages: list[str]
    photo_url: str | None
    email_verified: bool
    can_book: bool
    cannot_book_reason: str
    student_profile: StudentProfileOut | None
    onboarding: OnboardingOut | None


def _needs_guardian(user: User) -> bool:
    if not user.is_minor:
        return False
    consent = selectors.guardian_consent_current(user)
    return consent is None or consent.status == GuardianConsent.Status.WITHDRAWN


def _onboarding(user: User, profile: StudentProfile) -> dict:
    return {
        "step": profile.onboarding_step, "completed": profile.is_onboarded,
        "progress_percent": profile.progress_percent, "needs_guardian_consent": _needs_guardian(user),
        "sections": [{"number": s.number, "slug": s.slug, "title": str(s.title),
                      "done": profile.is_onboarded or s.number < profile.onboarding_step} for s in SECTIONS],
    }  # fmt: skip


def _profile_data(profile: StudentProfile) -> dict:
    data = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    data["cgpa"] = float(profile.cgpa) if profile.cgpa is not None else None
    return data


def me_data(user: User) -> dict:
    profile = selectors.student_profile_for(user) if user.role == User.Role.STUDENT else None
    if profile is None and user.role == User.Role.STUDENT:
        profile = StudentProfile(user=user)
    can_book, reason = selectors.student_can_book(user) if user.role == User.Role.STUDENT else (False, "")
    primary = user.primary_language
    return {
        "id": user.pk, "email": user.email, "full_name": user.full_name, "role": user.role,
        "is_staff": user.is_staff, "phone": user.phone, "date_of_birth": user.date_of_birth, "city": user.city,
        "state": user.state, "country": user.country, "time_zone": user.time_zone, "ui_language": user.ui_language,
        "primary_language": primary.code if primary else None,
        "languages": sorted(language.code for language in user.languages.all()),
        "photo_url": user.photo.url if user.photo else None, "email_verified": selectors.email_verified(user),
        "can_book": can_book, "cannot_book_reason": str(reason or ""),
        "student_profile": _profile_data(profile) if profile is not None else None,
        "onboarding": _onboarding(user, profile) if profile is not None else None,
    }  # fmt: skip


def _fresh_user(request: ApiRequest) -> User:
    return User.objects.select_related("primary_language").prefetch_related("languages").get(pk=request.user.pk)


@router.get("", response={200: MeOut, **ERRORS}, operation_id="me")
def me(request: ApiRequest):
    """My account, student profile, languages, notification preferences and onboarding state."""
    return me_data(_fresh_user(request))


class SectionIn(Schema):
    """The section's fields, named as in the site's form (see the section list in the description)."""

    model_config = ConfigDict(extra="allow")


SECTION_HELP = """Save one onboarding / profile section with the same rules as the site's wizard.
Sections and their fields:
`basic` full_name, date_of_birth, phone, city, state, country, time_zone;
`level` academic_level (school, college);
`academics` for school: school_name, board, class_grade, stream, subjects[], extracurriculars[];
for college: university, degree, major, minor, semester, cgpa, projects[], internships[];
`languages` primary_language (language id), additional_languages[] (ids);
`goals` industries[], target_roles[], target_companies[], desired_locations[], career_timeline;
`interests` interests[], challenges[], challenge_details;
`photo` notify_email, notify_in_app, notify_sms, notify_reminders (the photo itself is uploaded on the site).
During onboarding only the current section or an earlier one can be saved; a minor needs guardian consent
(on the site) before section 2."""


@router.put(
    "/onboarding/{section}", response={200: MeOut, **ERRORS}, operation_id="me_section_save", description=SECTION_HELP
)
def me_section_save(request: ApiRequest, payload: SectionIn, section: str = Path(..., max_length=20)):
    user: User = request.user
    found = SECTIONS_BY_SLUG.get(section)
    if found is None:
        raise ApiError(404, "not_found", _("Not found."))
    if user.role != User.Role.STUDENT or user.is_staff:
        raise ApiError(403, "students_only", _("Only students have a student profile."))
    profile = selectors.student_profile_for(user) or StudentProfile(user=user)
    if not profile.is_onboarded and found.number > profile.onboarding_step:
        raise ApiError(409, "section_locked", _("Complete the earlier sections first."),
                       {"section": [SECTIONS[profile.onboarding_step - 1].slug]})  # fmt: skip
    if found.number > 1 and _needs_guardian(user):
        raise ApiError(403, "guardian_consent_required", _("A parent or guardian must agree before you go on."))
    # The section's own form validates every field, so the body is read as sent (extra keys and all).
    raw = StrictJsonParser().parse_body(request) if request.body else {}
    if not isinstance(raw, dict):
        raise ApiError(
            422, "validation_error", _("Send an object of the section's fields."), {"body": [_("Not valid.")]}
        )
    data = {key: value for key, value in raw.items() if key not in ("photo", "remove_photo")}
    form = found.build_form(user, profile, data, {})
    for name, field in form.fields.items():
        # A list for a field the site shows as several inputs (subjects) goes to those inputs, as a browser sends it.
        if isinstance(field, forms.MultiValueField) and isinstance(data.get(name), list):
            values = data.pop(name)
            data.update({f"{name}_{index}": value for index, value in enumerate(values[: len(field.fields)])})
    if not form.is_valid():
        raise form_error(form)
    try:
        found.save(user, dict(form.cleaned_data))
    except ValidationError as error:
        add_service_errors(form, error)
        raise form_error(form) from None
    return me_data(_fresh_user(request))


# --- my photo ---------------------------------------------------------------------------------------------------


class PhotoIn(Schema):
    keep: str = Field(
        "centre",
        description="Mentors' photos are cut to a square keeping this part: " + ", ".join(SQUARE_FOCUS),
        max_length=10,
    )


def _photo_change(request: ApiRequest, photo: UploadedFile | None, *, keep: str = "") -> dict:
    """Through the same services as the photo pages: a mentor's through the mentor service (a square, and the
    cached cards retired), anyone else's through the account service."""
    from mentors.selectors import mentor_for_user
    from mentors.services import mentor_photo_change

    user = request.user
    mentor = mentor_for_user(user)
    if mentor is not None:
        mentor_photo_change(mentor_id=mentor.pk, actor=user, photo=photo, remove=photo is None, keep=keep)
    else:
        with transaction.atomic():
            user_photo_set(user=User.objects.select_for_update().get(pk=user.pk), photo=photo, remove=photo is None)
    return me_data(_fresh_user(request))


@router.put("/photo", response={200: MeOut, **ERRORS}, operation_id="me_photo_set")
def me_photo_set(request: ApiRequest, photo: File[UploadedFile], data: Form[PhotoIn]):
    """Upload my profile photo (multipart, field `photo`): a JPEG, PNG or WebP image of at most 5 MB, checked by
    its content, re-encoded without its metadata and resized. Anything else is a 422."""
    if data.keep not in SQUARE_FOCUS:
        raise ApiError(422, "validation_error", _("Choose which part of the photo to keep."),
                       {"keep": [_("Not a valid choice.")]})  # fmt: skip
    return _photo_change(request, photo, keep=data.keep)


@router.delete("/photo", response={200: MeOut, **ERRORS}, operation_id="me_photo_remove")
def me_photo_remove(request: ApiRequest):
    """Remove my profile photo (my initials are shown instead)."""
    return _photo_change(request, None)


# --- notifications (the inbox and its preferences) -------------------------------------------------------------

notifications_router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    category: str
    priority: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read: bool
    archived: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None = None
    unread_count: int


class NotificationParams(Schema):
    archived: bool = False
    unread_only: bool = False
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(20, ge=1, le=100)


def _notification(item) -> dict:
    n = item.notification
    return {
        "id": n.pk, "kind": n.kind, "category": n.category, "priority": n.priority, "title": str(item.text.title),
        "body": str(item.text.body), "link": n.link, "created_at": n.created_at, "read": n.read_at is not None,
        "archived": n.archived_at is not None,
    }  # fmt: skip


@notifications_router.get("", response={200: NotificationPage, **ERRORS}, operation_id="notifications_list")
def notifications_list(request: ApiRequest, params: Query[NotificationParams]):
    """My notifications, newest first, in my language (`archived` for the archive, `unread_only` to filter)."""
    before = decode_position(params.cursor, "notifications") or None
    items = notification_selectors.notifications_for_inbox(
        request.user, archived=params.archived, unread_only=params.unread_only, before_id=before,
        limit=params.limit + 1,
    )  # fmt: skip
    more = len(items) > params.limit
    items = items[: params.limit]
    return {
        "items": [_notification(item) for item in items],
        "next_cursor": encode_position("notifications", items[-1].pk) if more and items else None,
        "unread_count": notification_selectors.notification_unread_count(request.user),
    }


def _one(request: ApiRequest, notification_id: int) -> dict:
    from accounts.notifications.kinds import notification_text_in_active_language
    from accounts.notifications.selectors import InboxItem

    notification = notification_selectors.notification_for_user(request.user, notification_id)
    return _notification(InboxItem(notification, notification_text_in_active_language(notification, request.user)))


NotificationId = Path(..., ge=1, le=2**63 - 1)


@notifications_router.post("/{notification_id}/read", response={200: NotificationOut, **ERRORS},
                           operation_id="notifications_mark_read")  # fmt: skip
def notifications_mark_read(request: ApiRequest, notification_id: int = NotificationId):
    try:
        notification_services.notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise ApiError(404, "not_found", _("Not found.")) from None
    return _one(request, notification_id)


@notifications_router.post("/{notification_id}/archive", response={200: NotificationOut, **ERRORS},
                           operation_id="notifications_archive")  # fmt: skip
def notifications_archive(request: ApiRequest, notification_id: int = NotificationId):
    try:
        notification_services.notification_archive(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise ApiError(404, "not_found", _("Not found.")) from None
    return _one(request, notification_id)


class MarkedOut(Schema):
    marked: int


@notifications_router.post("/read-all", response={200: MarkedOut, **ERRORS}, operation_id="notifications_read_all")
def notifications_read_all(request: ApiRequest):
    return {"marked": notification_services.notification_mark_all_read(user=request.user)}


class ChannelsIO(Schema):
    in_app: bool = True
    email: bool = True
    sms: bool = False


class PreferencesIO(Schema):
    categories: dict[str, ChannelsIO] = Field(..., description="Per category: " + ", ".join(CATEGORIES))
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    email_digest: bool = False


def _preferences(user: User) -> dict:
    initial = notification_selectors.notification_preferences_initial(user)
    return {
        "categories": {key: {c: initial[f"{key}__{c}"] for c in ("in_app", "email", "sms")} for key in CATEGORIES},
        "quiet_start": initial.get("quiet_start"), "quiet_end": initial.get("quiet_end"),
        "email_digest": bool(initial.get("email_digest")),
    }  # fmt: skip


@notifications_router.get("/preferences", response={200: PreferencesIO, **ERRORS}, operation_id="notification_prefs")
def notification_prefs(request: ApiRequest):
    """Which channels each category of notification uses, quiet hours (my time zone) and the daily digest."""
    return _preferences(request.user)


@notifications_router.put(
    "/preferences", response={200: PreferencesIO, **ERRORS}, operation_id="notification_prefs_set"
)
def notification_prefs_set(request: ApiRequest, payload: PreferencesIO):
    """Save the preferences with the site's rules (both quiet-hour ends or neither; SMS needs a phone number)."""
    unknown = set(payload.categories) - set(CATEGORIES)
    if unknown:
        raise ApiError(422, "validation_error", _("Unknown category."), {"categories": sorted(unknown)})
    data: dict[str, Any] = {"quiet_start": payload.quiet_start.isoformat() if payload.quiet_start else "",
                            "quiet_end": payload.quiet_end.isoformat() if payload.quiet_end else "",
                            "email_digest": payload.email_digest}  # fmt: skip
    current = _preferences(request.user)["categories"]
    for key in CATEGORIES:
        channels = payload.categories[key].model_dump() if key in payload.categories else current[key]
        data.update({f"{key}__{channel}": value for channel, value in channels.items()})
    form = NotificationPreferencesForm(data, has_phone=bool(request.user.phone))
    if not form.is_valid():
        raise form_error(form)
    notification_services.notification_preferences_set(
        user=request.user, choices=form.choices(), quiet_start=form.cleaned_data["quiet_start"],
        quiet_end=form.cleaned_data["quiet_end"], email_digest=form.cleaned_data["email_digest"],
    )  # fmt: skip
    return _preferences(request.user)
