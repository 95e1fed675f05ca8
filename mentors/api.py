"""`/api/v1/mentors/…` (public profiles and open slots) and `/api/v1/mentor/…` (a mentor's own profile and
availability)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from api.auth import PUBLIC, ApiRequest
from api.errors import ApiError, ErrorEnvelope
from api.pagination import Page, PageParams, list_page
from mentors import selectors
from mentors.models import AvailabilityOverride, MentorProfile, Weekday
from mentors.services import availability as availability_services
from mentors.slots import open_slots, price_for_duration_paise

router = Router(tags=["mentors"])
mentor_side_router = Router(tags=["mentor side"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
MAX_SLOT_RANGE_DAYS = 31
SlugPath = Path(..., max_length=80)
IdPath = Path(..., ge=1, le=2**63 - 1)


def zone_or_error(name: str | None, default: dt.tzinfo) -> dt.tzinfo:
    """An IANA time zone from the request (422 for an unknown one), else the default."""
    if not name:
        return default
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ApiError(422, "validation_error", _("Unknown time zone."), {"tz": [_("Unknown time zone.")]}) from None


class ExperienceOut(Schema):
    title: str
    organization: str
    location: str
    start_date: dt.date
    end_date: dt.date | None
    description: str


class EducationOut(Schema):
    institution: str
    degree: str
    field_of_study: str
    start_year: int | None
    end_year: int | None


class CertificationOut(Schema):
    name: str
    issuer: str
    issued_on: dt.date | None
    credential_url: str


class PriceOut(Schema):
    duration_minutes: int
    price_paise: int


class MentorDetail(Schema):
    id: int
    slug: str
    full_name: str
    title: str
    university: str
    company: str
    years_experience: int
    bio: str
    photo_url: str | None
    expertise_areas: list[str]
    specializations: list[str]
    industry_focus: list[str]
    subjects: list[str]
    skills: list[str]
    levels_served: list[str]
    languages: list[str]
    primary_language: str | None
    city: str
    state: str
    time_zone: str
    hourly_rate_paise: int
    prices: list[PriceOut]
    average_rating: float
    rating_count: int
    total_sessions: int
    response_time_minutes: int | None
    linkedin_url: str
    experiences: list[ExperienceOut]
    education: list[EducationOut]
    certifications: list[CertificationOut]


def mentor_detail(mentor: MentorProfile) -> dict:
    user = mentor.user
    primary = user.primary_language
    return {
        "id": mentor.pk, "slug": mentor.slug, "full_name": user.full_name, "title": mentor.title,
        "university": mentor.university, "company": mentor.company, "years_experience": mentor.years_experience,
        "bio": mentor.bio, "photo_url": user.photo.url if user.photo else None,
        "expertise_areas": mentor.expertise_areas, "specializations": mentor.specializations,
        "industry_focus": mentor.industry_focus, "subjects": mentor.subjects, "skills": mentor.skills,
        "levels_served": mentor.levels_served, "languages": sorted(language.code for language in user.languages.all()),
        "primary_language": primary.code if primary else None, "city": user.city, "state": user.state,
        "time_zone": user.time_zone, "hourly_rate_paise": mentor.hourly_rate_paise,
        "prices": [{"duration_minutes": m, "price_paise": price_for_duration_paise(mentor, m)}
                   for m in mentor.offered_durations],
        "average_rating": float(mentor.average_rating), "rating_count": mentor.rating_count,
        "total_sessions": mentor.total_sessions, "response_time_minutes": mentor.response_time_minutes,
        "linkedin_url": mentor.linkedin_url,
        "experiences": list(mentor.work_experiences.all()), "education": list(mentor.education_entries.all()),
        "certifications": list(mentor.certifications.all()),
    }  # fmt: skip


@router.get("/{slug}", response={200: MentorDetail, **ERRORS}, auth=PUBLIC, operation_id="mentors_detail")
def mentors_detail(request: HttpRequest, slug: str = SlugPath):
    """A listed mentor's public profile. A former slug answers 404 with `fields.slug` naming the current one."""
    try:
        mentor = selectors.public_profile(slug)
    except Http404 as exc:
        target = selectors.former_slug_target(slug)
        if target is None:
            raise ApiError(404, "not_found", _("Not found.")) from exc
        raise ApiError(404, "moved", _("This mentor's profile has moved."), {"slug": [target]}) from exc
    return mentor_detail(mentor)


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    duration_minutes: int
    price_paise: int


class SlotParams(Schema):
    start: dt.date | None = Field(None, description="First day (in `tz`); default today.")
    days: int = Field(7, ge=1, le=MAX_SLOT_RANGE_DAYS)
    duration: int | None = Field(None, ge=1, le=600, description="Session length; default the shortest offered.")
    tz: str | None = Field(None, max_length=64, description="IANA zone the days are in; default mine, else India.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(100, ge=1, le=100)


@router.get("/{slug}/slots", response={200: Page[SlotOut], **ERRORS}, auth=PUBLIC, operation_id="mentors_slots")
def mentors_slots(request: HttpRequest, params: Query[SlotParams], slug: str = SlugPath):
    """Bookable 1:1 slots of one length in a range of days, times in UTC (show them in `tz`)."""
    from accounts.timezones import viewer_time_zone

    try:
        mentor = selectors.public_profile(slug)
    except Http404 as exc:
        raise ApiError(404, "not_found", _("Not found.")) from exc
    tz = zone_or_error(params.tz, viewer_time_zone(request))
    duration = params.duration or (min(mentor.offered_durations) if mentor.offered_durations else 60)
    if mentor.offered_durations and duration not in mentor.offered_durations:
        raise ApiError(
            422,
            "duration",
            _("This mentor does not offer sessions of that length."),
            {"duration": [str(m) for m in mentor.offered_durations]},
        )
    now = timezone.now()
    first = params.start or now.astimezone(tz).date()
    if first > now.date() + dt.timedelta(days=366) or first < now.date() - dt.timedelta(days=1):
        raise ApiError(
            422, "validation_error", _("Choose a day within the next year."), {"start": [_("Out of range.")]}
        )
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    slots = open_slots(mentor=mentor, start=start, end=start + dt.timedelta(days=params.days),
                       duration_minutes=duration, now=now)  # fmt: skip
    price = price_for_duration_paise(mentor, duration)
    rows = [
        {"start": s.start, "end": s.end, "duration_minutes": s.duration_minutes, "price_paise": price} for s in slots
    ]
    return list_page(rows, PageParams(cursor=params.cursor, limit=params.limit), kind=f"slots:{mentor.pk}")


# --- the mentor's own side ---------------------------------------------------------------------------------


def my_mentor_profile(request: ApiRequest) -> MentorProfile:
    mentor = selectors.mentor_for_user(request.user)
    if mentor is None:
        raise ApiError(403, "mentors_only", _("This is for mentors. Apply to become one on the website."))
    return mentor


class MyMentorProfile(MentorDetail):
    verification_status: str
    verification_status_display: str
    is_active: bool
    is_listed: bool
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_hours: int
    booking_horizon_days: int
    offered_durations: list[int]


@mentor_side_router.get("/profile", response={200: MyMentorProfile, **ERRORS}, operation_id="mentor_profile")
def mentor_profile(request: ApiRequest):
    """My mentor profile, its verification status and booking settings."""
    mentor = my_mentor_profile(request)
    mentor = selectors.mentor_with_entries(mentor.pk)
    return {
        **mentor_detail(mentor), "verification_status": mentor.verification_status,
        "verification_status_display": mentor.get_verification_status_display(), "is_active": mentor.is_active,
        "is_listed": mentor.is_listed, "buffer_before_minutes": mentor.buffer_before_minutes,
        "buffer_after_minutes": mentor.buffer_after_minutes, "minimum_notice_hours": mentor.minimum_notice_hours,
        "booking_horizon_days": mentor.booking_horizon_days, "offered_durations": mentor.offered_durations,
    }  # fmt: skip


class RuleIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 Monday … 6 Sunday")
    start_time: dt.time
    end_time: dt.time


class RuleOut(RuleIn):
    id: int


class OverrideIn(Schema):
    date: dt.date
    kind: str = Field(..., max_length=16, description=", ".join(AvailabilityOverride.Kind.values))
    start_time: dt.time | None = None
    end_time: dt.time | None = None


class OverrideOut(OverrideIn):
    id: int


class AvailabilityOut(Schema):
    time_zone: str
    rules: list[RuleOut]
    overrides: list[OverrideOut]


class Deleted(Schema):
    deleted: bool = True


@mentor_side_router.get("/availability", response={200: AvailabilityOut, **ERRORS}, operation_id="mentor_availability")
def mentor_availability(request: ApiRequest):
    """My weekly hours (in my time zone) and date overrides from today on."""
    mentor = my_mentor_profile(request)
    today = timezone.localdate(timezone=request.user.tzinfo)
    return {
        "time_zone": request.user.time_zone,
        "rules": list(mentor.availability_rules.order_by("weekday", "start_time")[:200]),
        "overrides": list(mentor.availability_overrides.filter(date__gte=today).order_by("date", "start_time")[:200]),
    }


@mentor_side_router.post("/availability/rules", response={201: RuleOut, **ERRORS}, operation_id="mentor_rule_add")
def mentor_rule_add(request: ApiRequest, payload: RuleIn):
    if payload.weekday not in Weekday.values:
        raise ApiError(422, "validation_error", _("Choose a day of the week."), {"weekday": [_("Not valid.")]})
    rule = availability_services.availability_rule_add(mentor=my_mentor_profile(request), **payload.dict())
    return 201, rule


@mentor_side_router.delete(
    "/availability/rules/{rule_id}", response={200: Deleted, **ERRORS}, operation_id="mentor_rule_delete"
)
def mentor_rule_delete(request: ApiRequest, rule_id: int = IdPath):
    try:
        availability_services.availability_rule_delete(mentor=my_mentor_profile(request), rule_id=rule_id)
    except ValidationError as exc:
        raise ApiError(404, "not_found", _("Not found.")) from exc
    return {"deleted": True}


@mentor_side_router.post(
    "/availability/overrides", response={201: OverrideOut, **ERRORS}, operation_id="mentor_override_add"
)
def mentor_override_add(request: ApiRequest, payload: OverrideIn):
    if payload.kind not in AvailabilityOverride.Kind.values:
        raise ApiError(422, "validation_error", _("Choose a kind."), {"kind": list(AvailabilityOverride.Kind.values)})
    mentor = my_mentor_profile(request)
    override = availability_services.availability_override_add(
        mentor=mentor, today=timezone.localdate(timezone=request.user.tzinfo), **payload.dict()
    )
    return 201, override


@mentor_side_router.delete(
    "/availability/overrides/{override_id}", response={200: Deleted, **ERRORS}, operation_id="mentor_override_delete"
)
def mentor_override_delete(request: ApiRequest, override_id: int = IdPath):
    try:
        availability_services.availability_override_delete(mentor=my_mentor_profile(request), override_id=override_id)
    except ValidationError as exc:
        raise ApiError(404, "not_found", _("Not found.")) from exc
    return {"deleted": True}


class SettingsIn(Schema):
    buffer_before_minutes: int = Field(..., ge=0, le=240)
    buffer_after_minutes: int = Field(..., ge=0, le=240)
    minimum_notice_hours: int = Field(..., ge=0, le=24 * 30)
    booking_horizon_days: int = Field(..., ge=1, le=365)
    offered_durations: list[int] = Field(..., max_length=10)


@mentor_side_router.put(
    "/availability/settings", response={200: SettingsIn, **ERRORS}, operation_id="mentor_availability_settings"
)
def mentor_availability_settings(request: ApiRequest, payload: SettingsIn):
    """Buffers, minimum notice, how far ahead students may book, and the session lengths offered."""
    mentor = availability_services.availability_settings_update(mentor=my_mentor_profile(request), **payload.dict())
    return mentor
