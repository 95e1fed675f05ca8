"""Refunds in any order of events: they apply only to captured money, and none is ever dropped."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from payments.ledger import payment_positions
from payments.models import LedgerAccount, Payment, Refund, WebhookEvent
from payments.selectors import mentor_balances
from payments.services import payments_reconcile
from payments.tasks import reconcile_payments
from tests.fake_razorpay import hmac_hex
from tests.payments.test_webhooks import authorized_attempt, capture_at_gateway, deliver

pytestmark = pytest.mark.django_db


def refund_on_dashboard(fake, payment_id: str, amount_paise: int) -> dict:
    """Support refunds on the Razorpay dashboard and Razorpay pays it back at once."""
    with fake.state.lock:
        entity = fake.state.create_refund(payment_id, {"amount": amount_paise}, None)
        return fake.state.settle_refund(entity["id"])


def refund_event_without_payment(fake, refund_id: str, event_id: str) -> tuple[str, dict]:
    body = json.dumps(
        {
            "entity": "event",
            "event": "refund.processed",
            "contains": ["refund"],
            "payload": {"refund": {"entity": dict(fake.state.refund(refund_id))}},
        }
    )
    return body, {"X-Razorpay-Signature": hmac_hex(fake.webhook_secret, body), "X-Razorpay-Event-Id": event_id}


def test_refund_event_before_any_payment_event_applies_the_payment_it_carries_first(
    client, create_payment, razorpay_keys, test_purpose, mentor
):
    payment = create_payment(50_000)
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)
    refund = refund_on_dashboard(razorpay_keys, payment_id, 20_000)

    response = deliver(client, *razorpay_keys.webhook("refund.processed", refund_id=refund["id"]))

    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.refunded_paise == 20_000
    assert Refund.objects.get().status == Refund.Status.PROCESSED
    assert test_purpose.events() == ["captured", "refund_processed"]
    assert mentor_balances(mentor).escrow_paise == 30_000


def test_refund_after_authorized_before_capture_is_taken_from_escrow_not_from_the_mentor(
    client, create_payment, razorpay_keys, test_purpose, mentor
):
    payment = create_payment(50_000)
    payment_id = authorized_attempt(razorpay_keys, payment)
    deliver(client, *razorpay_keys.webhook("payment.authorized", payment_id=payment_id))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.AUTHORIZED
    capture_at_gateway(razorpay_keys, payment, payment_id)
    refund = refund_on_dashboard(razorpay_keys, payment_id, 50_000)

    deliver(client, *razorpay_keys.webhook("refund.processed", refund_id=refund["id"]))
    deliver(client, *razorpay_keys.webhook("payment.captured", payment_id=payment_id))

    payment.refresh_from_db()
    positions = payment_positions(payment)
    assert positions.get(LedgerAccount.Kind.MENTOR_PAYABLE, 0) == 0
    assert positions.get(LedgerAccount.Kind.ESCROW, 0) == 0
    assert payment.refunded_paise == 50_000
    assert test_purpose.events() == ["captured", "refund_processed"]
    assert mentor_balances(mentor).available_paise == 0


def test_refund_of_money_not_captured_here_is_answered_non_2xx_and_applied_when_redelivered(
    client, create_payment, razorpay_keys, test_purpose, mentor
):
    payment = create_payment(50_000)
    payment_id = authorized_attempt(razorpay_keys, payment)
    deliver(client, *razorpay_keys.webhook("payment.authorized", payment_id=payment_id))
    capture_at_gateway(razorpay_keys, payment, payment_id)
    refund = refund_on_dashboard(razorpay_keys, payment_id, 10_000)
    body, headers = refund_event_without_payment(razorpay_keys, refund["id"], "evt_refund_early")

    first = deliver(client, body, headers)

    assert first.status_code == 503
    assert WebhookEvent.objects.get(event_id="evt_refund_early").outcome == WebhookEvent.Outcome.DEFERRED
    assert not Refund.objects.exists()
    assert mentor_balances(mentor).available_paise == 0

    deliver(client, *razorpay_keys.webhook("payment.captured", payment_id=payment_id))
    again = deliver(client, body, headers)

    assert again.status_code == 200
    assert WebhookEvent.objects.get(event_id="evt_refund_early").outcome == WebhookEvent.Outcome.PROCESSED
    assert Refund.objects.get().status == Refund.Status.PROCESSED
    assert mentor_balances(mentor).escrow_paise == 40_000


def test_reconciliation_applies_a_deferred_refund_event_razorpay_stopped_sending(
    client, create_payment, razorpay_keys, mentor
):
    payment = create_payment(50_000)
    payment_id = authorized_attempt(razorpay_keys, payment)
    deliver(client, *razorpay_keys.webhook("payment.authorized", payment_id=payment_id))
    capture_at_gateway(razorpay_keys, payment, payment_id)
    refund = refund_on_dashboard(razorpay_keys, payment_id, 10_000)
    deliver(client, *refund_event_without_payment(razorpay_keys, refund["id"], "evt_given_up"))

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15), tick=False):
        counts = reconcile_payments.delay().get()

    assert counts["webhooks_applied_late"] == 1
    assert WebhookEvent.objects.get(event_id="evt_given_up").outcome == WebhookEvent.Outcome.PROCESSED
    assert Refund.objects.get().status == Refund.Status.PROCESSED
    assert mentor_balances(mentor).escrow_paise == 40_000


def test_reconciliation_discovers_a_refund_the_gateway_has_and_we_never_heard_of(
    captured_payment, razorpay_keys, test_purpose, mentor
):
    payment = captured_payment(50_000)
    refund_on_dashboard(razorpay_keys, payment.razorpay_payment_id, 25_000)

    counts = payments_reconcile()
    again = payments_reconcile()

    refund = Refund.objects.get()
    assert (refund.amount_paise, refund.status) == (25_000, Refund.Status.PROCESSED)
    assert (counts["refunds_discovered"], again["refunds_discovered"]) == (1, 0)
    assert test_purpose.events() == ["captured", "refund_processed"]
    assert mentor_balances(mentor).escrow_paise == 25_000
