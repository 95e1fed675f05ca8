"""The recommender's inputs as plain records, and the catalogue of listed mentors as arrays.

Built from the database by `matching.recommender.precompute` or by the synthetic population of
`matching.recommender.evaluation`; every model reads these shapes only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from matching import scoring

# Implicit-feedback weight of each kind of interaction (a rating adds or removes by its stars, below).
EVENT_WEIGHTS = {"view": 0.5, "click": 1.0, "booking": 3.0, "completed": 2.0, "tip": 2.0}
# Stars at or below this mean the student did not like the mentor: the pair counts for nothing.
DISLIKE_MAX_STARS = 2
RATING_NEUTRAL_STARS = 3
MAX_PAIR_WEIGHT = 10.0
# Views repeat on every visit; only this many count.
MAX_VIEWS_COUNTED = 2


@dataclass(frozen=True)
class MentorRecord:
    id: int
    primary_language: str
    languages: frozenset[str]
    levels: frozenset[str]
    specializations: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    industry_focus: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    title: str = ""
    bio: str = ""
    skills: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    time_zone: str = "Asia/Kolkata"
    average_rating: float = 0.0
    rating_count: int = 0
    response_minutes: int | None = None
    years_experience: int = 0
    listed_since: dt.datetime | None = None

    @property
    def spoken(self) -> frozenset[str]:
        return self.languages | ({self.primary_language} if self.primary_language else frozenset())

    def facts(self) -> scoring.MentorFacts:
        return scoring.MentorFacts(
            primary_language=self.primary_language or None,
            languages=self.languages,
            levels_served=self.levels,
            specializations=self.specializations,
            expertise_areas=self.expertise,
            industry_focus=self.industry_focus,
            city=self.city,
            state=self.state,
            time_zone=self.time_zone,
            average_rating=self.average_rating if self.rating_count else None,
            response_time_hours=None if self.response_minutes is None else self.response_minutes / 60,
            experience_years=self.years_experience,
        )


@dataclass(frozen=True)
class StudentRecord:
    id: int
    facts: scoring.StudentFacts
    class_grade: int | None = None
    stream: str = ""
    subjects: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    # Codes of `StudentProfile.Challenge` and `StudentProfile.Industry`.
    challenges: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    target_roles: tuple[str, ...] = ()
    major: str = ""
    degree: str = ""
    challenge_details: str = ""


@dataclass(frozen=True)
class Event:
    student_id: int
    mentor_id: int
    kind: str
    at: dt.datetime
    value: int = 0


@dataclass
class Catalogue:
    """The listed mentors, indexed 0..n-1, with the columns compatibility needs as arrays."""

    mentors: list[MentorRecord]
    index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {mentor.id: position for position, mentor in enumerate(self.mentors)}
        codes = sorted({code for mentor in self.mentors for code in mentor.spoken})
        self.language_bits = {code: 1 << position for position, code in enumerate(codes)}
        self.language_masks = np.array(
            [sum(self.language_bits[code] for code in mentor.spoken) for mentor in self.mentors], dtype=np.int64
        )
        self.primary = np.array([mentor.primary_language for mentor in self.mentors], dtype=object)
        self.levels = {
            level: np.array([level in mentor.levels for mentor in self.mentors], dtype=bool)
            for level in {level for mentor in self.mentors for level in mentor.levels}
        }
        self.states = np.array([scoring.normalize_place(mentor.state) for mentor in self.mentors], dtype=object)
        self.cities = np.array(
            [f"{scoring.normalize_place(m.state)}|{scoring.normalize_place(m.city)}" for m in self.mentors],
            dtype=object,
        )
        self.zones = np.array([mentor.time_zone for mentor in self.mentors], dtype=object)
        vocabulary: dict[str, int] = {}
        self.specialization_terms = _term_matrix([m.specializations for m in self.mentors], vocabulary)
        self.expertise_terms = _term_matrix([m.expertise for m in self.mentors], vocabulary)
        self.goal_terms = _term_matrix([(*m.expertise, *m.industry_focus) for m in self.mentors], vocabulary)
        self.vocabulary = vocabulary
        facts = [mentor.facts() for mentor in self.mentors]
        self.quality = np.array(
            [
                scoring.WEIGHTS["rating"] * scoring.rating_match(fact)
                + scoring.WEIGHTS["availability"] * scoring.availability_match(fact)
                + scoring.WEIGHTS["experience"] * scoring.experience_match(fact)
                for fact in facts
            ]
        )
        self.ids = np.array([mentor.id for mentor in self.mentors], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.mentors)

    def speaks_any(self, codes: frozenset[str]) -> np.ndarray:
        mask = sum(self.language_bits.get(code, 0) for code in codes)
        return (self.language_masks & mask) != 0


def _term_matrix(labels_per_mentor: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> sparse.csc_matrix:
    """Mentors × words (`scoring.terms` of their labels), 1 where the mentor's labels hold the word."""
    rows, columns = [], []
    for row, labels in enumerate(labels_per_mentor):
        for word in scoring.terms(labels):
            rows.append(row)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
    # Wide enough for every word seen so far; later matrices may add words, so slicing checks the width.
    width = max(len(vocabulary), 1)
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csc_matrix((data, (rows, columns)), shape=(len(labels_per_mentor), width))


def has_any_term(matrix: sparse.csc_matrix, words: frozenset[str], vocabulary: dict[str, int]) -> np.ndarray:
    columns = [vocabulary[word] for word in words if word in vocabulary and vocabulary[word] < matrix.shape[1]]
    if not columns:
        return np.zeros(matrix.shape[0], dtype=bool)
    return np.asarray(matrix[:, columns].sum(axis=1)).ravel() > 0


def interaction_matrix(
    events: Sequence[Event], student_index: dict[int, int], catalogue: Catalogue
) -> sparse.csr_matrix:
    """Students × mentors implicit feedback: weighted by kind, a rating adds (stars above 3) or wipes the pair out
    (2 stars or fewer), capped, then log-damped so one student's many views do not dominate."""
    weights: dict[tuple[int, int], float] = {}
    views: dict[tuple[int, int], int] = {}
    disliked: set[tuple[int, int]] = set()
    for event in events:
        row = student_index.get(event.student_id)
        column = catalogue.index.get(event.mentor_id)
        if row is None or column is None:
            continue
        pair = (row, column)
        if event.kind == "rating":
            if event.value <= DISLIKE_MAX_STARS:
                disliked.add(pair)
            weights[pair] = weights.get(pair, 0.0) + max(event.value - RATING_NEUTRAL_STARS, 0)
            continue
        if event.kind == "view":
            views[pair] = views.get(pair, 0) + 1
            if views[pair] > MAX_VIEWS_COUNTED:
                continue
        weights[pair] = weights.get(pair, 0.0) + EVENT_WEIGHTS.get(event.kind, 0.0)
    pairs = [(pair, min(weight, MAX_PAIR_WEIGHT)) for pair, weight in weights.items() if pair not in disliked]
    pairs = [(pair, weight) for pair, weight in pairs if weight > 0]
    rows = [pair[0] for pair, _weight in pairs]
    columns = [pair[1] for pair, _weight in pairs]
    data = np.log1p(np.array([weight for _pair, weight in pairs], dtype=np.float64))
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(student_index), len(catalogue)))
