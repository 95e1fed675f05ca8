"""Database helpers the apps share: one lock per mentor's time, and retrying a use case that lost a lock race.

Lock order (DESIGN.md §7 "Locks in one order"), for every path that touches a mentor's time: the payment row (when
there is one; ``payments`` locks it before calling a purpose handler) → the mentor's time (``lock_mentor_time``) →
bookings → sessions. A path that takes them in this order cannot deadlock with another; should PostgreSQL still
report a deadlock or a serialization failure, the use case is run again (``retry_on_lock_conflict``).
"""

import functools
import logging
import random
import time

from django.db import OperationalError, connection
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

_MENTOR_TIME_LOCKS = 1001  # the first key of pg_advisory_xact_lock(int, int): what kind of thing is locked
LOCK_CONFLICTS = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


def lock_mentor_time(mentor_user_id: int) -> None:
    """Serialise, until the transaction ends, the use cases that change this mentor's booked time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_MENTOR_TIME_LOCKS, mentor_user_id])


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, LOCK_CONFLICTS)


def retry_on_lock_conflict(*, attempts: int = 3, give_up=None):
    """Run the decorated use case again (after a short random pause) when PostgreSQL aborted it for a deadlock or a
    serialization failure. After ``attempts`` it raises ``give_up()`` if given, else the error. Inside a caller's
    transaction it cannot retry (the whole transaction is lost) and raises at once."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except OperationalError as exc:
                    if not is_lock_conflict(exc) or connection.in_atomic_block:
                        raise
                    logger.warning("%s lost a lock race (%s), attempt %s of %s", func.__name__, exc, attempt, attempts)
                    if attempt == attempts:
                        if give_up is not None:
                            raise give_up() from exc
                        raise
                    time.sleep(random.uniform(0.005, 0.05) * attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
