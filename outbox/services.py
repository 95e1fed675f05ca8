"""Enqueue, deliver and sweep outbox messages (see the package docstring)."""

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from mentorship.celery import queue_for
from outbox.models import DeliveredEffect, OutboxMessage

logger = logging.getLogger(__name__)

# What publishing raises when Redis (the broker) is down or unreachable.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
MAX_ATTEMPTS = 12
# After a failed publish, requests skip the broker for this long (the sweep publishes their messages): a refused
# connection costs seconds, which each request would otherwise pay again during an outage.
BROKER_PAUSE_SECONDS = 10.0
_broker_paused_until = 0.0
KEEP_DONE = timedelta(days=30)

_current_message: contextvars.ContextVar[int | None] = contextvars.ContextVar("outbox_message", default=None)

# Tasks were named after their module ("sessions_app.tasks.notify_booking") until every task got an explicit
# "<app>.<function>" name; messages stored before that still carry the old names and run under the new ones.
RENAMED_TASKS = {
    **{
        f"{app}.tasks.{function}": f"{app}.{function}"
        for app, functions in {
            "accounts": ("build_data_export", "send_guardian_consent_granted", "send_guardian_consent_request"),
            "adminpanel": (
                "auto_close_tickets",
                "notify_account_action",
                "notify_quality_review",
                "notify_ticket",
                "open_quality_reviews",
                "rollup_analytics",
                "sample_quality_audits",
            ),
            "matching": (
                "precompute_recommendations",
                "prune_interactions",
                "refresh_recommendations",
                "refresh_recommendations_for_mentor",
                "sweep_recommendation_events",
            ),
            "mentors": ("send_application_received_email", "send_verification_update_email"),
            "payments": ("capture_authorized_payment", "pay_out_mentors", "reconcile_payments", "render_invoice_pdf"),
            "sessions_app": (
                "auto_complete_sessions",
                "expire_holds",
                "expire_payment",
                "notify_booking",
                "notify_dispute",
                "notify_hosted_session",
                "offer_waitlist_seats",
                "refresh_mentor_stats",
                "refund_booking",
                "send_due_reminders",
            ),
        }.items()
        for function in functions
    },
    "accounts.tasks.privacy_housekeeping": "accounts.run_privacy_housekeeping",
}


def enqueue(task, *args) -> OutboxMessage:
    """Owe ``task(*args)``: a row in the caller's transaction, published once it commits. ``task`` is a Celery task
    or its registered name (a string), so services can owe a task without importing the module that defines it.

    A broker outage never reaches the caller: the row stays pending and ``outbox_sweep`` publishes it later.
    """
    task_name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk, task_name=task_name))
    return message


def outbox_dispatch(*, message_id: int, task_name: str = "", force: bool = False) -> bool:
    """Publish one pending message; False (logged) when the broker is unavailable or was a moment ago.

    The relay runs in the queue of the task it owes (`task_name`, settings.CELERY_TASK_ROUTES): a refund owed
    through the outbox waits behind refunds, not behind a night's notices.
    """
    global _broker_paused_until
    from outbox.tasks import deliver

    if not force and time.monotonic() < _broker_paused_until:
        return False
    try:
        options: dict[str, Any] = {"queue": queue_for(task_name)} if task_name else {}
        deliver.apply_async((message_id,), retry=False, **options)
    except BROKER_ERRORS as exc:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Outbox message %s not published (%s); the sweep will publish it.", message_id, exc)
        return False
    _broker_paused_until = 0.0
    try:
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(dispatched_at=timezone.now())
    except DatabaseError as exc:
        logger.warning("Outbox message %s published but not marked (%s).", message_id, exc)
    return True


def _retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 10 s after the first failure, at most an hour."""
    return timedelta(seconds=random.uniform(1, min(3600, 10 * 2 ** (attempts - 1))))


def outbox_deliver(*, message_id: int, worker_task_id: str) -> str:
    """Run the task a message owes, unless it is done, given up, or running elsewhere.

    A lease (``leased_until``) keeps a second copy of the message (republished by the sweep) from running at the
    same time; a redelivery or retry of the same Celery task (same task id) may take its own lease over.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True, failed_at__isnull=True)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now) | Q(leased_by=worker_task_id))
        .update(leased_until=now + lease, leased_by=worker_task_id[:64], attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    task = current_app.tasks[RENAMED_TASKS.get(message.task_name, message.task_name)]
    token = _current_message.set(message.pk)
    try:
        task(*message.args)
    except Exception as exc:
        _record_failure(message, exc)
        raise
    finally:
        _current_message.reset(token)
    OutboxMessage.objects.filter(pk=message.pk).update(done_at=timezone.now(), leased_until=None, last_error="")
    return "done"


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    """Release the lease and schedule the sweep's next try (or give up, loudly, after MAX_ATTEMPTS)."""
    now = timezone.now()
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    changes: dict = {"leased_until": None, "dispatched_at": None, "last_error": error}
    if message.attempts >= MAX_ATTEMPTS:
        changes["failed_at"] = now
        logger.error("Outbox message %s (%s) gave up after %s attempts: %s", message.pk, message, message.attempts, exc)
    else:
        changes["available_at"] = now + _retry_delay(message.attempts)
    try:
        OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    except DatabaseError:
        # The database is what failed: the lease runs out by itself and the retry (same task id) takes it over.
        logger.warning("Outbox message %s failed and could not be released: %s", message.pk, exc)


def outbox_sweep(*, now=None, limit: int = 500) -> int:
    """Publish what is due and not in flight: never published, published long ago, or released after a failure.

    Stops at the first broker error (the next sweep carries on). Also forgets done messages after 30 days.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS)
    due = (
        OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True, available_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
        .order_by("available_at")
        .values_list("pk", "task_name")[:limit]
    )
    published = 0
    for message_id, task_name in list(due):
        if not outbox_dispatch(message_id=message_id, task_name=task_name, force=True):
            break
        published += 1
    OutboxMessage.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    DeliveredEffect.objects.filter(created_at__lt=now - KEEP_DONE).delete()
    return published


@contextlib.contextmanager
def effect_once(name: str) -> Iterator[bool]:
    """Yield True unless the outbox message being delivered already produced the effect ``name``.

    Use it around an email (or any effect outside the database): a redelivered or retried message skips what it
    already sent. The claim is rolled back when the block raises, so the retry sends it. Outside an outbox delivery
    (a periodic job with its own claims) it always yields True.
    """
    message_id = _current_message.get()
    if message_id is None:
        yield True
        return
    with transaction.atomic():
        _effect, created = DeliveredEffect.objects.get_or_create(key=f"{message_id}:{name}"[:200])
        yield created
