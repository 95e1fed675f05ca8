"""The compatibility score of `matching.scoring` as one SQL expression over `MentorSearchDocument`.

"Best match" sorts in PostgreSQL: every filtered mentor gets the exact score of `scoring.compatibility`, and only
the page being shown travels to Python (where the reasons are written). Each CASE below mirrors one component
function of `scoring`, with its constants; `tests/matching/test_ranking.py` holds both to the same numbers.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, ExpressionWrapper, F, FloatField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Least

from matching import scoring
from matching.scoring import StudentFacts


def _number(value: float) -> Value:
    return Value(value, output_field=FloatField())


def _language(student: StudentFacts) -> Combinable:
    whens = []
    if student.primary_language:
        whens += [
            When(primary_language=student.primary_language, then=_number(scoring.LANGUAGE_SAME_PRIMARY)),
            When(languages__contains=[student.primary_language], then=_number(scoring.LANGUAGE_SPEAKS_STUDENT_PRIMARY)),
        ]
    regional = sorted(student.spoken - {scoring.ENGLISH})
    if regional:
        whens.append(When(languages__overlap=regional, then=_number(scoring.LANGUAGE_COMMON)))
    if scoring.ENGLISH in student.spoken:
        whens.append(When(languages__contains=[scoring.ENGLISH], then=_number(scoring.LANGUAGE_BOTH_ENGLISH)))
    return Case(*whens, default=_number(scoring.LANGUAGE_NONE), output_field=FloatField())


def _academic_level(student: StudentFacts) -> Combinable:
    if not student.academic_level:
        return _number(0.0)
    return Case(When(levels_served__contains=[student.academic_level], then=_number(1.0)), default=_number(0.0))


def _field(student: StudentFacts) -> Combinable:
    wanted = sorted(scoring.terms(student.fields))
    if not wanted:
        return _number(0.0)
    return Case(
        When(specialization_terms__overlap=wanted, then=_number(scoring.FIELD_SPECIALIZATION)),
        When(expertise_terms__overlap=wanted, then=_number(scoring.FIELD_EXPERTISE)),
        default=_number(0.0),
    )


def _career_goals(student: StudentFacts) -> Combinable:
    wanted = sorted(scoring.terms(student.career_goals))
    if not wanted:
        return _number(0.0)
    return Case(When(goal_terms__overlap=wanted, then=_number(1.0)), default=_number(0.0))


def _location(student: StudentFacts, compatible_time_zones: Iterable[str]) -> Combinable:
    whens = []
    state = scoring.normalize_place(student.state)
    city = scoring.normalize_place(student.city)
    if state and city:
        whens.append(When(state_key=state, city_key=city, then=_number(scoring.LOCATION_SAME_CITY)))
    if state:
        whens.append(When(state_key=state, then=_number(scoring.LOCATION_SAME_STATE)))
    zones = sorted(compatible_time_zones)
    if zones:
        whens.append(When(time_zone__in=zones, then=_number(scoring.LOCATION_NEARBY_TIME_ZONE)))
    return Case(*whens, default=_number(0.0), output_field=FloatField())


def compatible_time_zones(student: StudentFacts, candidates: Iterable[str], at: dt.datetime) -> list[str]:
    """Which of `candidates` (the mentors' zones) `scoring.time_zones_compatible` accepts for the student now."""
    return [zone for zone in candidates if scoring.time_zones_compatible(student.time_zone, zone, at)]


def compatibility_expression(student: StudentFacts, *, mentor_time_zones: Iterable[str], at: dt.datetime):
    """The weighted score (0–1) of `scoring.compatibility` for every row, as an annotation."""
    weights = scoring.WEIGHTS
    components = {
        "language": _language(student),
        "academic_level": _academic_level(student),
        "field": _field(student),
        "location": _location(student, compatible_time_zones(student, mentor_time_zones, at)),
        "career_goals": _career_goals(student),
        "rating": Least(F("average_rating"), _number(scoring.MAX_RATING)) / _number(scoring.MAX_RATING),
        "availability": Case(
            When(response_time_minutes__lt=scoring.FAST_RESPONSE_HOURS * 60, then=_number(scoring.AVAILABILITY_FAST)),
            default=_number(scoring.AVAILABILITY_SLOW),
        ),
        "experience": Least(
            F("years_experience") / _number(scoring.EXPERIENCE_FULL_YEARS), _number(1.0), output_field=FloatField()
        ),
    }
    total = None
    for name, component in components.items():
        term = _number(weights[name]) * component
        total = term if total is None else total + term
    return ExpressionWrapper(total, output_field=FloatField())
