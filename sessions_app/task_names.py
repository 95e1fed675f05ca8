"""The names of the Celery tasks in ``sessions_app.tasks`` that services owe through the outbox.

Services enqueue by name (``outbox.services.enqueue(task_names.NOTIFY_BOOKING, ...)``), so they never import the
tasks module, which imports them; ``tests/sessions_app/test_task_names.py`` checks each name is registered.
"""

EXPIRE_PAYMENT = "sessions_app.expire_payment"
NOTIFY_BOOKING = "sessions_app.notify_booking"
NOTIFY_DISPUTE = "sessions_app.notify_dispute"
NOTIFY_HOSTED_SESSION = "sessions_app.notify_hosted_session"
OFFER_WAITLIST_SEATS = "sessions_app.offer_waitlist_seats"
REFRESH_MENTOR_STATS = "sessions_app.refresh_mentor_stats"
REFUND_BOOKING = "sessions_app.refund_booking"
