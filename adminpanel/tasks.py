"""Celery tasks of the staff side: each takes ids and calls a service. The periodic ones are in settings."""

import datetime as dt

from celery import shared_task

from adminpanel.services import analytics, notify, quality, support
from outbox.services import effect_once


@shared_task(name="adminpanel.auto_close_tickets")
def auto_close_tickets() -> int:
    """Hourly: close tickets resolved more than 7 days ago."""
    return support.tickets_auto_close()


@shared_task(name="adminpanel.open_quality_reviews")
def open_quality_reviews() -> int:
    """Daily: open quality reviews for mentors over a threshold."""
    return quality.quality_reviews_open_due()


@shared_task(name="adminpanel.sample_quality_audits")
def sample_quality_audits() -> int:
    """Weekly: pick completed sessions for a random audit."""
    return quality.quality_audits_sample()


@shared_task(name="adminpanel.notify_ticket")
def notify_ticket(ticket_id: int, event: str) -> None:
    with effect_once("notices") as first:
        if first:
            notify.ticket_notify(ticket_id=ticket_id, event=event)


@shared_task(name="adminpanel.notify_account_action")
def notify_account_action(action_id: int) -> None:
    with effect_once("notices") as first:
        if first:
            notify.account_action_notify(action_id=action_id)


@shared_task(name="adminpanel.notify_quality_review")
def notify_quality_review(review_id: int) -> None:
    with effect_once("notices") as first:
        if first:
            notify.quality_review_notify(review_id=review_id)


@shared_task(name="adminpanel.rollup_analytics")
def rollup_analytics(start: str | None = None, end: str | None = None) -> int:
    """Nightly: the last 30 days again. With ISO dates, a backfill of that range (idempotent)."""
    if start and end:
        return analytics.analytics_backfill(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end))
    return analytics.analytics_rollup_recent()
