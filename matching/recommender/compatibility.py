"""The §7.2 compatibility of one student with every mentor of the catalogue at once (numpy).

The same numbers as `matching.scoring.compatibility` (tests hold them equal), without a Python call per pair:
precompute scores tens of thousands of students against every candidate mentor.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from matching import scoring
from matching.recommender.features import Catalogue, has_any_term


def language_scores(student: scoring.StudentFacts, catalogue: Catalogue) -> np.ndarray:
    """`scoring.language_match` for every mentor, applied from the weakest tier to the strongest."""
    scores = np.full(len(catalogue), scoring.LANGUAGE_NONE)
    if scoring.ENGLISH in student.spoken:
        scores[catalogue.speaks_any(frozenset({scoring.ENGLISH}))] = scoring.LANGUAGE_BOTH_ENGLISH
    regional = student.spoken - {scoring.ENGLISH}
    if regional:
        scores[catalogue.speaks_any(regional)] = scoring.LANGUAGE_COMMON
    if student.primary_language:
        scores[catalogue.speaks_any(frozenset({student.primary_language}))] = scoring.LANGUAGE_SPEAKS_STUDENT_PRIMARY
        scores[catalogue.primary == student.primary_language] = scoring.LANGUAGE_SAME_PRIMARY
    return scores


@lru_cache(maxsize=4096)
def _zone_compatible(first: str | None, second: str, hour: dt.datetime) -> bool:
    return scoring.time_zones_compatible(first, second, hour)


def location_scores(student: scoring.StudentFacts, catalogue: Catalogue, at: dt.datetime) -> np.ndarray:
    scores = np.zeros(len(catalogue))
    hour = at.replace(minute=0, second=0, microsecond=0)
    compatible = [zone for zone in set(catalogue.zones) if _zone_compatible(student.time_zone, zone, hour)]
    if compatible:
        scores[np.isin(catalogue.zones, compatible)] = scoring.LOCATION_NEARBY_TIME_ZONE
    state = scoring.normalize_place(student.state)
    if state:
        scores[catalogue.states == state] = scoring.LOCATION_SAME_STATE
        city = scoring.normalize_place(student.city)
        if city:
            scores[catalogue.cities == f"{state}|{city}"] = scoring.LOCATION_SAME_CITY
    return scores


def compatibility_scores(student: scoring.StudentFacts, catalogue: Catalogue, at: dt.datetime) -> np.ndarray:
    """The weighted §7.2 score (0–1) of every mentor for the student."""
    weights = scoring.WEIGHTS
    total = weights["language"] * language_scores(student, catalogue) + catalogue.quality
    if student.academic_level and student.academic_level in catalogue.levels:
        total += weights["academic_level"] * catalogue.levels[student.academic_level]
    wanted = scoring.terms(student.fields)
    if wanted:
        specialized = has_any_term(catalogue.specialization_terms, wanted, catalogue.vocabulary)
        expert = has_any_term(catalogue.expertise_terms, wanted, catalogue.vocabulary)
        field_scores = np.where(specialized, scoring.FIELD_SPECIALIZATION, np.where(expert, scoring.FIELD_EXPERTISE, 0))
        total += weights["field"] * field_scores
    goals = scoring.terms(student.career_goals)
    if goals:
        total += weights["career_goals"] * has_any_term(catalogue.goal_terms, goals, catalogue.vocabulary)
    total += weights["location"] * location_scores(student, catalogue, at)
    return total
