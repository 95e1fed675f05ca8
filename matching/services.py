"""Writes of `matching`: keeping the search documents equal to the listed mentors; the recommender's log and lists."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import StudentProfile, User
from matching import page_cache, scoring, suggestions
from matching.models import (
    Interaction,
    MentorSearchDocument,
    NotInterested,
    PersonalisationOptOut,
    PrecomputeRun,
    Recommendation,
    SearchTerm,
    SuggestionPair,
    SuggestionTerm,
)
from matching.recommender import precompute
from matching.recommender.hybrid import MODEL_VERSION, Scored
from matching.selectors import FILTER_OPTIONS_CACHE_KEY, SEARCH_CONFIG, query_words
from mentors.models import MentorProfile
from mentors.selectors import listed_mentors
from mentors.slots import open_slots_for_mentors, price_for_duration_paise
from outbox.services import enqueue

SEARCH_TERM_MAX_LENGTH: int = SearchTerm._meta.get_field("word").max_length  # type: ignore[assignment]  # a CharField
# A mentor's ratings are blended with this many imaginary ratings of this value before ranking by popularity.
POPULARITY_PRIOR_COUNT = 5
POPULARITY_PRIOR_RATING = 3.5
REBUILD_BATCH_SIZE = 1000
# How far ahead a card looks for the mentor's next open slot, and how many passed ones the sweep refreshes per run.
NEXT_OPEN_DAYS = 14
NEXT_OPEN_SWEEP_LIMIT = 500
# A document with no open slot is looked at again after this long: the window moves on as days pass.
NEXT_OPEN_RECHECK = dt.timedelta(hours=1)

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


def search_document_booked_times_listener(mentor_user_id: int) -> None:
    """`mentors.hooks` booked-times listener (registered in `MatchingConfig.ready`): the next open slot moved."""
    search_documents_next_open_refresh(MentorSearchDocument.objects.filter(mentor__user_id=mentor_user_id))


def search_documents_next_open_sweep(*, now: dt.datetime | None = None, limit: int = NEXT_OPEN_SWEEP_LIMIT) -> int:
    """Refresh the next open slot of documents whose stored one has passed, and of those without one that were
    not looked at for `NEXT_OPEN_RECHECK`; at most `limit` per run (the oldest first). Returns how many."""
    now = now or timezone.now()
    due = MentorSearchDocument.objects.filter(
        Q(next_open_at__lte=now) | Q(next_open_at__isnull=True, refreshed_at__lte=now - NEXT_OPEN_RECHECK)
    ).order_by(F("next_open_at").asc(nulls_last=True), "refreshed_at", "mentor")[:limit]
    return search_documents_next_open_refresh(
        MentorSearchDocument.objects.filter(pk__in=list(due.values_list("pk", flat=True))), now=now
    )


def search_documents_next_open_refresh(documents, *, now: dt.datetime | None = None) -> int:
    """Recompute the next open slot of these documents (a bounded queryset) in a fixed number of queries; the
    cached cards are retired if any changed. Returns how many documents were looked at."""
    now = now or timezone.now()
    with transaction.atomic():
        documents = list(documents.select_for_update(of=("self",)).select_related("mentor__user"))
        if not documents:
            return 0
        starts = _next_open_starts([document.mentor for document in documents], now)
        changed = [document for document in documents if document.next_open_at != starts[document.pk]]
        for document in documents:
            document.next_open_at = starts[document.pk]
            document.refreshed_at = now
        MentorSearchDocument.objects.bulk_update(documents, ["next_open_at", "refreshed_at"])
        if changed:
            transaction.on_commit(page_cache.data_version_bump)
    return len(documents)


def _next_open_starts(mentors: Sequence[MentorProfile], now: dt.datetime) -> dict[int, dt.datetime | None]:
    """Each mentor's first bookable start within `NEXT_OPEN_DAYS` (the slot service: rules, days off, notice,
    horizon and busy times), or None."""
    slots = open_slots_for_mentors(
        mentors=mentors, start=now, end=now + dt.timedelta(days=NEXT_OPEN_DAYS), now=now, limit_per_mentor=1
    )
    return {mentor_id: found[0].start if found else None for mentor_id, found in slots.items()}


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
    starts = _next_open_starts(mentors, now)
    documents = [_document(mentor, now, starts[mentor.pk]) for mentor in mentors]
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


def _document(mentor: MentorProfile, now, next_open_at: dt.datetime | None) -> MentorSearchDocument:
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
        next_open_at=next_open_at,
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


def _search_vector(mentor: MentorProfile) -> SearchVector | CombinedExpression:
    vector: SearchVector | CombinedExpression | None = None
    for weight, texts in _searchable_texts(mentor):
        part = SearchVector(Value(" ".join(texts)), weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    assert vector is not None  # _searchable_texts always yields its four weights
    return vector


def _vocabulary(mentors: Iterable[MentorProfile]) -> set[str]:
    return {
        word
        for mentor in mentors
        for _weight, texts in _searchable_texts(mentor)
        for word in query_words(" ".join(texts))
        if len(word) <= SEARCH_TERM_MAX_LENGTH
    }


# --- recommendations ---------------------------------------------------------------------------------------------

# How long each kind of interaction is kept (the log's bounded growth); what money and sessions record is kept longer.
INTERACTION_RETENTION_DAYS = {
    Interaction.Kind.VIEW: 180,
    Interaction.Kind.CLICK: 180,
    Interaction.Kind.NOT_INTERESTED: 730,
    Interaction.Kind.BOOKING: 730,
    Interaction.Kind.COMPLETED: 730,
    Interaction.Kind.RATING: 730,
    Interaction.Kind.TIP: 730,
}
PRECOMPUTE_CHUNK_SIZE = 500


def interaction_record(
    *,
    student: User | AnonymousUser,
    mentor_id: int,
    kind: str,
    source: str = "",
    rank: int | None = None,
    value: int = 0,
) -> None:
    """Log what a student did, after the surrounding commit, unless they turned personalisation off."""
    if not student.is_authenticated or student.role != User.Role.STUDENT:
        return
    if PersonalisationOptOut.objects.filter(student=student).exists():
        return
    interaction = Interaction(
        student_id=student.pk,
        mentor_id=mentor_id,
        kind=kind,
        source=source[:16],
        rank=rank,
        value=value,
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: Interaction.objects.bulk_create([interaction]))


def not_interested_mark(*, student: User, mentor_id: int) -> None:
    """Never recommend this mentor to the student again; the list refills from the next-best mentors."""
    from matching import tasks

    if not MentorProfile.objects.filter(pk=mentor_id).exists():
        raise ValidationError(gettext("This mentor does not exist."))
    with transaction.atomic():
        NotInterested.objects.get_or_create(
            student=student, mentor_id=mentor_id, defaults={"created_at": timezone.now()}
        )
        Recommendation.objects.filter(student=student, mentor_id=mentor_id).delete()
        interaction_record(student=student, mentor_id=mentor_id, kind=Interaction.Kind.NOT_INTERESTED)
        enqueue(tasks.refresh_recommendations, [student.pk])


def personalisation_set(*, student: User, enabled: bool) -> None:
    """Turn personalisation on or off; off forgets what the log knew about the student's browsing."""
    from matching import tasks

    with transaction.atomic():
        if enabled:
            PersonalisationOptOut.objects.filter(student=student).delete()
        else:
            PersonalisationOptOut.objects.get_or_create(student=student, defaults={"created_at": timezone.now()})
            Interaction.objects.filter(
                student=student, kind__in=[Interaction.Kind.VIEW, Interaction.Kind.CLICK]
            ).delete()
        enqueue(tasks.refresh_recommendations, [student.pk])


def recommendations_write(*, lists: Mapping[int, Sequence[Scored]], computed_at: dt.datetime) -> None:
    """Replace these students' lists, all in one transaction (idempotent: the same input writes the same rows).
    Mentors no longer listed (the model was fitted a little earlier) are left out."""
    mentor_ids = {item.mentor_id for items in lists.values() for item in items}
    listed = set(MentorSearchDocument.objects.filter(pk__in=mentor_ids).values_list("pk", flat=True))
    lists = {student_id: [item for item in items if item.mentor_id in listed] for student_id, items in lists.items()}
    rows = [
        Recommendation(
            student_id=student_id,
            mentor_id=item.mentor_id,
            score=item.score,
            rank=rank,
            reasons=item.reasons,
            model_version=MODEL_VERSION,
            computed_at=computed_at,
        )
        for student_id, items in lists.items()
        for rank, item in enumerate(items, start=1)
    ]
    with transaction.atomic():
        Recommendation.objects.filter(student_id__in=list(lists)).delete()
        Recommendation.objects.bulk_create(rows, batch_size=5000)


def recommendations_refresh(*, student_ids: Sequence[int], now: dt.datetime | None = None) -> int:
    """Recompute and store the lists of these students (ids that are not active students are skipped)."""
    now = now or timezone.now()
    lists = precompute.compute(sorted(set(student_ids)), now=now)
    recommendations_write(lists=lists, computed_at=now)
    return len(lists)


def recommendations_precompute_all(*, chunk_size: int = PRECOMPUTE_CHUNK_SIZE, now: dt.datetime | None = None) -> int:
    """Every student's list, in chunks of student ids. Resumes an unfinished run (a crash, a deploy) from its cursor
    instead of starting again; returns how many students this call wrote."""
    now = now or timezone.now()
    # The log first catches up with bookings, ratings and tips the minute sweep has not seen yet.
    interactions_sweep(now=now)
    run = (
        PrecomputeRun.objects.filter(kind=PrecomputeRun.Kind.FULL, finished_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    if run is None:
        run = PrecomputeRun.objects.create(kind=PrecomputeRun.Kind.FULL, model_version=MODEL_VERSION, started_at=now)
    precompute.forget_model()
    written = 0
    students = User.objects.filter(role=User.Role.STUDENT, is_active=True).order_by("pk")
    while True:
        ids = list(students.filter(pk__gt=run.cursor).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        written += recommendations_refresh(student_ids=ids, now=now)
        run.cursor = ids[-1]
        run.students_done += len(ids)
        run.save(update_fields=["cursor", "students_done"])
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return written


def interactions_sweep(*, now: dt.datetime | None = None) -> set[int]:
    """Copy bookings, completions, ratings and paid tips since the last sweep into the log (idempotent through
    `source_key`) and return the students whose picture changed: those events, and profile edits."""
    from sessions_app.models import Booking, Review, Tip

    now = now or timezone.now()
    with transaction.atomic():
        sweep = PrecomputeRun.objects.select_for_update().filter(kind=PrecomputeRun.Kind.SWEEP).first()
        if sweep is None:
            # The first sweep backfills everything recorded before the recommender existed.
            sweep = PrecomputeRun.objects.create(
                kind=PrecomputeRun.Kind.SWEEP, model_version=MODEL_VERSION, started_at=now, watermark=None
            )
        since = sweep.watermark or dt.datetime.min.replace(tzinfo=dt.UTC)
        opted_out = PersonalisationOptOut.objects.values("student")
        rows: list[Interaction] = []
        bookings = (
            Booking.objects.filter(updated_at__gt=since, updated_at__lte=now)
            .filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED])
            .exclude(student__in=opted_out)
            .filter(session__mentor__mentor_profile__isnull=False)
            .values_list(
                "pk", "student_id", "session__mentor__mentor_profile", "status", "confirmed_at", "completed_at"
            )
        )
        for pk, student_id, mentor_id, status, confirmed_at, completed_at in bookings:
            rows.append(_swept(f"booking:{pk}", student_id, mentor_id, Interaction.Kind.BOOKING, confirmed_at or now))
            if status == Booking.Status.COMPLETED:
                rows.append(
                    _swept(f"completed:{pk}", student_id, mentor_id, Interaction.Kind.COMPLETED, completed_at or now)
                )
        reviews = (
            Review.objects.filter(updated_at__gt=since, updated_at__lte=now)
            .exclude(student__in=opted_out)
            .filter(mentor__mentor_profile__isnull=False)
            .values_list("pk", "student_id", "mentor__mentor_profile", "rating", "created_at")
        )
        for pk, student_id, mentor_id, rating, created_at in reviews:
            # A changed rating is a new fact: the key carries the stars.
            rows.append(
                _swept(f"review:{pk}:{rating}", student_id, mentor_id, Interaction.Kind.RATING, created_at, rating)
            )
        tips = (
            Tip.objects.filter(status=Tip.Status.PAID, paid_at__gt=since, paid_at__lte=now)
            .exclude(student__in=opted_out)
            .filter(mentor__mentor_profile__isnull=False)
            .values_list("pk", "student_id", "mentor__mentor_profile", "paid_at")
        )
        for pk, student_id, mentor_id, paid_at in tips:
            assert paid_at is not None  # filtered on paid_at above
            rows.append(_swept(f"tip:{pk}", student_id, mentor_id, Interaction.Kind.TIP, paid_at))
        Interaction.objects.bulk_create(rows, ignore_conflicts=True)
        changed = {row.student_id for row in rows}
        changed |= set(
            StudentProfile.objects.filter(updated_at__gt=since, updated_at__lte=now).values_list("user_id", flat=True)
        )
        changed |= set(
            User.objects.filter(role=User.Role.STUDENT, updated_at__gt=since, updated_at__lte=now).values_list(
                "pk", flat=True
            )
        )
        sweep.watermark = now
        sweep.save(update_fields=["watermark"])
    return changed


def _swept(key: str, student_id: int, mentor_id: int, kind: str, at: dt.datetime, value: int = 0) -> Interaction:
    return Interaction(
        student_id=student_id, mentor_id=mentor_id, kind=kind, value=value, source_key=key, created_at=at
    )


def interactions_prune(*, now: dt.datetime | None = None) -> int:
    """Delete log rows past their kind's retention; returns how many."""
    now = now or timezone.now()
    deleted = 0
    for kind, days in INTERACTION_RETENTION_DAYS.items():
        count, _ = Interaction.objects.filter(kind=kind, created_at__lt=now - dt.timedelta(days=days)).delete()
        deleted += count
    return deleted


def recommendations_mentor_changed_listener(mentor_id: int) -> None:
    """`mentors.hooks` listener: refit before the next list, drop an unlisted mentor from every list, and refresh
    the students the mentor now fits (chunked tasks)."""
    from matching import tasks

    precompute.catalogue_changed()
    if not MentorSearchDocument.objects.filter(pk=mentor_id).exists():
        Recommendation.objects.filter(mentor_id=mentor_id).delete()
        return
    enqueue(tasks.refresh_recommendations_for_mentor, mentor_id)


# --- skill suggestions -------------------------------------------------------------------------------------------

SUGGESTION_READ_CHUNK = 2000
SUGGESTION_WRITE_BATCH = 5000


def suggestion_statistics_refresh() -> tuple[int, int]:
    """Recount the terms of every active student's and listed mentor's profile and replace the stored statistics in
    one transaction (readers see the old counts or the new, never half). Returns (terms, pairs) written."""
    statistics = suggestions.Statistics()
    students = StudentProfile.objects.filter(user__is_active=True).values_list(
        "academic_level", "stream", "industries", *suggestions.STUDENT_VOCABULARIES
    )
    for level, stream, industries, *lists in students.iterator(chunk_size=SUGGESTION_READ_CHUNK):
        statistics.add(
            suggestions.student_bag(
                level=level,
                stream=stream,
                industries=industries,
                lists=dict(zip(suggestions.STUDENT_VOCABULARIES, lists, strict=True)),
            )
        )
    mentors = listed_mentors().values_list("levels_served", *suggestions.MENTOR_VOCABULARIES)
    for levels_served, *lists in mentors.iterator(chunk_size=SUGGESTION_READ_CHUNK):
        statistics.add(
            suggestions.mentor_bag(
                levels_served=levels_served, lists=dict(zip(suggestions.MENTOR_VOCABULARIES, lists, strict=True))
            )
        )
    terms = [
        SuggestionTerm(vocabulary=vocabulary, level=level, field=fld, key=key, label=label, uses=uses)
        for vocabulary, level, fld, key, label, uses in statistics.term_rows()
    ]
    pairs = [
        SuggestionPair(key=key, vocabulary=vocabulary, other_key=other, other_label=label, uses=uses)
        for key, vocabulary, other, label, uses in statistics.pair_rows()
    ]
    with transaction.atomic():
        SuggestionTerm.objects.all().delete()
        SuggestionPair.objects.all().delete()
        SuggestionTerm.objects.bulk_create(terms, batch_size=SUGGESTION_WRITE_BATCH)
        SuggestionPair.objects.bulk_create(pairs, batch_size=SUGGESTION_WRITE_BATCH)
    return len(terms), len(pairs)
