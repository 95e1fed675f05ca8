import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from payments.ledger import ledger_release_escrow
from payments.models import Payment
from payments.services import payment_create, payment_refund
from tests.factories import PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def offline(settings):
    """No Razorpay keys: development and browser journeys use the built-in test checkout."""
    settings.RAZORPAY_KEY_ID = ""
    settings.RAZORPAY_KEY_SECRET = ""


# --- checkout with keys (Checkout.js) ------------------------------------------------------------


def test_checkout_page_opens_razorpay_checkout_for_our_order(
    client, create_payment, student, razorpay_keys, django_assert_max_num_queries
):
    payment = create_payment(49_900)
    client.force_login(student)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("payments:checkout", args=[payment.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "https://checkout.razorpay.com/v1/checkout.js" in html
    assert "₹499" in html
    options = json.loads(html.split('id="razorpay-options" type="application/json">')[1].split("</script>")[0])
    assert options["key"] == razorpay_keys.key_id
    assert options["order_id"] == payment.razorpay_order_id
    assert options["amount"] == 49_900
    assert "test-checkout" not in html


def test_checkout_page_is_only_for_the_payer(client, create_payment):
    payment = create_payment()
    client.force_login(UserFactory())

    assert client.get(reverse("payments:checkout", args=[payment.pk])).status_code == 404
    assert client.post(reverse("payments:callback", args=[payment.pk])).status_code == 404


def test_checkout_needs_login(client, create_payment):
    payment = create_payment()
    response = client.get(reverse("payments:checkout", args=[payment.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_callback_with_a_good_signature_confirms_and_returns_to_the_purpose(
    client, create_payment, student, razorpay_keys, test_purpose
):
    payment = create_payment(50_000, reference_id=31)
    client.force_login(student)
    result = razorpay_keys.pay(payment.razorpay_order_id)

    response = client.post(reverse("payments:callback", args=[payment.pk]), {"outcome": "success", **result})

    assert response.status_code == 302
    assert response["Location"] == "/test-purpose/31/"
    assert messages_of(response) == ["Payment of ₹500 received. Thank you!"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED


def test_callback_with_a_bad_signature_goes_back_to_checkout_with_an_error(
    client, create_payment, student, razorpay_keys, test_purpose
):
    payment = create_payment()
    client.force_login(student)
    result = {**razorpay_keys.pay(payment.razorpay_order_id), "razorpay_signature": "f" * 64}

    response = client.post(reverse("payments:callback", args=[payment.pk]), {"outcome": "success", **result})

    assert response["Location"] == reverse("payments:checkout", args=[payment.pk])
    assert messages_of(response) == ["The payment could not be verified."]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert test_purpose.calls == []


def test_callback_reporting_a_failure_marks_it_failed_with_a_clear_message(
    client, create_payment, student, razorpay_keys, test_purpose
):
    payment = create_payment()
    client.force_login(student)
    failure = razorpay_keys.fail(payment.razorpay_order_id)

    response = client.post(
        reverse("payments:callback", args=[payment.pk]),
        {"outcome": "failed", "razorpay_payment_id": failure["error"]["metadata"]["payment_id"]},
    )

    assert response["Location"] == f"/test-purpose/{payment.reference_id}/"
    [message] = messages_of(response)
    assert "did not go through" in message and "No money was taken" in message
    assert test_purpose.events() == ["failed"]


def test_incomplete_callback_is_refused_without_a_500(client, create_payment, student):
    payment = create_payment()
    client.force_login(student)

    response = client.post(reverse("payments:callback", args=[payment.pk]), {"outcome": "success"})

    assert response.status_code == 302
    assert messages_of(response) == ["The payment result was incomplete. Please try again."]


def test_callback_needs_post(client, create_payment, student):
    payment = create_payment()
    client.force_login(student)
    assert client.get(reverse("payments:callback", args=[payment.pk])).status_code == 405


def test_test_checkout_is_not_available_when_keys_are_configured(client, create_payment, student):
    payment = create_payment()
    client.force_login(student)
    response = client.post(reverse("payments:test_checkout", args=[payment.pk]), {"result": "succeed"})
    assert response.status_code == 404


def test_checkout_of_a_paid_payment_returns_to_the_purpose(client, captured_payment, student):
    payment = captured_payment()
    client.force_login(student)

    response = client.get(reverse("payments:checkout", args=[payment.pk]))

    assert response["Location"] == f"/test-purpose/{payment.reference_id}/"


# --- offline test checkout -----------------------------------------------------------------------


def test_offline_checkout_page_offers_success_and_failure(
    client, offline, student, mentor, django_assert_max_num_queries
):
    payment = payment_create(
        payer=student, purpose="test", reference_id=5, amount_paise=30_000, payee=mentor, description="Exam prep"
    )
    client.force_login(student)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("payments:checkout", args=[payment.pk]))

    html = response.content.decode()
    assert payment.gateway == Payment.Gateway.OFFLINE
    assert payment.razorpay_order_id.startswith("order_test_")
    assert "Test mode" in html
    assert "Payment succeeds" in html and "Payment fails" in html
    assert "checkout.razorpay.com" not in html


def test_offline_checkout_success_is_signed_verified_and_captured(client, offline, student, mentor, test_purpose):
    payment = payment_create(
        payer=student, purpose="test", reference_id=5, amount_paise=30_000, payee=mentor, description="Exam prep"
    )
    client.force_login(student)

    response = client.post(reverse("payments:test_checkout", args=[payment.pk]), {"result": "succeed"})

    assert response["Location"] == "/test-purpose/5/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.razorpay_payment_id.startswith("pay_test_")
    assert test_purpose.events() == ["captured"]


def test_offline_checkout_failure_fails_the_payment(client, offline, student, test_purpose):
    payment = payment_create(payer=student, purpose="test", reference_id=5, amount_paise=30_000, description="x")
    client.force_login(student)

    response = client.post(reverse("payments:test_checkout", args=[payment.pk]), {"result": "fail"})

    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert "declined" in payment.failure_reason
    assert "did not go through" in messages_of(response)[0]
    assert test_purpose.events() == ["failed"]


def test_offline_checkout_rejects_a_missing_choice(client, offline, student):
    payment = payment_create(payer=student, purpose="test", reference_id=5, amount_paise=30_000, description="x")
    client.force_login(student)

    response = client.post(reverse("payments:test_checkout", args=[payment.pk]), {"result": "maybe"})

    assert response.status_code == 400
    assert 'aria-describedby="test-result-errors"' in response.content.decode()


def test_offline_refunds_complete_at_once(client, offline, student, mentor, test_purpose):
    payment = payment_create(
        payer=student, purpose="test", reference_id=5, amount_paise=30_000, payee=mentor, description="x"
    )
    client.force_login(student)
    client.post(reverse("payments:test_checkout", args=[payment.pk]), {"result": "succeed"})
    payment.refresh_from_db()

    refund = payment_refund(payment=payment, amount_paise=15_000, reason="50% refund", idempotency_key="k")

    assert refund.status == "processed"
    assert test_purpose.events() == ["captured", "refund_processed"]


def test_offline_gateway_is_refused_in_production(settings, offline, student):
    from django.core.exceptions import ImproperlyConfigured

    settings.IS_PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        payment_create(payer=student, purpose="test", reference_id=5, amount_paise=30_000, description="x")


# --- history and earnings ------------------------------------------------------------------------


def test_student_history_lists_their_payments_and_refunds(
    client, captured_payment, student, razorpay_keys, django_assert_max_num_queries
):
    paid = captured_payment(50_000)
    payment_refund(
        payment=paid, amount_paise=25_000, reason="Cancelled 10 hours before", idempotency_key="k", kind="cancellation"
    )
    PaymentFactory.create_batch(3, payer=student, status=Payment.Status.FAILED, failure_reason="Card declined")
    PaymentFactory(description="Someone else's session")
    client.force_login(student)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("payments:history"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="payment-row"') == 4
    assert "Refund of ₹250 · Session cancelled" in html and "Cancelled 10 hours before" not in html
    assert "Card declined" in html
    assert "Someone else" not in html


def test_history_pages_load_more_as_an_htmx_partial(client, student, django_assert_max_num_queries):
    PaymentFactory.create_batch(25, payer=student)
    client.force_login(student)

    full = client.get(reverse("payments:history"))
    with django_assert_max_num_queries(10):
        partial = client.get(reverse("payments:history") + "?page=2", headers={"HX-Request": "true"})

    assert full.content.decode().count('data-testid="payment-row"') == 20
    assert 'id="more-payments"' in full.content.decode()
    body = partial.content.decode()
    assert body.count('data-testid="payment-row"') == 5
    assert "<html" not in body
    assert 'id="more-payments"' not in body


def test_history_is_empty_for_a_new_student(client, student):
    client.force_login(student)
    assert "You have not made any payments yet." in client.get(reverse("payments:history")).content.decode()


def test_mentor_earnings_show_escrow_available_and_transactions(
    client, captured_payment, mentor, django_assert_max_num_queries
):
    completed = captured_payment(100_001)
    ledger_release_escrow(payment=completed)
    captured_payment(50_000)
    client.force_login(mentor)

    # The same bound as tests/payments/test_earnings.py: the hold and the "get paid now" state come with the overview.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("payments:earnings"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="balance-escrow">₹500<' in html
    assert 'data-testid="balance-available">₹700<' in html  # 70% of ₹1,000.01, rounded down to the paisa
    assert 'data-testid="balance-paid-out">₹0<' in html
    assert html.count('data-testid="earning-row"') == 2  # a line per payment


def test_earnings_htmx_partial_renders_rows_only(client, captured_payment, mentor):
    captured_payment()
    client.force_login(mentor)

    response = client.get(reverse("payments:earnings"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.count('data-testid="earning-row"') == 1
    assert "balance-escrow" not in body


def test_earnings_are_for_mentors_only(client, student):
    client.force_login(student)
    assert client.get(reverse("payments:earnings")).status_code == 403


def test_admin_shows_payments_read_only(client, captured_payment, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    payment = captured_payment()
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    client.force_login(admin)

    listing = client.get(reverse("admin:payments_payment_changelist"))
    detail = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))

    assert listing.status_code == detail.status_code == 200
    assert payment.razorpay_order_id in listing.content.decode()
    assert client.get(reverse("admin:payments_payment_add")).status_code == 403
    assert client.get(reverse("admin:payments_ledgertransaction_changelist")).status_code == 200


def test_payment_attempts_are_rate_limited_per_user(client, offline, student):
    payment = payment_create(payer=student, purpose="test", reference_id=5, amount_paise=30_000, description="x")
    client.force_login(student)
    url = reverse("payments:test_checkout", args=[payment.pk])

    statuses = [client.post(url, {"result": "fail"}).status_code for _attempt in range(11)]

    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429


def test_checkout_of_an_authorised_payment_does_not_offer_to_pay_again(client, create_payment, student):
    from payments.services import payment_apply_state

    payment = create_payment()
    payment_apply_state(
        order_id=payment.razorpay_order_id, razorpay_payment_id="pay_X", status="authorized", amount_paise=50_000
    )
    client.force_login(student)

    html = client.get(reverse("payments:checkout", args=[payment.pk])).content.decode()

    assert "we are confirming it" in html
    assert 'id="pay-button"' not in html
