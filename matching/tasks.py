"""Celery tasks of `matching`: thin wrappers of the recommendation services (ids in, services called)."""

from celery import shared_task

from matching import services
from matching.recommender import precompute

MENTOR_REFRESH_CHUNK = 500


@shared_task(name="matching.refresh_recommendations", acks_late=True)
def refresh_recommendations(student_ids: list[int]) -> int:
    return services.recommendations_refresh(student_ids=student_ids)


@shared_task(name="matching.precompute_recommendations", acks_late=True)
def precompute_recommendations() -> int:
    """Nightly: every student's list (resumes an unfinished run)."""
    return services.recommendations_precompute_all()


@shared_task(name="matching.sweep_recommendation_events", acks_late=True)
def sweep_recommendation_events() -> int:
    """Every minute: log new bookings, reviews and tips; refresh the students whose picture changed."""
    changed = sorted(services.interactions_sweep())
    for start in range(0, len(changed), services.PRECOMPUTE_CHUNK_SIZE):
        refresh_recommendations.delay(changed[start : start + services.PRECOMPUTE_CHUNK_SIZE])
    return len(changed)


@shared_task(name="matching.refresh_recommendations_for_mentor", acks_late=True)
def refresh_recommendations_for_mentor(mentor_id: int) -> int:
    """A mentor was listed or changed: refit here (so the chunks below include the mentor), then refresh, in
    chunks, the students the mentor could be recommended to."""
    precompute.forget_model()
    chunk: list[int] = []
    count = 0
    for student_id in precompute.students_fitting(mentor_id).iterator(chunk_size=2000):
        chunk.append(student_id)
        if len(chunk) == MENTOR_REFRESH_CHUNK:
            refresh_recommendations.delay(chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        refresh_recommendations.delay(chunk)
        count += len(chunk)
    return count


@shared_task(name="matching.refresh_next_open_slots", acks_late=True)
def refresh_next_open_slots() -> int:
    """Every 15 minutes: the cards' next open slot, for the documents whose stored one has passed."""
    return services.search_documents_next_open_sweep()


@shared_task(name="matching.prune_interactions", acks_late=True)
def prune_interactions() -> int:
    return services.interactions_prune()


@shared_task(name="matching.refresh_suggestion_statistics", acks_late=True)
def refresh_suggestion_statistics() -> tuple[int, int]:
    """Hourly: recount the terms behind the skill suggestions."""
    return services.suggestion_statistics_refresh()
