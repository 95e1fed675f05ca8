"""A webhook storm against a live server: 1,000 signed events, 30 % of them duplicates, in random order, refunds
included, from 20 concurrent senders that redeliver whatever is not answered 2xx (as Razorpay does)."""

import queue
import random
import threading
from collections import Counter

import pytest
import requests
from django.db.models import Sum

from payments.ledger import payment_positions
from payments.models import LedgerAccount, LedgerEntry, Payment, Refund, WebhookEvent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAYMENTS = 200
REFUNDED = 100  # one refund each: 200 × 3 payment events + 100 refund events = 700 distinct events
TOTAL_DELIVERIES = 1_000
SENDERS = 20


def test_every_payment_and_refund_is_applied_exactly_once_whatever_the_storm(
    live_server, create_payment, razorpay_keys, test_purpose
):
    fake = razorpay_keys
    rng = random.Random(20261204)
    payments, events = [], []
    for index in range(PAYMENTS):
        payment = create_payment(10_000 + 100 * index, reference_id=index)
        payment_id = fake.pay(payment.razorpay_order_id)["razorpay_payment_id"]
        with fake.state.lock:
            fake.state.capture(payment_id, {"amount": payment.amount_paise, "currency": "INR"})
        payments.append(payment)
        for name in ("payment.authorized", "payment.captured", "order.paid"):
            events.append(fake.webhook(name, payment_id=payment_id))
        if index < REFUNDED:
            amount = payment.amount_paise if index % 4 == 0 else payment.amount_paise * 2 // 5
            with fake.state.lock:
                refund = fake.state.create_refund(payment_id, {"amount": amount}, None)
                fake.state.settle_refund(refund["id"])
            events.append(fake.webhook("refund.processed", refund_id=refund["id"]))
    deliveries = events + [rng.choice(events) for _ in range(TOTAL_DELIVERIES - len(events))]
    rng.shuffle(deliveries)
    assert len(deliveries) == TOTAL_DELIVERIES and len(events) == 700

    pending: queue.Queue = queue.Queue()
    for delivery in deliveries:
        pending.put(delivery)
    statuses: Counter = Counter()
    lock = threading.Lock()
    url = f"{live_server.url}/api/payments/webhook/"

    def sender() -> None:
        with requests.Session() as session:
            while True:
                try:
                    body, headers = pending.get_nowait()
                except queue.Empty:
                    return
                status = session.post(url, data=body.encode(), headers=headers, timeout=30).status_code
                with lock:
                    statuses[status] += 1
                if status >= 300:
                    pending.put((body, headers))  # Razorpay redelivers anything not answered 2xx

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not statuses.keys() - {200, 503}, statuses  # never a 500; 503 only for a refund before its capture
    assert WebhookEvent.objects.count() == len(events)
    assert not WebhookEvent.objects.exclude(outcome=WebhookEvent.Outcome.PROCESSED).exists()
    for payment in payments:
        payment.refresh_from_db()
        assert payment.status == Payment.Status.CAPTURED
        gateway = fake.state.payments[payment.razorpay_payment_id]
        assert payment.refunded_paise == gateway["amount_refunded"]
        held = payment_positions(payment).get(LedgerAccount.Kind.ESCROW, 0)
        assert held == payment.amount_paise - payment.refunded_paise
    calls = Counter((name, pk) for name, pk, _status in test_purpose.calls)
    assert all(calls[("captured", payment.pk)] == 1 for payment in payments)
    assert sum(count for (name, _pk), count in calls.items() if name == "refund_processed") == REFUNDED
    assert Refund.objects.filter(status=Refund.Status.PROCESSED).count() == REFUNDED == len(fake.state.refunds)
    assert LedgerEntry.objects.aggregate(total=Sum("amount_paise"))["total"] == 0
    gateway_balance = LedgerEntry.objects.filter(account__kind=LedgerAccount.Kind.GATEWAY).aggregate(
        total=Sum("amount_paise")
    )["total"]
    at_gateway = sum(p["amount"] - p["amount_refunded"] for p in fake.state.payments.values())
    assert gateway_balance == at_gateway
