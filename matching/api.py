"""`/api/v1/`: mentor search (the filters and sorts of `/mentors/`) and recommendations."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from accounts.models import User
from api.auth import PUBLIC, ApiRequest
from api.errors import ApiError, ErrorEnvelope, form_error
from api.pagination import decode_position, encode_position
from matching import page_cache, selectors, services
from matching.forms import MentorSearchForm
from matching.models import MentorSearchDocument
from matching.recommender import serving
from matching.recommender.similar import similar_mentors

router = Router(tags=["discovery"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 422: ErrorEnvelope, 429: ErrorEnvelope}


class ReasonOut(Schema):
    component: str
    text: str


class CompatibilityOut(Schema):
    percent: int
    reasons: list[ReasonOut]


class MentorCard(Schema):
    id: int
    slug: str
    full_name: str
    title: str
    subtitle: str
    photo_url: str | None
    price_from_paise: int
    hourly_rate_paise: int
    average_rating: float
    rating_count: int
    total_sessions: int
    years_experience: int
    languages: list[str]
    primary_language: str
    levels_served: list[str]
    specializations: list[str]
    city: str
    state: str
    time_zone: str
    compatibility: CompatibilityOut | None = None


class MentorSearchPage(Schema):
    items: list[MentorCard]
    next_cursor: str | None = None


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="Name, subject or exam, e.g. NEET biology.")
    level: str = Field("", max_length=20, description="school or college")
    language: str = Field("", max_length=8, description="ISO 639-1 code of a language the mentor speaks.")
    primary_only: bool = Field(False, description="Only mentors whose first language is `language`.")
    subject: str = Field("", max_length=100)
    specialization: str = Field("", max_length=100)
    experience: int | None = Field(None, ge=0, le=100, description="Minimum years (1, 3, 5 or 10).")
    near: str = Field("", max_length=10, description="state or city (signed-in students with a known place).")
    tz: bool = Field(False, description="Only mentors in a time zone close to mine.")
    price_min: int | None = Field(None, ge=0, le=100_000, description="Rupees per hour.")
    price_max: int | None = Field(None, ge=0, le=100_000, description="Rupees per hour.")
    rating: float | None = Field(None, ge=0, le=5, description="Minimum rating (3, 3.5, 4 or 4.5).")
    sort: str = Field("", max_length=20, description="best, for_you, rating, price_low, price_high, experience")
    cursor: str | None = Field(None, max_length=500)


def mentor_card(result: selectors.MentorResult, compatibility=None) -> dict:
    document = result.document
    compatibility = compatibility if compatibility is not None else result.compatibility
    return {
        "id": document.mentor_id, "slug": document.slug, "full_name": document.full_name, "title": document.title,
        "subtitle": result.subtitle, "photo_url": document.photo_url or None,
        "price_from_paise": document.price_from_paise, "hourly_rate_paise": document.hourly_rate_paise,
        "average_rating": float(document.average_rating), "rating_count": document.rating_count,
        "total_sessions": document.total_sessions, "years_experience": document.years_experience,
        "languages": list(document.languages), "primary_language": document.primary_language,
        "levels_served": list(document.levels_served), "specializations": list(document.specializations),
        "city": document.city, "state": document.state, "time_zone": document.time_zone,
        "compatibility": None if compatibility is None else {
            "percent": compatibility.percent,
            "reasons": [{"component": r.component, "text": str(r.text)} for r in compatibility.top_reasons()],
        },
    }  # fmt: skip


def _form_data(params: SearchParams, page: int) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in params.dict(exclude={"cursor"}).items():
        if value is None or value == "" or value is False:
            continue
        # As a browser sends them: "4", not "4.0" (the rating choices are "3", "3.5", "4", "4.5").
        data[name] = "on" if value is True else f"{value:g}" if isinstance(value, float) else str(value)
    data["page"] = str(page)
    return data


@router.get("/mentors", response={200: MentorSearchPage, **ERRORS}, auth=PUBLIC, operation_id="mentors_search")
def mentors_search(request: HttpRequest, params: Query[SearchParams]):
    """Listed mentors matching the filters, 12 a page, sorted as asked (`best` by compatibility for students, with
    reasons; `for_you` from their recommendations). Same rules as `/mentors/`."""
    student = selectors.student_facts_for(request.user)
    if student is not None:
        return _search(request, params, student)
    # Anyone who is not a student gets the same answer per query: cached like the page's (matching.page_cache),
    # already serialised, so a cached answer costs no schema validation.
    version = page_cache.data_version()
    body = page_cache.cached(
        version,
        ["api-json", page_cache.query_fingerprint(request)],
        lambda: MentorSearchPage.model_validate(_search(request, params, None)).model_dump_json(),
    )
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _search(request: HttpRequest, params: SearchParams, student) -> dict:
    page = decode_position(params.cursor, "search") or 1
    options = selectors.filter_options()
    form = MentorSearchForm(
        _form_data(params, page),
        options=options,
        is_student=student is not None,
        knows_place=bool(student and student.state),
    )
    if not form.is_valid():
        raise form_error(form)
    filters, now = form.search_filters(), timezone.now()
    if student is not None and filters.sort == "for_you":
        result = serving.for_you_page(
            cast(User, request.user),  # a student (student facts above): signed in
            filters=filters, student=student, page=page, at=now, options=options
        )
    else:
        result = selectors.mentor_search_page(filters=filters, student=student, page=page, at=now, options=options)
    return {
        "items": [mentor_card(item) for item in result.results],
        "next_cursor": encode_position("search", page + 1) if result.has_next else None,
    }


class RecommendationOut(Schema):
    rank: int
    reasons: list[str]
    mentor: MentorCard


class RecommendationPage(Schema):
    items: list[RecommendationOut]
    next_cursor: str | None = None


def _student(request: ApiRequest) -> User:
    if request.user.role != User.Role.STUDENT:
        raise ApiError(403, "students_only", _("Only students get recommendations."))
    return request.user


@router.get("/recommendations", response={200: RecommendationPage, **ERRORS}, operation_id="recommendations_list")
def recommendations_list(request: ApiRequest, cursor: str | None = Query(None, max_length=500)):
    """Mentors recommended for me (up to 50), best first, each with the reasons it was picked."""
    student = _student(request)
    start = decode_position(cursor, "recommendations")
    found = serving.recommendations_for(student, limit=serving.PAGE_SIZE)
    chunk = found[start : start + 20]
    end = start + len(chunk)
    return {
        "items": [{"rank": r.rank, "reasons": r.reasons, "mentor": mentor_card(r.result)} for r in chunk],
        "next_cursor": encode_position("recommendations", end) if end < len(found) else None,
    }


class SimilarOut(Schema):
    reason: str
    mentor: MentorCard


class SimilarPage(Schema):
    items: list[SimilarOut]
    next_cursor: str | None = None


@router.get(
    "/mentors/{slug}/similar", response={200: SimilarPage, **ERRORS}, auth=PUBLIC, operation_id="mentors_similar"
)
def mentors_similar(request: HttpRequest, slug: str = Path(..., max_length=80)):
    """Mentors similar to this one (booked by the same students, or teaching the same fields)."""
    document = get_object_or_404(MentorSearchDocument.objects.only("mentor_id"), slug=slug)
    items = [{"reason": s.reason, "mentor": mentor_card(s.result)} for s in similar_mentors(document.mentor_id)]
    return {"items": items, "next_cursor": None}


class Done(Schema):
    ok: bool = True
    message: str = ""


@router.post(
    "/recommendations/{mentor_id}/not-interested",
    response={200: Done, **ERRORS},
    operation_id="recommendations_not_interested",
)
def recommendations_not_interested(request: ApiRequest, mentor_id: int = Path(..., ge=1, le=2**63 - 1)):
    """Never recommend this mentor to me again."""
    student = _student(request)
    document = get_object_or_404(MentorSearchDocument.objects.only("full_name"), pk=mentor_id)
    services.not_interested_mark(student=student, mentor_id=mentor_id)
    return {"ok": True, "message": _("We will not recommend %(name)s again.") % {"name": document.full_name}}
