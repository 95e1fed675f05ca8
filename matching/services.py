"""Writes of `matching`: keeping the search documents equal to the listed mentors."""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from matching import page_cache, scoring
from matching.models import MentorSearchDocument, SearchTerm
from matching.selectors import FILTER_OPTIONS_CACHE_KEY, SEARCH_CONFIG, query_words
from mentors.models import MentorProfile
from mentors.selectors import listed_mentors
from mentors.slots import price_for_duration_paise

SEARCH_TERM_MAX_LENGTH = SearchTerm._meta.get_field("word").max_length
# A mentor's ratings are blended with this many imaginary ratings of this value before ranking by popularity.
POPULARITY_PRIOR_COUNT = 5
POPULARITY_PRIOR_RATING = 3.5
REBUILD_BATCH_SIZE = 1000

_DOCUMENT_FIELDS = [field.name for field in MentorSearchDocument._meta.concrete_fields if field.name != "mentor"]


def search_document_refresh(*, mentor_id: int) -> None:
    """Write the mentor's search document if the mentor is listed, remove it otherwise."""
    with transaction.atomic():
        documents = _refresh(listed_mentors().filter(pk=mentor_id), stale_ids=[mentor_id])
        transaction.on_commit(lambda: _forget_outdated_filter_options(documents))
        transaction.on_commit(page_cache.data_version_bump)


def search_document_refresh_listener(mentor_id: int) -> None:
    """`mentors.hooks` profile-changed listener (registered in `MatchingConfig.ready`)."""
    search_document_refresh(mentor_id=mentor_id)


def search_documents_rebuild(*, batch_size: int = REBUILD_BATCH_SIZE) -> int:
    """Rewrite every search document from the mentors (after bulk imports, or to repair); returns how many."""
    written = 0
    last_id = 0
    while True:
        batch_ids = list(
            listed_mentors().filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch_ids:
            break
        with transaction.atomic():
            written += len(_refresh(listed_mentors().filter(pk__in=batch_ids), stale_ids=[]))
        last_id = batch_ids[-1]
    with transaction.atomic():
        MentorSearchDocument.objects.exclude(mentor__in=listed_mentors()).delete()
    cache.delete(FILTER_OPTIONS_CACHE_KEY)
    page_cache.data_version_bump()
    return written


def _refresh(mentors, *, stale_ids: Iterable[int]) -> list[MentorSearchDocument]:
    mentors = list(mentors.select_related("user__primary_language").prefetch_related("user__languages"))
    now = timezone.now()
    documents = [_document(mentor, now) for mentor in mentors]
    MentorSearchDocument.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["mentor"], update_fields=_DOCUMENT_FIELDS
    )
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word) for word in sorted(_vocabulary(mentors))], ignore_conflicts=True
    )
    listed = {mentor.pk for mentor in mentors}
    gone = [mentor_id for mentor_id in stale_ids if mentor_id not in listed]
    if gone:
        MentorSearchDocument.objects.filter(mentor__in=gone).delete()
    return documents


def _forget_outdated_filter_options(documents: list[MentorSearchDocument]) -> None:
    """Drop the cached filter options when a document brings a value they lack (a new language, subject, time
    zone…). Rebuilding them scans every document, so an ordinary edit keeps them; a value that disappears lingers
    until they expire, which only offers a filter that finds nobody."""
    options = cache.get(FILTER_OPTIONS_CACHE_KEY)
    if options is None:
        return
    for document in documents:
        if (
            not set(document.languages) <= set(options.languages)
            or not set(document.subjects) <= set(options.subjects)
            or not set(document.specializations) <= set(options.specializations)
            or document.time_zone not in options.time_zones
        ):
            cache.delete(FILTER_OPTIONS_CACHE_KEY)
            return


def _document(mentor: MentorProfile, now) -> MentorSearchDocument:
    user = mentor.user
    primary = user.primary_language.code if user.primary_language else ""
    languages = sorted({language.code for language in user.languages.all()} | ({primary} if primary else set()))
    durations = mentor.offered_durations or [60]
    rating = float(mentor.average_rating)
    return MentorSearchDocument(
        mentor=mentor,
        slug=mentor.slug,
        full_name=user.full_name,
        title=mentor.title,
        university=mentor.university,
        company=mentor.company,
        photo=user.photo.name or "",
        hourly_rate_paise=mentor.hourly_rate_paise,
        price_from_paise=min(price_for_duration_paise(mentor, minutes) for minutes in durations),
        average_rating=rating,
        rating_count=mentor.rating_count,
        total_sessions=mentor.total_sessions,
        years_experience=mentor.years_experience,
        response_time_minutes=mentor.response_time_minutes,
        popularity=(rating * mentor.rating_count + POPULARITY_PRIOR_RATING * POPULARITY_PRIOR_COUNT)
        / (mentor.rating_count + POPULARITY_PRIOR_COUNT),
        primary_language=primary,
        languages=languages,
        levels_served=list(mentor.levels_served),
        specializations=list(mentor.specializations),
        expertise_areas=list(mentor.expertise_areas),
        industry_focus=list(mentor.industry_focus),
        subjects=list(mentor.subjects),
        specialization_terms=sorted(scoring.terms(mentor.specializations)),
        expertise_terms=sorted(scoring.terms(mentor.expertise_areas)),
        goal_terms=sorted(scoring.terms([*mentor.expertise_areas, *mentor.industry_focus])),
        city=user.city,
        state=user.state,
        city_key=scoring.normalize_place(user.city),
        state_key=scoring.normalize_place(user.state),
        time_zone=user.time_zone,
        search_vector=_search_vector(mentor),
        refreshed_at=now,
    )


def _searchable_texts(mentor: MentorProfile) -> tuple[tuple[str, list[str]], ...]:
    """What full-text search looks at, by weight (A counts most)."""
    return (
        ("A", [mentor.user.full_name, mentor.title, *mentor.specializations]),
        ("B", [*mentor.expertise_areas, *mentor.subjects]),
        ("C", [*mentor.industry_focus, *mentor.skills, mentor.university, mentor.company]),
        ("D", [mentor.bio]),
    )


def _search_vector(mentor: MentorProfile) -> SearchVector:
    vector = None
    for weight, texts in _searchable_texts(mentor):
        part = SearchVector(Value(" ".join(texts)), weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _vocabulary(mentors: Iterable[MentorProfile]) -> set[str]:
    return {
        word
        for mentor in mentors
        for _weight, texts in _searchable_texts(mentor)
        for word in query_words(" ".join(texts))
        if len(word) <= SEARCH_TERM_MAX_LENGTH
    }
