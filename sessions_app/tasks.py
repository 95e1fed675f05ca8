"""Celery tasks: each takes ids and calls a service. The periodic ones are in settings.CELERY_BEAT_SCHEDULE."""

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from mentors.models import MentorProfile
from mentors.services import mentor_stats_refresh
from sessions_app import services
from sessions_app.messaging.services import booking_question_post

logger = logging.getLogger(__name__)


# --- periodic ------------------------------------------------------------------------------------


@shared_task(name="sessions_app.expire_holds")
def expire_holds() -> int:
    """Every minute: release slots and seats whose time to pay ran out."""
    return services.bookings_expire_holds()


@shared_task(name="sessions_app.send_due_reminders")
def send_due_reminders() -> int:
    """Every minute: 24-hour and 1-hour reminders, each exactly once."""
    return services.reminders_send_due()


@shared_task(name="sessions_app.auto_complete_sessions")
def auto_complete_sessions() -> int:
    """Every 15 minutes: complete sessions whose dispute window closed undisputed, releasing escrow."""
    return services.sessions_auto_complete()


# --- after a change ------------------------------------------------------------------------------


@shared_task(name="sessions_app.notify_booking")
def notify_booking(booking_id: int, event: str) -> None:
    services.notify_booking_event(booking_id=booking_id, event=event)
    if event == "confirmed":
        # The booking's questions go into the student–mentor thread, where the mentor answers them.
        booking_question_post(booking_id=booking_id)


@shared_task(name="sessions_app.notify_hosted_session")
def notify_hosted_session(session_id: int, event: str) -> None:
    services.notify_hosted_session_event(session_id=session_id, event=event)


@shared_task(name="sessions_app.notify_dispute")
def notify_dispute(dispute_id: int) -> None:
    services.notify_dispute(dispute_id=dispute_id)


@shared_task(name="sessions_app.offer_waitlist_seats")
def offer_waitlist_seats(session_id: int) -> None:
    services.waitlist_offer_seats(session_id=session_id)


@shared_task(name="sessions_app.expire_payment")
def expire_payment(payment_id: int) -> None:
    services.booking_payment_expire(payment_id=payment_id)


@shared_task(name="sessions_app.refund_booking")
def refund_booking(booking_id: int, payment_id: int, amount_paise: int, reason: str) -> None:
    """Ask payments for a booking's refund; the idempotency key makes retries safe. A refund the gateway cannot
    take now stays pending in `payments` and its reconciliation submits it again."""
    try:
        services.booking_refund_now(
            booking_id=booking_id, payment_id=payment_id, amount_paise=amount_paise, reason=reason
        )
    except ValidationError as exc:
        logger.error("Refund of booking %s (%s paise, %s) refused: %s", booking_id, amount_paise, reason, exc)


@shared_task(name="sessions_app.refresh_mentor_stats")
def refresh_mentor_stats(mentor_user_id: int) -> None:
    profile_id = MentorProfile.objects.filter(user_id=mentor_user_id).values_list("pk", flat=True).first()
    if profile_id is not None:
        mentor_stats_refresh(mentor_id=profile_id)
