import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from payments.models import Payment, Refund
from payments.selectors import mentor_balances
from payments.services import payment_refund, payments_reconcile
from payments.tasks import reconcile_payments

pytestmark = pytest.mark.django_db


def later(minutes: int):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_reconciliation_captures_a_payment_whose_callback_never_arrived(
    create_payment, razorpay_keys, test_purpose, mentor
):
    payment = create_payment(60_000)
    razorpay_keys.pay(payment.razorpay_order_id)  # paid in Checkout; the browser closed before our callback

    with later(15):
        counts = reconcile_payments.delay().get()

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert razorpay_keys.state.payments[payment.razorpay_payment_id]["status"] == "captured"
    assert counts["payments_changed"] == 1
    assert test_purpose.events() == ["captured"]
    assert mentor_balances(mentor).escrow_paise == 60_000


def test_reconciliation_leaves_recent_payments_to_the_customer(create_payment, razorpay_keys):
    payment = create_payment()
    razorpay_keys.pay(payment.razorpay_order_id)

    counts = payments_reconcile()

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert counts["payments_checked"] == 0


def test_reconciliation_marks_a_failed_attempt_failed_and_prefers_a_later_success(
    create_payment, razorpay_keys, test_purpose
):
    failed_only, failed_then_paid = create_payment(), create_payment()
    razorpay_keys.fail(failed_only.razorpay_order_id)
    razorpay_keys.fail(failed_then_paid.razorpay_order_id)
    razorpay_keys.pay(failed_then_paid.razorpay_order_id)

    with later(15):
        payments_reconcile()

    failed_only.refresh_from_db()
    failed_then_paid.refresh_from_db()
    assert failed_only.status == Payment.Status.FAILED
    assert failed_then_paid.status == Payment.Status.CAPTURED


def test_reconciliation_survives_an_unreachable_gateway_and_repairs_on_the_next_run(create_payment, razorpay_keys):
    payment = create_payment()
    razorpay_keys.pay(payment.razorpay_order_id)
    razorpay_keys.state.fail_next_requests = 1

    with later(15):
        first = payments_reconcile()
        second = payments_reconcile()

    payment.refresh_from_db()
    assert first["errors"] == 1
    assert second["payments_changed"] == 1
    assert payment.status == Payment.Status.CAPTURED


def test_reconciliation_settles_a_refund_whose_webhook_was_lost(captured_payment, razorpay_keys, test_purpose):
    payment = captured_payment(40_000)
    refund = payment_refund(payment=payment, amount_paise=40_000, reason="r", idempotency_key="k")
    razorpay_keys.settle_refund(refund.razorpay_refund_id)

    with later(15):
        payments_reconcile()

    refund.refresh_from_db()
    assert refund.status == Refund.Status.PROCESSED
    assert test_purpose.events() == ["captured", "refund_processed"]


def test_reconciliation_submits_a_refund_that_never_reached_the_gateway_exactly_once(captured_payment, razorpay_keys):
    payment = captured_payment(40_000)
    razorpay_keys.state.fail_next_requests = 1
    refund = payment_refund(payment=payment, amount_paise=10_000, reason="r", idempotency_key="k")
    assert refund.razorpay_refund_id == ""

    with later(15):
        payments_reconcile()
        payments_reconcile()

    refund.refresh_from_db()
    assert refund.razorpay_refund_id in razorpay_keys.state.refunds
    assert len(razorpay_keys.state.refunds) == 1
