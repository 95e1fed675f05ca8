"""The recommender against the database: load the records, fit (cached per process), write each student's top 50.

A fitted model is kept in the process for `MODEL_MAX_AGE` and dropped early when the catalogue changes (a mentor
approved, edited or suspended bumps a version in the cache that every worker compares), so an incremental update of
one student only loads that student.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import StudentProfile, User
from matching import selectors
from matching.models import Interaction, MentorSearchDocument, NotInterested, PersonalisationOptOut
from matching.recommender.features import Catalogue, Event, MentorRecord, StudentRecord
from matching.recommender.hybrid import MODEL_VERSION, HybridModel, Scored
from mentors.models import MentorProfile

MODEL_MAX_AGE = dt.timedelta(minutes=15)
MIN_REFIT_INTERVAL = dt.timedelta(minutes=1)
CATALOGUE_VERSION_KEY = "matching:recommender:catalogue-version"
# Interactions older than this do not train the model (the retention task deletes them later).
TRAINING_WINDOW = dt.timedelta(days=365)

_lock = threading.Lock()
_fitted: dict[str, Any] = {}


def catalogue_changed() -> None:
    """Make every process refit before its next recommendation (a mentor joined, changed or left)."""
    cache.set(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, None)


def current_model(now: dt.datetime | None = None) -> HybridModel:
    """The process's fitted model, refitted when older than `MODEL_MAX_AGE`, when the catalogue changed and the
    model is older than `MIN_REFIT_INTERVAL` (mentor stats change after every review; one fit a minute is enough,
    and writes skip mentors unlisted since), or when the version is gone from the cache (flushed: refit at once)."""
    now = now or timezone.now()
    version = cache.get(CATALOGUE_VERSION_KEY)
    flushed = version is None
    if flushed:
        cache.add(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(CATALOGUE_VERSION_KEY)
    with _lock:
        model = _fitted.get("model")
        age = now - model.fitted_at if model is not None else None
        stale = (
            model is None
            or age is None
            or flushed
            or age >= MODEL_MAX_AGE
            or (_fitted.get("version") != version and age >= MIN_REFIT_INTERVAL)
        )
        if stale:
            model = fit(now)
            _fitted.update(model=model, version=version)
        assert model is not None
        return model


def forget_model() -> None:
    with _lock:
        _fitted.clear()


def fit(now: dt.datetime) -> HybridModel:
    catalogue = Catalogue(load_mentors())
    events = load_events(since=now - TRAINING_WINDOW)
    student_ids = sorted({event.student_id for event in events})
    return HybridModel(catalogue, load_students(student_ids), events, now)


def load_mentors() -> list[MentorRecord]:
    """Every listed mentor (the search documents are exactly the listed ones), with the profile's free text."""
    documents = MentorSearchDocument.objects.order_by("mentor_id")
    extra: dict[int, Any] = {
        row["pk"]: row
        for row in MentorProfile.objects.filter(pk__in=documents.values("mentor_id")).values(
            "pk", "bio", "skills", "approved_at"
        )
    }
    mentors = []
    for document in documents.iterator(chunk_size=2000):
        profile = extra.get(document.mentor_id, {})
        mentors.append(
            MentorRecord(
                id=document.mentor_id,
                primary_language=document.primary_language,
                languages=frozenset(document.languages),
                levels=frozenset(document.levels_served),
                specializations=tuple(document.specializations),
                expertise=tuple(document.expertise_areas),
                industry_focus=tuple(document.industry_focus),
                subjects=tuple(document.subjects),
                title=document.title,
                bio=profile.get("bio", ""),
                skills=tuple(profile.get("skills") or ()),
                city=document.city,
                state=document.state,
                time_zone=document.time_zone,
                average_rating=document.average_rating,
                rating_count=document.rating_count,
                response_minutes=document.response_time_minutes,
                years_experience=document.years_experience,
                listed_since=profile.get("approved_at"),
            )
        )
    return mentors


def load_students(student_ids: Iterable[int]) -> list[StudentRecord]:
    """Students (role student, active) by id, in id order; unknown or non-student ids are left out."""
    ids = list(student_ids)
    users = User.objects.filter(pk__in=ids, role=User.Role.STUDENT, is_active=True).select_related(
        "primary_language", "student_profile"
    )
    spoken: dict[int, set[str]] = {}
    for user_id, code in User.languages.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "language__code"
    ):
        spoken.setdefault(user_id, set()).add(code)
    records = []
    for user in sorted(users, key=lambda user: user.pk):
        profile = getattr(user, "student_profile", None)
        records.append(student_record(user, profile, spoken.get(user.pk, set())))
    return records


def student_record(user: User, profile: StudentProfile | None, spoken: set[str]) -> StudentRecord:
    primary = user.primary_language.code if user.primary_language else None
    facts = selectors.student_facts_from(user=user, profile=profile, spoken_codes=spoken, primary_code=primary)
    if profile is None:
        return StudentRecord(id=user.pk, facts=facts)
    return StudentRecord(
        id=user.pk,
        facts=facts,
        class_grade=profile.class_grade,
        stream=profile.stream,
        subjects=tuple(profile.subjects),
        interests=tuple(profile.interests),
        challenges=tuple(profile.challenges),
        industries=tuple(profile.industries),
        target_roles=tuple(profile.target_roles),
        major=profile.major,
        degree=profile.degree,
        challenge_details=profile.challenge_details,
    )


def load_events(*, since: dt.datetime, student_ids: Sequence[int] | None = None) -> list[Event]:
    rows = Interaction.objects.filter(created_at__gte=since).exclude(kind=Interaction.Kind.NOT_INTERESTED)
    if student_ids is not None:
        rows = rows.filter(student_id__in=student_ids)
    return [
        Event(student_id, mentor_id, kind, created_at, value)
        for student_id, mentor_id, kind, created_at, value in rows.values_list(
            "student_id", "mentor_id", "kind", "created_at", "value"
        ).iterator(chunk_size=10000)
    ]


def load_dismissed(student_ids: Sequence[int]) -> dict[int, set[int]]:
    dismissed: dict[int, set[int]] = {}
    for student_id, mentor_id in NotInterested.objects.filter(student_id__in=student_ids).values_list(
        "student_id", "mentor_id"
    ):
        dismissed.setdefault(student_id, set()).add(mentor_id)
    return dismissed


def personalised(student_ids: Sequence[int]) -> set[int]:
    opted_out = set(PersonalisationOptOut.objects.filter(student__in=student_ids).values_list("student", flat=True))
    return {student_id for student_id in student_ids if student_id not in opted_out}


def compute(student_ids: Sequence[int], *, now: dt.datetime | None = None) -> dict[int, list[Scored]]:
    """The top mentors of each given student (students who turned personalisation off get the compatibility-led
    blend with no history; ids that are not students get nothing)."""
    now = now or timezone.now()
    model = current_model(now)
    students = load_students(student_ids)
    ids = [student.id for student in students]
    allowed = personalised(ids)
    events = load_events(since=now - TRAINING_WINDOW, student_ids=sorted(allowed))
    histories: dict[int, list[Event]] = {}
    for event in events:
        histories.setdefault(event.student_id, []).append(event)
    return model.recommend(students, histories=histories, dismissed=load_dismissed(ids), at=now)


def students_fitting(mentor_id: int) -> QuerySet[Any, int]:
    """Students a (newly listed or changed) mentor could be recommended to: sharing a language, at a level served."""
    document = MentorSearchDocument.objects.filter(pk=mentor_id).values("languages", "levels_served").first()
    if document is None:
        # A queryset either way: the caller iterates it in chunks.
        return User.objects.none().values_list("pk", flat=True)
    return (
        User.objects.filter(role=User.Role.STUDENT, is_active=True)
        .filter(Q(primary_language__code__in=document["languages"]) | Q(languages__code__in=document["languages"]))
        .filter(student_profile__academic_level__in=document["levels_served"])
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )


__all__ = ["MODEL_VERSION", "compute", "current_model"]
