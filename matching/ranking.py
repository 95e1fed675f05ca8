"""The compatibility score of `matching.scoring` as one SQL expression over `MentorSearchDocument`.

"Best match" sorts in PostgreSQL: every filtered mentor gets the exact score of `scoring.compatibility`, and only
the page being shown travels to Python (where the reasons are written). Each CASE below mirrors one component
function of `scoring`, with its constants; `tests/matching/test_ranking.py` holds both to the same numbers.

Written as SQL text with parameters rather than as ORM Case/When objects: the ORM took about 4 ms of CPU to
compile this expression on every search, more than the query takes to run.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import FloatField
from django.db.models.expressions import RawSQL

from matching import scoring
from matching.scoring import StudentFacts


def _language(student: StudentFacts) -> tuple[str, list]:
    whens, params = [], []
    if student.primary_language:
        whens += ["WHEN primary_language = %s THEN %s", "WHEN languages @> ARRAY[%s]::text[] THEN %s"]
        params += [student.primary_language, scoring.LANGUAGE_SAME_PRIMARY]
        params += [student.primary_language, scoring.LANGUAGE_SPEAKS_STUDENT_PRIMARY]
    regional = sorted(student.spoken - {scoring.ENGLISH})
    if regional:
        whens.append("WHEN languages && %s::text[] THEN %s")
        params += [regional, scoring.LANGUAGE_COMMON]
    if scoring.ENGLISH in student.spoken:
        whens.append("WHEN languages @> ARRAY[%s]::text[] THEN %s")
        params += [scoring.ENGLISH, scoring.LANGUAGE_BOTH_ENGLISH]
    return _case(whens, params, scoring.LANGUAGE_NONE)


def _academic_level(student: StudentFacts) -> tuple[str, list]:
    if not student.academic_level:
        return "0.0", []
    return _case(["WHEN levels_served @> ARRAY[%s]::text[] THEN 1.0"], [student.academic_level], 0.0)


def _field(student: StudentFacts) -> tuple[str, list]:
    wanted = sorted(scoring.terms(student.fields))
    if not wanted:
        return "0.0", []
    whens = ["WHEN specialization_terms && %s::text[] THEN %s", "WHEN expertise_terms && %s::text[] THEN %s"]
    return _case(whens, [wanted, scoring.FIELD_SPECIALIZATION, wanted, scoring.FIELD_EXPERTISE], 0.0)


def _career_goals(student: StudentFacts) -> tuple[str, list]:
    wanted = sorted(scoring.terms(student.career_goals))
    if not wanted:
        return "0.0", []
    return _case(["WHEN goal_terms && %s::text[] THEN 1.0"], [wanted], 0.0)


def _location(student: StudentFacts, compatible_zones: list[str]) -> tuple[str, list]:
    whens, params = [], []
    state = scoring.normalize_place(student.state)
    city = scoring.normalize_place(student.city)
    if state and city:
        whens.append("WHEN state_key = %s AND city_key = %s THEN %s")
        params += [state, city, scoring.LOCATION_SAME_CITY]
    if state:
        whens.append("WHEN state_key = %s THEN %s")
        params += [state, scoring.LOCATION_SAME_STATE]
    if compatible_zones:
        whens.append("WHEN time_zone = ANY(%s::text[]) THEN %s")
        params += [compatible_zones, scoring.LOCATION_NEARBY_TIME_ZONE]
    return _case(whens, params, 0.0)


def _rating() -> tuple[str, list]:
    return "LEAST(average_rating, %s) / %s", [float(scoring.MAX_RATING), float(scoring.MAX_RATING)]


def _availability() -> tuple[str, list]:
    fast_minutes = scoring.FAST_RESPONSE_HOURS * 60
    return _case(
        ["WHEN response_time_minutes < %s THEN %s"],
        [fast_minutes, scoring.AVAILABILITY_FAST],
        scoring.AVAILABILITY_SLOW,
    )


def _experience() -> tuple[str, list]:
    return "LEAST(years_experience / %s, 1.0)", [float(scoring.EXPERIENCE_FULL_YEARS)]


def _case(whens: list[str], params: list, default: float) -> tuple[str, list]:
    if not whens:
        return "%s", [default]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, default]


def compatible_time_zones(student: StudentFacts, candidates: Iterable[str], at: dt.datetime) -> list[str]:
    """Which of `candidates` (the mentors' zones) `scoring.time_zones_compatible` accepts for the student now."""
    return [zone for zone in candidates if scoring.time_zones_compatible(student.time_zone, zone, at)]


def compatibility_expression(student: StudentFacts, *, mentor_time_zones: Iterable[str], at: dt.datetime) -> RawSQL:
    """The weighted score (0–1) of `scoring.compatibility` for every row, as an annotation."""
    zones = compatible_time_zones(student, mentor_time_zones, at)
    components = {
        "language": _language(student),
        "academic_level": _academic_level(student),
        "field": _field(student),
        "location": _location(student, zones),
        "career_goals": _career_goals(student),
        "rating": _rating(),
        "availability": _availability(),
        "experience": _experience(),
    }
    terms, params = [], []
    for name, (sql, component_params) in components.items():
        terms.append(f"%s * ({sql})")
        params += [scoring.WEIGHTS[name], *component_params]
    # The SQL text comes only from the constants of this module; every value is a parameter.
    sql = f"({' + '.join(terms)})::double precision"
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611
