"""Celery tasks of messaging: each takes ids and calls a service."""

from celery import shared_task

from sessions_app.messaging import services


@shared_task
def refresh_response_times() -> int:
    """Daily: mentors' response time and returning-student share as the 90-day window moves on."""
    return services.response_times_refresh()
