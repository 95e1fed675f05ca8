"""The fake server enforces the Razorpay rules our code relies on, as seen through the real SDK."""

import pytest
import razorpay
from razorpay.errors import BadRequestError, ServerError, SignatureVerificationError

from tests.fake_razorpay import hmac_hex


@pytest.fixture
def client(fake_razorpay):
    fake_razorpay.reset()
    return razorpay.Client(auth=(fake_razorpay.key_id, fake_razorpay.key_secret), base_url=fake_razorpay.base_url)


def paid_payment(fake, client, amount=50_000) -> dict:
    order = client.order.create({"amount": amount, "currency": "INR", "receipt": "r1"}, timeout=5)
    result = fake.pay(order["id"])
    return client.payment.capture(result["razorpay_payment_id"], amount, {"currency": "INR"}, timeout=5)


def test_wrong_credentials_are_refused(fake_razorpay):
    stranger = razorpay.Client(auth=(fake_razorpay.key_id, "wrong"), base_url=fake_razorpay.base_url)
    with pytest.raises(BadRequestError, match="api key"):
        stranger.order.create({"amount": 10_000, "currency": "INR"}, timeout=5)


@pytest.mark.parametrize(
    "order",
    [
        {"amount": 99, "currency": "INR"},
        {"amount": 100.5, "currency": "INR"},
        {"amount": "100", "currency": "INR"},
        {"amount": 10_000, "currency": "USD"},
        {"amount": 10_000, "currency": "INR", "receipt": "x" * 41},
    ],
)
def test_orders_need_integer_paise_of_at_least_100_in_inr(client, order):
    with pytest.raises(BadRequestError):
        client.order.create(order, timeout=5)


def test_checkout_result_is_signed_like_razorpay(fake_razorpay, client):
    order = client.order.create({"amount": 10_000, "currency": "INR"}, timeout=5)
    result = fake_razorpay.pay(order["id"])

    assert client.utility.verify_payment_signature(result) is True
    assert result["razorpay_signature"] == hmac_hex(
        fake_razorpay.key_secret, f"{order['id']}|{result['razorpay_payment_id']}"
    )
    with pytest.raises(SignatureVerificationError):
        client.utility.verify_payment_signature({**result, "razorpay_order_id": "order_other"})


def test_capture_only_of_an_authorised_payment_for_its_exact_amount(fake_razorpay, client):
    order = client.order.create({"amount": 10_000, "currency": "INR"}, timeout=5)
    payment_id = fake_razorpay.pay(order["id"])["razorpay_payment_id"]
    failed_id = fake_razorpay.fail(order["id"])["error"]["metadata"]["payment_id"]

    with pytest.raises(BadRequestError, match="equal to the amount"):
        client.payment.capture(payment_id, 9_999, {"currency": "INR"}, timeout=5)
    with pytest.raises(BadRequestError, match="authorized"):
        client.payment.capture(failed_id, 10_000, {"currency": "INR"}, timeout=5)
    assert client.payment.capture(payment_id, 10_000, {"currency": "INR"}, timeout=5)["status"] == "captured"
    with pytest.raises(BadRequestError, match="already been captured"):
        client.payment.capture(payment_id, 10_000, {"currency": "INR"}, timeout=5)
    assert client.order.fetch(order["id"], timeout=5)["status"] == "paid"
    assert [p["status"] for p in client.order.payments(order["id"], timeout=5)["items"]] == ["captured", "failed"]


def test_refunds_never_exceed_what_is_captured_and_not_refunded(fake_razorpay, client):
    payment = paid_payment(fake_razorpay, client, 50_000)

    client.payment.refund(payment["id"], {"amount": 30_000}, timeout=5)
    with pytest.raises(BadRequestError, match="greater than amount captured"):
        client.payment.refund(payment["id"], {"amount": 20_001}, timeout=5)
    client.payment.refund(payment["id"], {"amount": 20_000}, timeout=5)

    fetched = client.payment.fetch(payment["id"], timeout=5)
    assert (fetched["status"], fetched["amount_refunded"], fetched["refund_status"]) == ("refunded", 50_000, "full")


def test_refund_idempotency_key_replays_the_same_refund_and_refuses_a_different_body(fake_razorpay, client):
    payment = paid_payment(fake_razorpay, client)
    headers = {"X-Refund-Idempotency": "refund-key-1"}

    first = client.payment.refund(payment["id"], {"amount": 10_000}, headers=dict(headers), timeout=5)
    again = client.payment.refund(payment["id"], {"amount": 10_000}, headers=dict(headers), timeout=5)
    with pytest.raises(BadRequestError, match="idempotency"):
        client.payment.refund(payment["id"], {"amount": 20_000}, headers=dict(headers), timeout=5)

    assert first["id"] == again["id"]
    assert client.payment.fetch(payment["id"], timeout=5)["amount_refunded"] == 10_000


def test_payouts_need_an_idempotency_key_and_replay_it(fake_razorpay, client):
    body = {
        "account_number": "2323230041626905",
        "fund_account_id": "fa_00000000000001",
        "amount": 150_000,
        "currency": "INR",
        "mode": "IMPS",
        "purpose": "payout",
    }
    with pytest.raises(BadRequestError, match="Idempotency"):
        client.post("/v1/payouts", dict(body), timeout=5)

    first = client.post("/v1/payouts", dict(body), headers={"X-Payout-Idempotency": "week-1"}, timeout=5)
    again = client.post("/v1/payouts", dict(body), headers={"X-Payout-Idempotency": "week-1"}, timeout=5)
    with pytest.raises(BadRequestError):
        client.post("/v1/payouts", {**body, "amount": 1}, headers={"X-Payout-Idempotency": "week-1"}, timeout=5)

    assert first["id"] == again["id"] and first["status"] == "processing"
    assert fake_razorpay.settle_payout(first["id"])["status"] == "processed"


def test_outages_surface_as_server_errors(fake_razorpay, client):
    fake_razorpay.state.fail_next_requests = 1
    with pytest.raises(ServerError):
        client.order.create({"amount": 10_000, "currency": "INR"}, timeout=5)
    assert client.order.create({"amount": 10_000, "currency": "INR"}, timeout=5)["status"] == "created"


def test_webhook_deliveries_are_signed_with_the_webhook_secret(fake_razorpay, client):
    payment = paid_payment(fake_razorpay, client)

    body, headers = fake_razorpay.webhook("payment.captured", payment_id=payment["id"], event_id="evt_1")

    assert client.utility.verify_webhook_signature(body, headers["X-Razorpay-Signature"], fake_razorpay.webhook_secret)
    assert headers["X-Razorpay-Event-Id"] == "evt_1"
