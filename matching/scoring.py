"""Student–mentor compatibility (seed 000 §7.2): a weighted score with the reasons behind it.

Pure: imports no app, so any page (a mentor's profile included) can show the viewer's score. Selectors build the
small fact records below from the database; `matching.ranking` mirrors the same rules as SQL expressions so that
"best match" can sort in PostgreSQL, and tests hold the two to the same numbers.

Decisions where the seed's code leaves a gap:
- A person's spoken languages include their primary language. In the seed's `calculateLanguageMatch` the English
  tier (0.6) can never be reached, because two people who both speak English already share a language (0.7).
  We keep every tier reachable by reading "common language" as a common language *other than English*: a shared
  regional language counts for more than the English everyone in Indian education shares.
- Field and career-goal matches compare words, not whole phrases, so "Physics" matches "JEE Physics".
- Location: same city, else same state, else a time zone within a few hours (a practical session time exists).
- Unknown facts earn nothing (and no reason), except the response time, which the seed scores 0.5 when not < 24 h.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext, ngettext

WEIGHTS: Mapping[str, float] = {
    "language": 0.30,
    "academic_level": 0.25,
    "field": 0.20,
    "location": 0.10,
    "career_goals": 0.10,
    "rating": 0.03,
    "availability": 0.01,
    "experience": 0.01,
}

ENGLISH = "en"
LANGUAGE_SAME_PRIMARY = 1.0
LANGUAGE_SPEAKS_STUDENT_PRIMARY = 0.9
LANGUAGE_COMMON = 0.7
LANGUAGE_BOTH_ENGLISH = 0.6
LANGUAGE_NONE = 0.2

FIELD_SPECIALIZATION = 1.0
FIELD_EXPERTISE = 0.5

LOCATION_SAME_CITY = 1.0
LOCATION_SAME_STATE = 0.7
LOCATION_NEARBY_TIME_ZONE = 0.3
# Hours of UTC offset difference within which a student and a mentor still share a practical working day.
COMPATIBLE_TIME_ZONE_HOURS = 3

FAST_RESPONSE_HOURS = 24
AVAILABILITY_FAST = 1.0
AVAILABILITY_SLOW = 0.5
EXPERIENCE_FULL_YEARS = 10
MAX_RATING = 5

# Reasons worth showing for the quality components only when they stand out.
REASON_MIN_RATING = 4.5
REASON_MIN_EXPERIENCE_YEARS = 5

# Words that make two unrelated fields look alike ("Exam preparation" vs "NEET preparation").
_GENERIC_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "for", "from", "in", "of", "on", "or", "the", "to", "with",
        "preparation", "prep", "exam", "exams", "entrance", "study", "studies", "course", "courses",
        "general", "basic", "basics", "advanced", "intro", "introduction", "class", "classes", "level",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def terms(labels: Iterable[str]) -> frozenset[str]:
    """The comparable words of some labels: lower-case, without generic words (stored too, for SQL matching)."""
    found: frozenset[str] = frozenset()
    for label in labels:
        found |= _label_terms(label)
    return found


# A search page scores every card against the same few labels; the words of a label never change.
@functools.lru_cache(maxsize=8192)
def _label_terms(label: str) -> frozenset[str]:
    return frozenset(word for word in _WORD.findall(label.casefold()) if len(word) > 1 and word not in _GENERIC_WORDS)


def normalize_place(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass(frozen=True)
class StudentFacts:
    primary_language: str | None = None
    languages: frozenset[str] = frozenset()
    academic_level: str | None = None
    fields: tuple[str, ...] = ()
    career_goals: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    time_zone: str | None = None

    @property
    def spoken(self) -> frozenset[str]:
        return (self.languages | {self.primary_language}) if self.primary_language else self.languages


@dataclass(frozen=True)
class MentorFacts:
    primary_language: str | None = None
    languages: frozenset[str] = frozenset()
    levels_served: frozenset[str] = frozenset()
    specializations: tuple[str, ...] = ()
    expertise_areas: tuple[str, ...] = ()
    industry_focus: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    time_zone: str | None = None
    average_rating: float | None = None
    response_time_hours: float | None = None
    experience_years: int = 0

    @property
    def spoken(self) -> frozenset[str]:
        return (self.languages | {self.primary_language}) if self.primary_language else self.languages


@dataclass(frozen=True)
class Reason:
    component: str
    text: str
    weight: float


@dataclass(frozen=True)
class Compatibility:
    score: float
    components: Mapping[str, float]
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def top_reasons(self, count: int = 3) -> tuple[Reason, ...]:
        return self.reasons[:count]


def language_match(student: StudentFacts, mentor: MentorFacts) -> tuple[float, str | None]:
    """The seed's language tiers, with the language that earned the tier (for the reason)."""
    if student.primary_language and student.primary_language == mentor.primary_language:
        return LANGUAGE_SAME_PRIMARY, student.primary_language
    if student.primary_language and student.primary_language in mentor.spoken:
        return LANGUAGE_SPEAKS_STUDENT_PRIMARY, student.primary_language
    common = (student.spoken & mentor.spoken) - {ENGLISH}
    if common:
        return LANGUAGE_COMMON, min(common)
    if ENGLISH in student.spoken and ENGLISH in mentor.spoken:
        return LANGUAGE_BOTH_ENGLISH, ENGLISH
    return LANGUAGE_NONE, None


def academic_level_match(student: StudentFacts, mentor: MentorFacts) -> float:
    return 1.0 if student.academic_level and student.academic_level in mentor.levels_served else 0.0


def _first_matching(labels: Iterable[str], wanted: frozenset[str]) -> str | None:
    return next((label for label in labels if terms([label]) & wanted), None)


def field_match(student: StudentFacts, mentor: MentorFacts) -> tuple[float, str | None]:
    wanted = terms(student.fields)
    if label := _first_matching(mentor.specializations, wanted):
        return FIELD_SPECIALIZATION, label
    if label := _first_matching(mentor.expertise_areas, wanted):
        return FIELD_EXPERTISE, label
    return 0.0, None


def career_goals_match(student: StudentFacts, mentor: MentorFacts) -> tuple[float, str | None]:
    wanted = terms(student.career_goals)
    if label := _first_matching((*mentor.expertise_areas, *mentor.industry_focus), wanted):
        return 1.0, label
    return 0.0, None


def utc_offset_hours(time_zone: str, at: dt.datetime) -> float:
    offset = at.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset() or dt.timedelta()
    return offset.total_seconds() / 3600


def time_zones_compatible(first: str | None, second: str | None, at: dt.datetime) -> bool:
    if not first or not second:
        return False
    return abs(utc_offset_hours(first, at) - utc_offset_hours(second, at)) <= COMPATIBLE_TIME_ZONE_HOURS


def location_match(student: StudentFacts, mentor: MentorFacts, at: dt.datetime) -> tuple[float, str | None]:
    same_state = bool(student.state) and normalize_place(student.state) == normalize_place(mentor.state)
    if same_state and student.city and normalize_place(student.city) == normalize_place(mentor.city):
        return LOCATION_SAME_CITY, "city"
    if same_state:
        return LOCATION_SAME_STATE, "state"
    if time_zones_compatible(student.time_zone, mentor.time_zone, at):
        return LOCATION_NEARBY_TIME_ZONE, "time_zone"
    return 0.0, None


def rating_match(mentor: MentorFacts) -> float:
    return min(max(mentor.average_rating or 0.0, 0.0), MAX_RATING) / MAX_RATING


def availability_match(mentor: MentorFacts) -> float:
    fast = mentor.response_time_hours is not None and mentor.response_time_hours < FAST_RESPONSE_HOURS
    return AVAILABILITY_FAST if fast else AVAILABILITY_SLOW


def experience_match(mentor: MentorFacts) -> float:
    return min(max(mentor.experience_years, 0) / EXPERIENCE_FULL_YEARS, 1.0)


def _phrases() -> Mapping[str, str]:
    """The reasons' fixed words in the active language, translated once per language and process.

    A search page scores a dozen mentors with up to eight reasons each; looking each phrase up through gettext
    every time was a measurable part of the page. Catalogues are loaded once per process, so the memo never goes
    stale; with no language active (outside a request) gettext is asked directly.
    """
    language = get_language()
    if language is None:
        return _translated_phrases()
    return _phrases_in(language)


@functools.cache
def _phrases_in(language: str) -> Mapping[str, str]:
    # Only ever called with `language` active (see `_phrases`), so gettext answers in it.
    return _translated_phrases()


def _years_of_experience(years: int) -> str:
    language = get_language()
    return _years_of_experience_in(language, years) if language else _years_text(years)


@functools.lru_cache(maxsize=512)
def _years_of_experience_in(language: str, years: int) -> str:
    # Only ever called with `language` active; plural forms differ per language, hence the key.
    return _years_text(years)


def _years_text(years: int) -> str:
    return ngettext("%(years)d year of experience", "%(years)d years of experience", years) % {"years": years}


def _translated_phrases() -> Mapping[str, str]:
    return {
        "speaks": gettext("Speaks %(language)s"),
        "level:school": gettext("Teaches school students"),
        "level:college": gettext("Teaches college students"),
        "level": gettext("Teaches students at your level"),
        "specializes": gettext("Specializes in %(field)s"),
        "expert": gettext("Expert in %(field)s"),
        "city": gettext("Same city"),
        "state": gettext("Same state"),
        "time_zone": gettext("Similar time zone"),
        "goal": gettext("Experience in %(goal)s"),
        "rated": gettext("Rated %(rating).1f out of 5"),
        "replies": gettext("Usually replies within a day"),
    }


def compatibility(
    student: StudentFacts,
    mentor: MentorFacts,
    *,
    at: dt.datetime,
    language_names: Mapping[str, str] | None = None,
    term_label: Callable[[str], str] = str,
) -> Compatibility:
    """Score one mentor for one student (0–1) with the reasons, strongest first.

    `at` fixes the instant for time-zone offsets (DST); `language_names` turns codes into names for the reasons and
    `term_label` a typed field or goal into what the reader sees (this module imports no app's lists).
    """
    language_names = language_names or {}
    language, language_code = language_match(student, mentor)
    field_score, field_label = field_match(student, mentor)
    goals, goal_label = career_goals_match(student, mentor)
    location, place = location_match(student, mentor, at)
    components = {
        "language": language,
        "academic_level": academic_level_match(student, mentor),
        "field": field_score,
        "location": location,
        "career_goals": goals,
        "rating": rating_match(mentor),
        "availability": availability_match(mentor),
        "experience": experience_match(mentor),
    }
    score = sum(WEIGHTS[name] * value for name, value in components.items())

    reasons: list[Reason] = []

    def add(component: str, text: str) -> None:
        reasons.append(Reason(component, text, WEIGHTS[component] * components[component]))

    phrases = _phrases()
    if language_code:
        name = language_names.get(language_code, language_code)
        add("language", phrases["speaks"] % {"language": name})
    if components["academic_level"]:
        add("academic_level", phrases.get(f"level:{student.academic_level}", phrases["level"]))
    if field_label and field_score == FIELD_SPECIALIZATION:
        add("field", phrases["specializes"] % {"field": term_label(field_label)})
    elif field_label:
        add("field", phrases["expert"] % {"field": term_label(field_label)})
    if place:
        add("location", phrases[place])
    if goal_label:
        add("career_goals", phrases["goal"] % {"goal": term_label(goal_label)})
    if mentor.average_rating is not None and mentor.average_rating >= REASON_MIN_RATING:
        add("rating", phrases["rated"] % {"rating": mentor.average_rating})
    if components["availability"] == AVAILABILITY_FAST:
        add("availability", phrases["replies"])
    if mentor.experience_years >= REASON_MIN_EXPERIENCE_YEARS:
        add("experience", _years_of_experience(mentor.experience_years))
    reasons.sort(key=lambda reason: reason.weight, reverse=True)
    return Compatibility(score=score, components=components, reasons=tuple(reasons))
