import os

import kombu.exceptions
import redis.exceptions
from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")

# A database outage (deadlocks and serialization failures are OperationalErrors too) or a broker outage is
# temporary: the task is retried, not thrown away.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class ReliableTask(Task):
    """The base of every task: retried on transient errors with exponential backoff and jitter (1 s, 2 s, … at
    most 5 min, about 30 min in all), acknowledged only after it ran, and redelivered when its worker dies.
    Redelivery re-runs a task that may have done its work already: tasks are idempotent (keys per effect)."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 10
    acks_late = True
    reject_on_worker_lost = True


app = Celery("peerlearn", task_cls=ReliableTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_for(task_name: str) -> str:
    """The queue settings.CELERY_TASK_ROUTES sends `task_name` to ("default" when no pattern matches)."""
    return app.amqp.router.route({}, task_name)["queue"].name
