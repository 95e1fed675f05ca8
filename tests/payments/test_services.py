import pytest
from django.core.exceptions import ValidationError

from payments.models import LedgerAccount, Payment, Refund
from payments.selectors import mentor_balances
from payments.services import (
    payment_apply_state,
    payment_expire,
    payment_record_checkout_failure,
    payment_refund,
    payment_verify_callback,
)
from tests.fake_razorpay import hmac_hex

pytestmark = pytest.mark.django_db


def test_payment_create_makes_a_razorpay_order_through_the_sdk(create_payment, razorpay_keys, student, mentor):
    payment = create_payment(75_000, reference_id=42)

    order = razorpay_keys.state.orders[payment.razorpay_order_id]
    assert order["amount"] == 75_000
    assert order["currency"] == "INR"
    assert order["receipt"] == payment.receipt
    assert order["notes"] == {"purpose": "test", "reference_id": "42", "receipt": payment.receipt}
    assert payment.status == Payment.Status.CREATED
    assert payment.gateway == Payment.Gateway.RAZORPAY
    assert (payment.payer, payment.payee, payment.amount_paise) == (student, mentor, 75_000)


def test_each_order_gets_a_unique_receipt(create_payment):
    first, second = create_payment(), create_payment()
    assert first.receipt != second.receipt
    assert first.razorpay_order_id != second.razorpay_order_id


@pytest.mark.parametrize("amount", [99, 0, -100, 100.0, "500"])
def test_payment_create_refuses_amounts_below_one_rupee_or_not_integer_paise(create_payment, razorpay_keys, amount):
    with pytest.raises(ValidationError):
        create_payment(amount)
    assert razorpay_keys.state.orders == {}
    assert not Payment.objects.exists()


def test_payment_create_needs_a_registered_purpose(create_payment):
    with pytest.raises(ValueError, match="No payment handler"):
        create_payment(purpose="unknown-purpose")


def test_payment_create_reports_an_unreachable_gateway_as_a_validation_error(create_payment, razorpay_keys):
    razorpay_keys.state.fail_next_requests = 1
    with pytest.raises(ValidationError) as caught:
        create_payment()
    assert caught.value.code == "gateway_unavailable"
    assert not Payment.objects.exists()


def test_verified_callback_captures_the_payment_and_puts_it_in_escrow(
    create_payment, razorpay_keys, test_purpose, mentor
):
    payment = create_payment(50_000)
    result = razorpay_keys.pay(payment.razorpay_order_id)

    payment = payment_verify_callback(payment=payment, **result)

    assert payment.status == Payment.Status.CAPTURED
    assert payment.razorpay_payment_id == result["razorpay_payment_id"]
    assert razorpay_keys.state.payments[payment.razorpay_payment_id]["status"] == "captured"
    assert test_purpose.events() == ["captured"]
    assert mentor_balances(mentor) == (50_000, 0, 0)


def test_callback_with_a_bad_signature_is_refused_and_changes_nothing(create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    result = razorpay_keys.pay(payment.razorpay_order_id)

    with pytest.raises(ValidationError) as caught:
        payment_verify_callback(payment=payment, **{**result, "razorpay_signature": "0" * 64})

    assert caught.value.code == "bad_signature"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert razorpay_keys.state.payments[result["razorpay_payment_id"]]["status"] == "authorized"
    assert test_purpose.calls == []


def test_callback_signed_for_another_order_is_refused(create_payment, razorpay_keys):
    mine, other = create_payment(), create_payment()
    other_result = razorpay_keys.pay(other.razorpay_order_id)

    with pytest.raises(ValidationError) as caught:
        payment_verify_callback(payment=mine, **other_result)
    assert caught.value.code == "order_mismatch"

    # Same forgery with our order id in the form: the signature no longer matches what Razorpay signed.
    with pytest.raises(ValidationError) as caught:
        payment_verify_callback(payment=mine, **{**other_result, "razorpay_order_id": mine.razorpay_order_id})
    assert caught.value.code == "bad_signature"
    mine.refresh_from_db()
    assert mine.status == Payment.Status.CREATED


def test_callback_signed_with_our_secret_for_a_payment_of_another_order_is_refused(create_payment, razorpay_keys):
    mine, other = create_payment(), create_payment()
    other_payment_id = razorpay_keys.pay(other.razorpay_order_id)["razorpay_payment_id"]
    forged = hmac_hex(razorpay_keys.key_secret, f"{mine.razorpay_order_id}|{other_payment_id}")

    with pytest.raises(ValidationError) as caught:
        payment_verify_callback(
            payment=mine,
            razorpay_payment_id=other_payment_id,
            razorpay_order_id=mine.razorpay_order_id,
            razorpay_signature=forged,
        )
    assert caught.value.code == "order_mismatch"


def test_repeated_callback_is_harmless(create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    result = razorpay_keys.pay(payment.razorpay_order_id)

    payment_verify_callback(payment=payment, **result)
    payment = payment_verify_callback(payment=payment, **result)

    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events() == ["captured"]


def test_failed_checkout_marks_the_payment_failed_from_the_gateways_word(create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    failure = razorpay_keys.fail(payment.razorpay_order_id)

    payment = payment_record_checkout_failure(
        payment=payment, razorpay_payment_id=failure["error"]["metadata"]["payment_id"]
    )

    assert payment.status == Payment.Status.FAILED
    assert "declined" in payment.failure_reason
    assert test_purpose.events() == ["failed"]


def test_a_browser_cannot_fail_a_payment_that_razorpay_authorised(create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    good = razorpay_keys.pay(payment.razorpay_order_id)

    payment = payment_record_checkout_failure(payment=payment, razorpay_payment_id=good["razorpay_payment_id"])

    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events() == ["captured"]


def test_captured_wins_over_failed_in_either_order(create_payment, test_purpose):
    first, second = create_payment(), create_payment()
    captured = {"status": "captured", "amount_paise": 50_000, "razorpay_payment_id": "pay_A"}
    failed = {"status": "failed", "amount_paise": 50_000, "razorpay_payment_id": "pay_B"}

    payment_apply_state(order_id=first.razorpay_order_id, **failed)
    payment_apply_state(order_id=first.razorpay_order_id, **captured)
    payment_apply_state(order_id=second.razorpay_order_id, **{**captured, "razorpay_payment_id": "pay_C"})
    payment_apply_state(order_id=second.razorpay_order_id, **{**failed, "razorpay_payment_id": "pay_D"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Payment.Status.CAPTURED
    assert test_purpose.events() == ["failed", "captured", "captured"]


def test_captured_amount_must_match_the_order(create_payment, test_purpose):
    payment = create_payment(50_000)
    with pytest.raises(ValidationError):
        payment_apply_state(
            order_id=payment.razorpay_order_id, razorpay_payment_id="pay_X", status="captured", amount_paise=100
        )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED


def test_expired_payment_fails_once_and_a_late_capture_still_wins(create_payment, razorpay_keys, test_purpose):
    payment = create_payment()
    payment_expire(payment=payment)
    payment_expire(payment=payment)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED

    result = razorpay_keys.pay(payment.razorpay_order_id)
    payment = payment_verify_callback(payment=payment, **result)

    assert payment.status == Payment.Status.CAPTURED
    assert test_purpose.events() == ["failed", "captured"]


# --- refunds -------------------------------------------------------------------------------------


def test_partial_refund_then_a_refund_above_the_rest_is_rejected(captured_payment, razorpay_keys):
    payment = captured_payment(50_000)

    first = payment_refund(payment=payment, amount_paise=25_000, reason="cancelled 10 h before", idempotency_key="r1")
    with pytest.raises(ValidationError) as caught:
        payment_refund(payment=payment, amount_paise=50_000, reason="full refund", idempotency_key="r2")

    assert caught.value.code == "exceeds_refundable"
    assert first.status == Refund.Status.PENDING
    assert first.razorpay_refund_id in razorpay_keys.state.refunds
    assert list(Refund.objects.values_list("idempotency_key", flat=True)) == ["r1"]
    second = payment_refund(payment=payment, amount_paise=25_000, reason="the rest", idempotency_key="r3")
    assert razorpay_keys.state.payments[payment.razorpay_payment_id]["amount_refunded"] == 50_000
    assert second.status == Refund.Status.PENDING


def test_refund_with_the_same_key_is_made_once(captured_payment, razorpay_keys):
    payment = captured_payment(50_000)

    first = payment_refund(payment=payment, amount_paise=20_000, reason="r", idempotency_key="same")
    again = payment_refund(payment=payment, amount_paise=20_000, reason="r", idempotency_key="same")

    assert first.pk == again.pk
    assert len(razorpay_keys.state.refunds) == 1
    with pytest.raises(ValidationError) as caught:
        payment_refund(payment=payment, amount_paise=30_000, reason="r", idempotency_key="same")
    assert caught.value.code == "idempotency_conflict"


def test_refund_of_an_uncaptured_payment_is_refused(create_payment):
    with pytest.raises(ValidationError) as caught:
        payment_refund(payment=create_payment(), amount_paise=10_000, reason="r", idempotency_key="k")
    assert caught.value.code == "not_captured"


def test_refund_after_a_gateway_timeout_is_retried_with_the_same_key(captured_payment, razorpay_keys):
    from payments.services import refund_submit

    payment = captured_payment(50_000)
    razorpay_keys.state.fail_next_requests = 1
    refund = payment_refund(payment=payment, amount_paise=10_000, reason="r", idempotency_key="retry-me")
    assert refund.razorpay_refund_id == ""

    refund = refund_submit(refund=refund)

    assert refund.razorpay_refund_id in razorpay_keys.state.refunds
    assert razorpay_keys.state.payments[payment.razorpay_payment_id]["amount_refunded"] == 10_000


def test_refund_comes_out_of_escrow_and_settles_when_processed(captured_payment, razorpay_keys, mentor, test_purpose):
    from payments.services import refund_apply_entity

    payment = captured_payment(50_000)
    refund = payment_refund(payment=payment, amount_paise=25_000, reason="r", idempotency_key="k1")
    assert mentor_balances(mentor).escrow_paise == 25_000

    refund_apply_entity(entity=razorpay_keys.settle_refund(refund.razorpay_refund_id))

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == Refund.Status.PROCESSED
    assert payment.refunded_paise == 25_000
    assert test_purpose.events() == ["captured", "refund_processed"]
    refunds_payable = LedgerAccount.objects.get(kind=LedgerAccount.Kind.REFUNDS_PAYABLE)
    assert sum(refunds_payable.entries.values_list("amount_paise", flat=True)) == 0


def test_a_second_attempt_on_a_paid_order_is_never_captured(create_payment, razorpay_keys, test_purpose):
    from payments.services import payment_sync

    payment = create_payment()
    first = razorpay_keys.pay(payment.razorpay_order_id)
    with razorpay_keys.state.lock:
        # The customer paid twice from two tabs before either came back.
        second = razorpay_keys.state.attempt(payment.razorpay_order_id, succeed=True)
    payment = payment_verify_callback(payment=payment, **first)

    payment = payment_sync(payment=payment, razorpay_payment_id=second["id"])

    assert payment.razorpay_payment_id == first["razorpay_payment_id"]
    assert razorpay_keys.state.payments[second["id"]]["status"] == "authorized"
    assert test_purpose.events() == ["captured"]
