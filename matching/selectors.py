"""Reads of `matching`: who is listed, what a student is like, and the mentor search itself."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, TrigramSimilarity
from django.db.models import F, Func, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from accounts.languages import language_label
from accounts.models import Language, StudentProfile, User
from accounts.selectors import language_code
from accounts.suggestions import subject_suggestions, term_label
from matching import page_cache, ranking, scoring, suggestions
from matching.models import MentorSearchDocument, SearchTerm, SuggestionPair, SuggestionTerm
from mentors.models import MentorProfile
from mentorship.money import format_inr

# The version suffix changes with the shape of FilterOptions (the cache holds pickled instances).
FILTER_OPTIONS_CACHE_KEY = "matching:filter-options:3"
FILTER_OPTIONS_TTL_SECONDS = 300
# The version suffix changes with the shape of scoring.StudentFacts (pickled in the cache).
STUDENT_FACTS_CACHE_KEY = "matching:student-facts:1"
# A change made outside the services (a manual fix in the database) shows within this time.
STUDENT_FACTS_TTL_SECONDS = 600
PAGE_SIZE = 12
# Deep pages cost their offset; nobody reads the 84th page of mentors.
MAX_PAGE = 1000 // PAGE_SIZE
BEST_MATCH_CANDIDATES = 500
SEARCH_CONFIG = "english"
MAX_QUERY_WORDS = 6
PREFIX_MIN_LENGTH = 4
# Trigram similarity of a misspelling to the word meant: "biolgy"/"biology" 0.5, "mathematcs"/"mathematics" 0.62;
# unrelated short words score below 0.3.
TYPO_MIN_SIMILARITY = 0.4
TYPO_MAX_CORRECTIONS = 3
_WORD = re.compile(r"[^\W_]+")

# The columns a result card and the compatibility reasons need (the search columns stay in the database).
_CARD_FIELDS = (
    "mentor_id", "slug", "full_name", "title", "university", "company", "photo", "hourly_rate_paise",
    "price_from_paise", "average_rating", "rating_count", "total_sessions", "years_experience",
    "response_time_minutes", "primary_language", "languages", "levels_served", "specializations",
    "expertise_areas", "industry_focus", "city", "state", "time_zone", "next_open_at",
)  # fmt: skip


@dataclass(frozen=True)
class SearchFilters:
    query: str = ""
    level: str = ""
    language: str = ""
    primary_language_only: bool = False
    subject: str = ""
    specialization: str = ""
    min_experience: int | None = None
    near: str = ""  # "city" or "state" of the signed-in student
    time_zone_compatible: bool = False
    price_min_paise: int | None = None
    price_max_paise: int | None = None
    min_rating: float | None = None
    sort: str = "best"


@dataclass(frozen=True)
class FilterOptions:
    languages: list[str]
    subjects: list[str]
    specializations: list[str]
    time_zones: list[str]
    english_language_names: dict[str, str]

    @property
    def language_names(self) -> dict[str, str]:
        """Code → name of every language in the reader's language (the cache holds the stored names)."""
        return {code: language_label(code, name) for code, name in self.english_language_names.items()}


@dataclass
class MentorResult:
    """One card of the results; its texts are built here because a page shows many cards (template tags cost more)."""

    document: MentorSearchDocument
    language_names: list[str]
    compatibility: scoring.Compatibility | None = None

    @property
    def profile_url(self) -> str:
        return reverse("mentors:profile", args=[self.document.slug])

    @property
    def subtitle(self) -> str:
        place = self.document.company or self.document.university
        return f"{self.document.title} · {place}" if place else self.document.title

    @property
    def languages_text(self) -> str:
        return gettext("Speaks %(languages)s") % {"languages": ", ".join(self.language_names)}

    @property
    def rating_text(self) -> str:
        count = self.document.rating_count
        if not count:
            return gettext("New mentor")
        rating = formats.number_format(self.document.average_rating, 1)
        return ngettext("%(rating)s (%(count)d rating)", "%(rating)s (%(count)d ratings)", count) % {
            "rating": rating,
            "count": count,
        }

    @property
    def price_text(self) -> str:
        return gettext("From %(price)s") % {"price": format_inr(self.document.price_from_paise)}


@dataclass
class SearchPage:
    results: list[MentorResult]
    number: int
    has_next: bool
    page_size: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def is_complete(self) -> bool:
        """Every match is on this page (so their number is known without counting)."""
        return self.number == 1 and not self.has_next

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.results else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.results)


def language_names() -> dict[str, str]:
    """Code → name of every language in the reader's language (cached with the filter options)."""
    return filter_options().language_names


def filter_options(found: Mapping[str, Any] | None = None) -> FilterOptions:
    """The values present among listed mentors, for the filter controls, and the language names; one cache read
    (or none: `found` is what a `page_cache.read_many` that asked for `FILTER_OPTIONS_CACHE_KEY` returned), cleared
    whenever a document changes."""
    options = page_cache.safe_get(FILTER_OPTIONS_CACHE_KEY) if found is None else found.get(FILTER_OPTIONS_CACHE_KEY)
    if options is None:
        options = FilterOptions(
            languages=_distinct_elements("languages"),
            subjects=_distinct_elements("subjects"),
            specializations=_distinct_elements("specializations"),
            time_zones=sorted(set(MentorSearchDocument.objects.values_list("time_zone", flat=True).distinct())),
            english_language_names=dict(Language.objects.values_list("code", "name")),
        )
        page_cache.safe_set(FILTER_OPTIONS_CACHE_KEY, options, FILTER_OPTIONS_TTL_SECONDS)
    return options


def _distinct_elements(array_field: str) -> list[str]:
    values = (
        MentorSearchDocument.objects.annotate(value=Func(F(array_field), function="unnest"))
        .values_list("value", flat=True)
        .distinct()
    )
    return sorted(values, key=str.casefold)


def student_facts_key(user: User | AnonymousUser) -> str | None:
    """The cache key of a student's facts (None for visitors, mentors and staff): under the account's `updated_at`,
    which moves with every change of the account, its languages and its profile
    (`accounts.services.student_profile_changed`), so a change is read on the next request."""
    if not user.is_authenticated or user.role != User.Role.STUDENT:
        return None
    return f"{STUDENT_FACTS_CACHE_KEY}:{user.pk}:{user.updated_at.timestamp()}"


def student_facts_for(
    user: User | AnonymousUser, found: Mapping[str, Any] | None = None
) -> scoring.StudentFacts | None:
    """What matching knows about a signed-in student (None for visitors, mentors and staff), from the cache (or
    from `found`, what a `page_cache.read_many` that asked for `student_facts_key(user)` returned)."""
    key = student_facts_key(user)
    if key is None:
        return None
    facts = page_cache.safe_get(key) if found is None else found.get(key)
    if facts is None:
        facts = _student_facts_read(cast(User, user))  # a student (a key above): signed in
        page_cache.safe_set(key, facts, STUDENT_FACTS_TTL_SECONDS)
    return facts


def _student_facts_read(user: User) -> scoring.StudentFacts:
    # IN (subquery), not a join: a join with the user's languages made PostgreSQL scan every user's languages
    # (23 ms at 100k mentors), while this reads the student's rows through their index. The codes ride along
    # with the profile: one query per search instead of two.
    spoken = Language.objects.filter(pk__in=user.languages.values("pk")).values("code")
    profile = StudentProfile.objects.filter(user=user).annotate(spoken_codes=ArraySubquery(spoken)).first()
    codes = set(profile.spoken_codes if profile is not None else spoken.values_list("code", flat=True))
    primary = language_code(user.primary_language_id) if user.primary_language_id else None
    return student_facts_from(user=user, profile=profile, spoken_codes=codes, primary_code=primary)


def student_facts_from(
    *, user: User, profile: StudentProfile | None, spoken_codes: set[str], primary_code: str | None
) -> scoring.StudentFacts:
    """A student's facts from rows already read (search reads one student, the recommender thousands)."""
    fields: list[str] = []
    goals: list[str] = []
    level = None
    if profile is not None:
        level = profile.academic_level or None
        # Choice labels in English: the comparable words must not depend on the visitor's interface language.
        with translation.override("en"):
            stream = [str(profile.get_stream_display())] if profile.stream else []
            industries = [str(StudentProfile.Industry(code).label) for code in profile.industries]
            challenges = [str(StudentProfile.Challenge(code).label) for code in profile.challenges]
        fields = [*profile.subjects, profile.major, profile.minor, *stream, *profile.interests, *challenges]
        goals = [*profile.target_roles, *industries]
    return scoring.StudentFacts(
        primary_language=primary_code,
        languages=frozenset(spoken_codes | ({primary_code} if primary_code else set())),
        academic_level=level,
        fields=tuple(label for label in fields if label),
        career_goals=tuple(label for label in goals if label),
        city=user.city,
        state=user.state,
        time_zone=user.time_zone,
    )


def mentor_facts(document: MentorSearchDocument) -> scoring.MentorFacts:
    return scoring.MentorFacts(
        primary_language=document.primary_language or None,
        languages=frozenset(document.languages),
        levels_served=frozenset(document.levels_served),
        specializations=tuple(document.specializations),
        expertise_areas=tuple(document.expertise_areas),
        industry_focus=tuple(document.industry_focus),
        city=document.city,
        state=document.state,
        time_zone=document.time_zone,
        average_rating=document.average_rating if document.rating_count else None,
        response_time_hours=None if document.response_time_minutes is None else document.response_time_minutes / 60,
        experience_years=document.years_experience,
    )


def compatibility_with(
    student: scoring.StudentFacts, document: MentorSearchDocument, *, at: dt.datetime, names: dict[str, str]
) -> scoring.Compatibility:
    return scoring.compatibility(student, mentor_facts(document), at=at, language_names=names, term_label=term_label)


def mentor_search_page(
    *, filters: SearchFilters, student: scoring.StudentFacts | None, page: int, at: dt.datetime, options: FilterOptions
) -> SearchPage:
    """One page of listed mentors matching the filters, sorted as asked: one query whatever the data size.

    Matches are not counted: at 100k mentors counting a broad search costs more than finding the page. The page
    fetches one row more than it shows to know whether there is a next page.
    """
    matching = _filtered(filters, student, options, at)
    offset = (page - 1) * PAGE_SIZE
    if student is not None and filters.sort == "best":
        score = ranking.compatibility_expression(student, mentor_time_zones=options.time_zones, at=at)
        rows = _best_matches(matching, score, offset=offset, limit=PAGE_SIZE + 1)
    else:
        rows = list(matching.order_by(*_ordering(filters)).only(*_CARD_FIELDS)[offset : offset + PAGE_SIZE + 1])
    names = options.language_names
    results = [
        MentorResult(
            document=document,
            language_names=_spoken_names(document, names),
            compatibility=compatibility_with(student, document, at=at, names=names) if student else None,
        )
        for document in rows[:PAGE_SIZE]
    ]
    return SearchPage(
        results=results,
        number=page,
        has_next=len(rows) > PAGE_SIZE,
        page_size=PAGE_SIZE,
    )


def _best_matches(matching: QuerySet, score, *, offset: int, limit: int) -> list[MentorSearchDocument]:
    """A page of `matching` by compatibility, scoring a bounded candidate set: the most popular matches.

    Exact up to BEST_MATCH_CANDIDATES matches; past that, a broad search ("physics" at 100k mentors) stays a
    bounded walk of the popularity index. The candidates and their scores come from that index alone (it covers
    the filtered and scored columns); only the page's rows are read from the table. Two levels of ORDER BY and
    LIMIT need a derived table, which the ORM cannot express, so the ORM's SQL for the candidates is wrapped here.
    """
    candidates = (
        matching.annotate(score=score)
        .order_by(*_ordering(SearchFilters()))
        .values("mentor_id", "score", "popularity")[:BEST_MATCH_CANDIDATES]
    )
    candidate_sql, candidate_params = candidates.query.sql_with_params()
    fields = [MentorSearchDocument._meta.get_field(name) for name in _CARD_FIELDS]
    columns = ", ".join(f'document."{field.column}"' for field in fields)  # type: ignore[union-attr]  # concrete
    # Identifiers come from the model and the ORM; every value is a parameter.
    sql = (
        f'SELECT {columns}, best.score FROM "{MentorSearchDocument._meta.db_table}" document '  # noqa: S608
        f"JOIN (SELECT mentor_id, score, popularity FROM ({candidate_sql}) candidate "
        "ORDER BY score DESC, popularity DESC, mentor_id LIMIT %s OFFSET %s) best USING (mentor_id) "
        "ORDER BY best.score DESC, best.popularity DESC, mentor_id"
    )
    return list(MentorSearchDocument.objects.raw(sql, [*candidate_params, limit, offset]))


def _spoken_names(document: MentorSearchDocument, names: dict[str, str]) -> list[str]:
    """The mentor's languages by name, the primary one first."""
    others = sorted(names.get(code, code) for code in document.languages if code != document.primary_language)
    primary = [names.get(document.primary_language, document.primary_language)] if document.primary_language else []
    return primary + others


def _filtered(
    filters: SearchFilters, student: scoring.StudentFacts | None, options: FilterOptions, at: dt.datetime
) -> QuerySet[MentorSearchDocument]:
    documents = MentorSearchDocument.objects.all()
    query = text_query(filters.query)
    if query is not None:
        documents = documents.filter(search_vector=query)
    if filters.level:
        documents = documents.filter(levels_served__contains=[filters.level])
    if filters.language and filters.primary_language_only:
        documents = documents.filter(primary_language=filters.language)
    elif filters.language:
        documents = documents.filter(languages__contains=[filters.language])
    if filters.subject:
        documents = documents.filter(subjects__contains=[filters.subject])
    if filters.specialization:
        documents = documents.filter(specializations__contains=[filters.specialization])
    if filters.min_experience is not None:
        documents = documents.filter(years_experience__gte=filters.min_experience)
    if filters.min_rating is not None:
        documents = documents.filter(average_rating__gte=filters.min_rating)
    if filters.price_min_paise is not None:
        documents = documents.filter(hourly_rate_paise__gte=filters.price_min_paise)
    if filters.price_max_paise is not None:
        documents = documents.filter(hourly_rate_paise__lte=filters.price_max_paise)
    if student is not None and filters.near in {"city", "state"}:
        documents = documents.filter(state_key=scoring.normalize_place(student.state))
        if filters.near == "city":
            documents = documents.filter(city_key=scoring.normalize_place(student.city))
    if filters.time_zone_compatible:
        # Visitors are assumed to be where most students are (the default zone of new accounts).
        viewer = student or scoring.StudentFacts(time_zone=settings.DEFAULT_USER_TIME_ZONE)
        documents = documents.filter(time_zone__in=ranking.compatible_time_zones(viewer, options.time_zones, at))
    return documents


def query_words(text: str) -> list[str]:
    """The words of a text as the vocabulary stores them: lower case, two letters or more, in order, once."""
    return list(dict.fromkeys(word for word in _WORD.findall(text.casefold()) if len(word) > 1))


def text_query(text: str) -> SearchQuery | None:
    """Every word of `text` must match, each as typed or as a close spelling from the vocabulary ("mathematcs");
    None when `text` has no words."""
    words = query_words(text)[:MAX_QUERY_WORDS]
    if not words:
        return None
    corrections = _corrections(words)
    query = None
    for word in words:
        alternatives = _word_query(word)
        for correction in corrections.get(word, ()):
            alternatives |= _word_query(correction)
        query = alternatives if query is None else query & alternatives
    return query


def _word_query(word: str) -> SearchQuery:
    # Stemmed, and as a prefix once long enough ("maths" finds "Mathematics"). Words are letters and digits only,
    # so they cannot carry tsquery operators.
    return SearchQuery(f"{word}:*" if len(word) >= PREFIX_MIN_LENGTH else word, search_type="raw", config=SEARCH_CONFIG)


def _corrections(words: list[str]) -> dict[str, list[str]]:
    """For each word missing from the vocabulary, its closest vocabulary words (one query, trigram GIN index)."""
    similarities = {f"similarity_{index}": TrigramSimilarity("word", word) for index, word in enumerate(words)}
    close = Q()
    for word in words:
        close |= Q(word__trigram_similar=word)
    rows = list(SearchTerm.objects.filter(close).annotate(**similarities).values_list("word", *similarities))
    known = {row[0] for row in rows}
    corrections = {}
    for index, word in enumerate(words):
        if word in known:
            continue
        ranked = sorted((-row[index + 1], row[0]) for row in rows if row[index + 1] >= TYPO_MIN_SIMILARITY)
        corrections[word] = [candidate for _similarity, candidate in ranked[:TYPO_MAX_CORRECTIONS]]
    return corrections


def _ordering(filters: SearchFilters) -> list:
    """Every sort but best match; "best" here (and for visitors) is popularity: shrunk rating, then sessions."""
    if filters.sort == "rating":
        return [F("average_rating").desc(), F("rating_count").desc(), "mentor_id"]
    if filters.sort == "price_low":
        return ["hourly_rate_paise", "mentor_id"]
    if filters.sort == "price_high":
        return [F("hourly_rate_paise").desc(), "mentor_id"]
    if filters.sort == "experience":
        return [F("years_experience").desc(), "mentor_id"]
    return [F("popularity").desc(), F("total_sessions").desc(), "mentor_id"]


def profile_compatibility_context(request: HttpRequest, mentor: MentorProfile) -> dict[str, Any]:
    """`mentors.hooks` profile provider: `{"compatibility": …}` for a signed-in student viewing a listed mentor."""
    student = student_facts_for(request.user)
    if student is None:
        return {}
    document = MentorSearchDocument.objects.filter(pk=mentor.pk).only(*_CARD_FIELDS).first()
    if document is None:
        return {}
    return {"compatibility": compatibility_with(student, document, at=timezone.now(), names=language_names())}


# --- skill suggestions -------------------------------------------------------------------------------------------

SUGGESTION_CANDIDATES = 300
SUGGESTIONS_SHOWN = 8
DATALIST_SUGGESTIONS = 20


@dataclass(frozen=True)
class SuggestionContext:
    levels: tuple[str, ...]  # most specific first, "" last
    fields: tuple[str, ...]
    fixed_subjects: tuple[str, ...]


def suggestion_context(user: User, audience: str) -> SuggestionContext:
    """Whom the user's suggestions should resemble: a student's level, stream and career fields; the levels a
    mentor serves."""
    if audience == "mentor":
        profile = MentorProfile.objects.filter(user=user).only("levels_served").first()
        levels = tuple(profile.levels_served) if profile is not None else ()
        return SuggestionContext(levels=(*levels, ""), fields=(), fixed_subjects=())
    student = (
        StudentProfile.objects.filter(user=user).only("academic_level", "stream", "industries", "class_grade").first()
    )
    if student is None:
        return SuggestionContext(levels=("",), fields=(), fixed_subjects=_fixed_subjects(None, ""))
    fields = tuple(code for code in [student.stream, *student.industries] if code)
    return SuggestionContext(
        levels=(student.academic_level, "") if student.academic_level else ("",),
        fields=fields,
        fixed_subjects=_fixed_subjects(student.class_grade, student.stream)
        if student.academic_level != StudentProfile.AcademicLevel.COLLEGE
        else (),
    )


def _fixed_subjects(class_grade: int | None, stream: str) -> tuple[str, ...]:
    # In English, like the stored terms: translated when shown.
    with translation.override("en"):
        return tuple(subject_suggestions(class_grade, stream))


def term_suggestions(
    *, context: SuggestionContext, vocabulary: str, text: str, limit: int = SUGGESTIONS_SHOWN
) -> list[str]:
    """Terms to offer while someone fills a list field, shown in the reader's language where a translation exists:
    those that go with what they already typed first, then the most common for people like them; filtered by the
    item being typed; never one they already have. Three queries whatever the data size."""
    finished, typing = suggestions.typed_terms(text)
    typed_keys = {suggestions.term_key(item) for item in finished}
    prefix = typing.casefold()
    scores: dict[str, float] = {}
    labels: dict[str, str] = {}

    def consider(key: str, label: str, weight: float) -> None:
        labels.setdefault(key, label)
        scores[key] = scores.get(key, 0.0) + weight

    if typed_keys:
        companions = list(
            SuggestionPair.objects.filter(key__in=typed_keys, vocabulary=vocabulary)
            .values("other_key", "other_label")
            .annotate(together=Sum("uses"))
            .order_by("-together", "other_key")[:SUGGESTION_CANDIDATES]
        )
        strongest = max((row["together"] for row in companions), default=1)
        for row in companions:
            consider(row["other_key"], row["other_label"], 2.0 * row["together"] / strongest)

    level, *_broader = context.levels
    weights = {(level, ""): 0.5, ("", ""): 0.25, **{(level, field): 1.0 for field in context.fields}}
    common = SuggestionTerm.objects.filter(vocabulary=vocabulary, level__in=context.levels).filter(
        field__in=("", *context.fields)
    )
    if prefix:
        common = common.filter(key__contains=prefix)
    rows = list(common.order_by("-uses").values_list("level", "field", "key", "label", "uses")[:SUGGESTION_CANDIDATES])
    most: dict[tuple[str, str], int] = {}
    for row_level, row_field, _key, _label, uses in rows:
        most[row_level, row_field] = max(most.get((row_level, row_field), 0), uses)
    for row_level, row_field, key, label, uses in rows:
        weight = weights.get((row_level, row_field))
        if weight:
            consider(key, label, weight * uses / most[row_level, row_field])
    if vocabulary == SuggestionTerm.Vocabulary.SUBJECTS:
        for subject in context.fixed_subjects:
            consider(suggestions.term_key(subject), subject, 0.01)

    ranked: list[tuple[float, str]] = []
    for key, score in scores.items():
        label = gettext(labels[key])
        if key in typed_keys or suggestions.term_key(label) in typed_keys:
            continue
        if prefix and prefix not in key and prefix not in label.casefold():
            continue
        ranked.append((-score, label))
    ranked.sort(key=lambda item: (item[0], item[1].casefold()))
    shown: dict[str, str] = {}
    for _score, label in ranked:
        shown.setdefault(label.casefold(), label)
    return list(shown.values())[:limit]


# --- the home page ---------------------------------------------------------------------------------------------

HOME_MENTORS = 4


@dataclass(frozen=True)
class HomeShowcase:
    mentors: list[MentorResult]
    languages: list[Language]


def home_showcase() -> HomeShowcase:
    """The home page's real faces (the best-rated listed mentors) and the languages offered: two queries, then kept
    with the search pages' data version (a mentor's change shows at once) and language."""

    def build() -> HomeShowcase:
        names = language_names()
        rated = (
            MentorSearchDocument.objects.filter(rating_count__gt=0)
            .order_by(*_ordering(SearchFilters()))
            .only(*_CARD_FIELDS)[:HOME_MENTORS]
        )
        return HomeShowcase(
            mentors=[MentorResult(document=doc, language_names=_spoken_names(doc, names)) for doc in rated],
            languages=list(Language.objects.filter(is_active=True)),
        )

    return page_cache.cached(page_cache.data_version(), ["home-showcase"], build)
