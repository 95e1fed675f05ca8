import json
import random

import pytest

from payments.models import Payment, Refund, WebhookEvent
from payments.selectors import mentor_balances
from payments.services import payment_refund
from tests.fake_razorpay import hmac_hex

pytestmark = pytest.mark.django_db

WEBHOOK_URL = "/api/payments/webhook/"


def deliver(client, body: str, headers: dict):
    return client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def authorized_attempt(fake, payment) -> str:
    """A customer pays in Checkout, but the browser never comes back to our callback."""
    return fake.pay(payment.razorpay_order_id)["razorpay_payment_id"]


def capture_at_gateway(fake, payment, payment_id: str) -> None:
    with fake.state.lock:
        fake.state.capture(payment_id, {"amount": payment.amount_paise, "currency": "INR"})


def test_payment_captured_webhook_captures_the_payment(client, create_payment, razorpay_keys, test_purpose, mentor):
    payment = create_payment(40_000)
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)

    response = deliver(client, *razorpay_keys.webhook("payment.captured", payment_id=payment_id))

    assert response.status_code == 200
    assert response.json() == {"status": "processed"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events() == ["captured"]
    assert mentor_balances(mentor).escrow_paise == 40_000


def test_order_paid_webhook_captures_the_payment(client, create_payment, razorpay_keys):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)

    deliver(client, *razorpay_keys.webhook("order.paid", payment_id=payment_id))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED


def test_duplicate_deliveries_are_stored_once_and_applied_once(client, create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)
    body, headers = razorpay_keys.webhook("payment.captured", payment_id=payment_id)

    for _attempt in range(3):
        assert deliver(client, body, headers).status_code == 200

    event = WebhookEvent.objects.get()
    assert event.delivery_count == 3
    assert event.outcome == WebhookEvent.Outcome.PROCESSED
    assert test_purpose.events() == ["captured"]


def test_failed_then_captured_in_any_order_ends_captured(client, create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    failed_id = razorpay_keys.fail(payment.razorpay_order_id)["error"]["metadata"]["payment_id"]
    good_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, good_id)
    deliveries = [
        razorpay_keys.webhook("payment.failed", payment_id=failed_id),
        razorpay_keys.webhook("payment.captured", payment_id=good_id),
        razorpay_keys.webhook("order.paid", payment_id=good_id),
    ]

    for body, headers in [deliveries[1], deliveries[2], deliveries[0]]:
        assert deliver(client, body, headers).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.razorpay_payment_id == good_id
    assert test_purpose.events() == ["captured"]


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_deliveries_always_end_captured_with_one_capture(
    client, create_payment, razorpay_keys, test_purpose, mentor, seed
):
    payment = create_payment(30_000)
    failed_ids = [razorpay_keys.fail(payment.razorpay_order_id)["error"]["metadata"]["payment_id"] for _ in range(2)]
    good_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, good_id)
    deliveries = [razorpay_keys.webhook("payment.failed", payment_id=pid) for pid in failed_ids]
    deliveries += [razorpay_keys.webhook(name, payment_id=good_id) for name in ("payment.captured", "order.paid")]
    deliveries += deliveries[:2]
    random.Random(seed).shuffle(deliveries)

    for body, headers in deliveries:
        assert deliver(client, body, headers).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events().count("captured") == 1
    assert mentor_balances(mentor).escrow_paise == 30_000


def test_bad_signature_is_refused_and_nothing_is_stored(client, create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)
    body, headers = razorpay_keys.webhook("payment.captured", payment_id=payment_id, secret="not-the-secret")

    response = deliver(client, body, headers)
    tampered = deliver(client, body.replace("captured", "failed"), razorpay_keys.webhook("order.paid")[1])
    unsigned = deliver(client, body, {"X-Razorpay-Event-Id": "evt_unsigned"})

    assert response.status_code == tampered.status_code == unsigned.status_code == 400
    assert not WebhookEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert test_purpose.calls == []


def test_signature_is_checked_over_the_raw_body_not_a_reserialisation(client, create_payment, razorpay_keys):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)
    capture_at_gateway(razorpay_keys, payment, payment_id)
    body, headers = razorpay_keys.webhook("payment.captured", payment_id=payment_id)
    reformatted = json.dumps(json.loads(body), indent=2)

    assert deliver(client, reformatted, headers).status_code == 400
    assert deliver(client, body, headers).status_code == 200


def test_unknown_event_is_stored_and_ignored(client, create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)

    response = deliver(client, *razorpay_keys.webhook("payment.dispute.created", payment_id=payment_id))

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.event, event.outcome) == ("payment.dispute.created", WebhookEvent.Outcome.IGNORED)
    assert event.payload["payload"]["payment"]["entity"]["id"] == payment_id
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert test_purpose.calls == []


def test_webhook_for_an_order_we_never_created_is_stored_and_ignored(client, razorpay_keys):
    with razorpay_keys.state.lock:
        order = razorpay_keys.state.create_order({"amount": 10_000, "currency": "INR"})
        attempt = razorpay_keys.state.attempt(order["id"], succeed=True)
        razorpay_keys.state.capture(attempt["id"], {"amount": 10_000})

    response = deliver(client, *razorpay_keys.webhook("payment.captured", payment_id=attempt["id"]))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().outcome == WebhookEvent.Outcome.IGNORED


def test_payment_authorized_webhook_captures_after_commit(
    client, create_payment, razorpay_keys, test_purpose, django_capture_on_commit_callbacks
):
    payment = create_payment()
    payment_id = authorized_attempt(razorpay_keys, payment)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, *razorpay_keys.webhook("payment.authorized", payment_id=payment_id))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert razorpay_keys.state.payments[payment_id]["status"] == "captured"
    assert test_purpose.events() == ["captured"]


def test_refund_processed_webhook_settles_the_refund(client, captured_payment, razorpay_keys, test_purpose):
    payment = captured_payment(50_000)
    refund = payment_refund(payment=payment, amount_paise=50_000, reason="mentor cancelled", idempotency_key="k")
    razorpay_keys.settle_refund(refund.razorpay_refund_id)
    body, headers = razorpay_keys.webhook("refund.processed", refund_id=refund.razorpay_refund_id)

    deliver(client, body, headers)
    deliver(client, body, headers)

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == Refund.Status.PROCESSED
    assert payment.refunded_paise == 50_000
    assert test_purpose.events() == ["captured", "refund_processed"]


def test_refund_failed_webhook_puts_the_money_back_in_escrow(client, captured_payment, razorpay_keys, mentor):
    payment = captured_payment(50_000)
    refund = payment_refund(payment=payment, amount_paise=20_000, reason="r", idempotency_key="k")
    assert mentor_balances(mentor).escrow_paise == 30_000
    razorpay_keys.settle_refund(refund.razorpay_refund_id, succeed=False)

    deliver(client, *razorpay_keys.webhook("refund.failed", refund_id=refund.razorpay_refund_id))

    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED
    assert mentor_balances(mentor).escrow_paise == 50_000
    # The failed refund no longer counts: the whole payment can be refunded again.
    again = payment_refund(payment=payment, amount_paise=50_000, reason="r", idempotency_key="k2")
    assert again.status == Refund.Status.PENDING


def test_refund_webhook_arriving_before_we_stored_the_refund_id_still_matches(
    client, captured_payment, razorpay_keys, test_purpose
):
    from payments.services import refund_submit

    payment = captured_payment(50_000)
    razorpay_keys.state.fail_next_requests = 1
    refund = payment_refund(payment=payment, amount_paise=10_000, reason="r", idempotency_key="k")
    # Razorpay made the refund but our side never heard back: only the notes link the two.
    with razorpay_keys.state.lock:
        entity = razorpay_keys.state.create_refund(
            payment.razorpay_payment_id,
            {"amount": 10_000, "notes": {"refund_id": str(refund.pk), "purpose": "test", "reference_id": "7"}},
            "k",
        )
        razorpay_keys.state.settle_refund(entity["id"])

    deliver(client, *razorpay_keys.webhook("refund.processed", refund_id=entity["id"]))

    refund.refresh_from_db()
    assert (refund.status, refund.razorpay_refund_id) == (Refund.Status.PROCESSED, entity["id"])
    assert refund_submit(refund=refund).status == Refund.Status.PROCESSED
    assert len(razorpay_keys.state.refunds) == 1


def test_refund_made_on_the_dashboard_is_recorded(client, captured_payment, razorpay_keys, mentor):
    payment = captured_payment(50_000)
    with razorpay_keys.state.lock:
        entity = razorpay_keys.state.create_refund(payment.razorpay_payment_id, {"amount": 15_000}, None)
        razorpay_keys.state.settle_refund(entity["id"])

    deliver(client, *razorpay_keys.webhook("refund.processed", refund_id=entity["id"]))

    refund = Refund.objects.get()
    assert (refund.amount_paise, refund.status) == (15_000, Refund.Status.PROCESSED)
    assert mentor_balances(mentor).escrow_paise == 35_000


@pytest.mark.parametrize(
    "body",
    [
        '{"event": "payment.captured", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"event": "payment.captured", "payload": {"note": "a\\u0000b"}}',
    ],
    ids=["deeply-nested", "nul"],
)
def test_a_signed_but_hostile_body_is_refused_with_400(client, razorpay_keys, body):
    headers = {"X-Razorpay-Signature": hmac_hex(razorpay_keys.webhook_secret, body), "X-Razorpay-Event-Id": "evt_deep"}
    assert deliver(client, body, headers).status_code == 400
    assert not WebhookEvent.objects.exists()
