"""Razorpay webhooks: verified, stored before anything else, deduplicated, then applied.

Webhooks arrive at least once and in any order. We keep every signed delivery (``WebhookEvent``, unique on
``X-Razorpay-Event-Id``) and apply it through the same idempotent functions as the checkout callback and
reconciliation (payouts likewise). Processing is done inline: it is a few indexed writes under one row lock and
never calls Razorpay (a capture that a ``payment.authorized`` event asks for runs in Celery after commit), so the
reply goes out in milliseconds, far inside Razorpay's 5 s, without a queue hop that could lose or reorder events.
"""

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from razorpay.errors import SignatureVerificationError
from razorpay.utility import Utility

from outbox.services import enqueue
from payments.models import WebhookEvent
from payments.payouts import payout_apply_entity
from payments.services import PaymentNotFoundError, RefundNotReadyError, apply_payment_entity, refund_apply_entity
from payments.tasks import capture_authorized_payment

logger = logging.getLogger(__name__)

PAYMENT_EVENTS = {"payment.authorized", "payment.captured", "payment.failed", "order.paid"}
REFUND_EVENTS = {"refund.processed", "refund.failed"}
# payout.updated carries any status change; all of them go through the same forward-only state function.
PAYOUT_EVENTS = {
    "payout.queued",
    "payout.pending",
    "payout.initiated",
    "payout.processed",
    "payout.reversed",
    "payout.failed",
    "payout.rejected",
    "payout.updated",
}


class WebhookRejectedError(Exception):
    """Not a delivery we can trust (bad or missing signature, not JSON): answer 400 and store nothing."""


def webhook_receive(*, body: str, signature: str, event_id: str) -> WebhookEvent:
    """Verify a delivery over its raw body, store it once, and process it unless an earlier delivery already did."""
    secret = settings.RAZORPAY_WEBHOOK_SECRET
    if not secret or not signature:
        raise WebhookRejectedError("missing signature or webhook secret")
    try:
        Utility().verify_webhook_signature(body, signature, secret)
    except SignatureVerificationError:
        raise WebhookRejectedError("bad signature") from None
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookRejectedError("body is not JSON") from None
    except RecursionError:
        # Signed, so from Razorpay's key, but no real event nests this deep.
        raise WebhookRejectedError("body nests too deeply") from None
    if not isinstance(payload, dict):
        raise WebhookRejectedError("body is not a JSON object")
    if "\\u0000" in body:
        raise WebhookRejectedError("body carries a NUL character, which PostgreSQL cannot store")
    event_id = (event_id or hashlib.sha256(body.encode()).hexdigest())[:64]
    event, created = WebhookEvent.objects.get_or_create(
        event_id=event_id, defaults={"event": str(payload.get("event", ""))[:64], "payload": payload}
    )
    if not created:
        WebhookEvent.objects.filter(pk=event.pk).update(delivery_count=F("delivery_count") + 1)
        if event.outcome in {WebhookEvent.Outcome.PROCESSED, WebhookEvent.Outcome.IGNORED}:
            return event
    return webhook_process(event=event)


def webhook_process(*, event: WebhookEvent) -> WebhookEvent:
    """Apply one stored event. Business errors are recorded on the event (Razorpay retrying would not help);
    anything unexpected propagates, the reply is a 5xx and Razorpay's retry processes the stored event again."""
    try:
        with transaction.atomic():
            handled = _dispatch(event.event, event.payload.get("payload") or {})
        event.outcome = WebhookEvent.Outcome.PROCESSED if handled else WebhookEvent.Outcome.IGNORED
        event.error = ""
    except PaymentNotFoundError as exc:
        event.outcome = WebhookEvent.Outcome.IGNORED
        event.error = f"not one of our orders: {exc}"
    except RefundNotReadyError as exc:
        # Not final: the reply asks Razorpay to deliver it again, and reconciliation retries it meanwhile.
        event.outcome = WebhookEvent.Outcome.DEFERRED
        event.error = f"payment {exc} is not captured here yet"
    except (ValidationError, KeyError, TypeError) as exc:
        logger.error("Webhook %s (%s) could not be applied: %s", event.event_id, event.event, exc)
        event.outcome = WebhookEvent.Outcome.ERROR
        event.error = str(exc)[:2000]
    event.processed_at = timezone.now()
    event.save(update_fields=["outcome", "error", "processed_at"])
    return event


def _dispatch(name: str, payload: dict) -> bool:
    if name in PAYMENT_EVENTS:
        entity = payload["payment"]["entity"]
        payment = apply_payment_entity(entity)
        if entity["status"] == "authorized":
            enqueue(capture_authorized_payment, payment.pk, entity["id"])
        return True
    if name in REFUND_EVENTS:
        payment_entity = (payload.get("payment") or {}).get("entity")
        return refund_apply_entity(entity=payload["refund"]["entity"], payment_entity=payment_entity) is not None
    if name in PAYOUT_EVENTS:
        return payout_apply_entity(entity=payload["payout"]["entity"]) is not None
    return False


def webhooks_retry_deferred(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Apply again the events that had to wait for an earlier one (reconciliation, in case Razorpay gave up)."""
    deferred = WebhookEvent.objects.filter(
        outcome=WebhookEvent.Outcome.DEFERRED, received_at__lt=timezone.now() - older_than
    ).order_by("received_at")
    return sum(webhook_process(event=event).outcome != WebhookEvent.Outcome.DEFERRED for event in deferred)
