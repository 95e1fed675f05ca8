import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from payments.ledger import ledger_release_escrow
from payments.models import MentorPayoutDetails, Payout, WebhookEvent
from payments.payouts import payout_create, payout_destination, payouts_reconcile, payouts_run_weekly
from payments.selectors import mentor_balances
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def payout_account(settings):
    settings.RAZORPAYX_ACCOUNT_NUMBER = "2323230041626905"


def give_bank_details(mentor) -> None:
    MentorPayoutDetails.objects.create(
        mentor=mentor, account_holder_name=mentor.full_name, bank_account_number="50100123456789", ifsc="HDFC0001234"
    )


def bank(mentor) -> dict:
    return payout_destination(
        name=mentor.full_name,
        email=mentor.email,
        reference=f"mentor-{mentor.pk}",
        bank_account_number="50100123456789",
        ifsc="HDFC0001234",
    )


def earn(captured_payment, mentor, amount_paise: int) -> None:
    """A completed session: the mentor's 70 % becomes available."""
    ledger_release_escrow(payment=captured_payment(amount_paise, payee=mentor))


def test_destination_is_a_bank_account_or_a_upi_id():
    upi = payout_destination(name="Asha", email="a@example.test", reference="m-1", upi_id="asha@okhdfc")
    assert upi["account_type"] == "vpa" and upi["vpa"] == {"address": "asha@okhdfc"}
    with pytest.raises(ValueError):
        payout_destination(name="Asha", email="a@example.test", reference="m-1")


def test_weekly_payout_pays_balances_of_1000_rupees_or_more_once(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, mentor, 200_000)  # ₹1,400 available
    poorer = UserFactory(role="mentor")
    earn(captured_payment, poorer, 100_000)  # ₹700: below the minimum
    give_bank_details(mentor)
    give_bank_details(poorer)

    first = payouts_run_weekly(today=MONDAY)
    again = payouts_run_weekly(today=MONDAY + dt.timedelta(days=3))

    assert first == {
        "paid": 1,
        "already_paid": 0,
        "no_destination": 0,
        "inactive": 0,
        "on_hold": 0,
        "in_flight": 0,
        "errors": 0,
    }
    assert again["paid"] == 0
    payout = Payout.objects.get()
    assert (payout.mentor, payout.amount_paise, payout.status) == (mentor, 140_000, Payout.Status.PROCESSING)
    assert payout.idempotency_key == f"payout-{mentor.pk}-2025-W23"
    sent = razorpay_keys.state.payouts[payout.razorpay_payout_id]
    assert sent["amount"] == 140_000 and sent["mode"] == "IMPS"
    assert mentor_balances(mentor) == (0, 0, 140_000)
    assert mentor_balances(poorer).available_paise == 70_000


def test_payouts_of_suspended_mentors_are_held_until_they_are_reinstated(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, mentor, 200_000)
    give_bank_details(mentor)
    mentor.status, mentor.is_active = "suspended", False
    mentor.save(update_fields=["status", "is_active"])

    assert payouts_run_weekly(today=MONDAY)["inactive"] == 1
    assert not Payout.objects.exists()
    assert mentor_balances(mentor).available_paise == 140_000

    mentor.status, mentor.is_active = "active", True
    mentor.save(update_fields=["status", "is_active"])
    assert payouts_run_weekly(today=MONDAY)["paid"] == 1


def test_mentors_without_payout_details_are_skipped(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, mentor, 200_000)

    assert payouts_run_weekly(today=MONDAY)["no_destination"] == 1
    assert not Payout.objects.exists()


def test_payout_processed_webhook_settles_and_reversed_returns_the_balance(
    client, captured_payment, mentor, razorpay_keys
):
    earn(captured_payment, mentor, 200_000)
    other = UserFactory(role="mentor")
    earn(captured_payment, other, 200_000)
    good = payout_create(mentor=mentor, amount_paise=140_000, destination=bank(mentor), idempotency_key="w1")
    bad = payout_create(mentor=other, amount_paise=140_000, destination=bank(other), idempotency_key="w2")
    razorpay_keys.settle_payout(good.razorpay_payout_id)
    razorpay_keys.settle_payout(bad.razorpay_payout_id, succeed=False)

    for event, payout in (("payout.processed", good), ("payout.reversed", bad)):
        body, headers = razorpay_keys.webhook(event, payout_id=payout.razorpay_payout_id)
        client.post("/api/payments/webhook/", data=body, content_type="application/json", headers=headers)

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == Payout.Status.PROCESSED
    assert bad.status == Payout.Status.REVERSED and "offline" in bad.failure_reason
    assert mentor_balances(mentor) == (0, 0, 140_000)
    assert mentor_balances(other) == (0, 140_000, 0)
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {WebhookEvent.Outcome.PROCESSED}


def test_payout_cannot_exceed_the_available_balance(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, mentor, 200_000)
    with pytest.raises(ValidationError):
        payout_create(mentor=mentor, amount_paise=140_001, destination=bank(mentor), idempotency_key="w1")
    assert razorpay_keys.state.payouts == {}


def test_payout_lost_in_a_timeout_is_resubmitted_once(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, mentor, 200_000)
    give_bank_details(mentor)
    razorpay_keys.state.fail_next_requests = 1
    payout = payout_create(mentor=mentor, amount_paise=140_000, destination=bank(mentor), idempotency_key="w1")
    assert payout.razorpay_payout_id == ""

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=15), tick=False):
        payouts_reconcile()
        payouts_reconcile()

    payout.refresh_from_db()
    assert payout.razorpay_payout_id in razorpay_keys.state.payouts
    assert len(razorpay_keys.state.payouts) == 1


def test_offline_payouts_complete_at_once(settings, captured_payment, mentor):
    earn(captured_payment, mentor, 200_000)
    settings.RAZORPAY_KEY_ID = settings.RAZORPAY_KEY_SECRET = ""

    payout = payout_create(mentor=mentor, amount_paise=100_000, destination=bank(mentor), idempotency_key="w1")

    assert payout.status == Payout.Status.PROCESSED
    assert mentor_balances(mentor) == (0, 40_000, 100_000)


def test_the_mentor_is_notified_of_a_payout_sent_and_of_one_that_failed(
    client, captured_payment, mentor, razorpay_keys
):
    from accounts.models import Notification

    earn(captured_payment, mentor, 200_000)
    other = UserFactory(role="mentor")
    earn(captured_payment, other, 200_000)
    good = payout_create(mentor=mentor, amount_paise=140_000, destination=bank(mentor), idempotency_key="w1")
    bad = payout_create(mentor=other, amount_paise=140_000, destination=bank(other), idempotency_key="w2")
    razorpay_keys.settle_payout(good.razorpay_payout_id)
    razorpay_keys.settle_payout(bad.razorpay_payout_id, succeed=False)
    for event, payout in (("payout.processed", good), ("payout.reversed", bad), ("payout.processed", good)):
        body, headers = razorpay_keys.webhook(event, payout_id=payout.razorpay_payout_id)
        client.post("/api/payments/webhook/", data=body, content_type="application/json", headers=headers)

    sent = Notification.objects.get(recipient=mentor, kind__startswith="payments.payout")
    failed = Notification.objects.get(recipient=other, kind__startswith="payments.payout")
    assert (sent.kind, sent.params["amount"]) == ("payments.payout_sent", 140_000)
    assert (failed.kind, failed.priority) == ("payments.payout_failed", "high")
    assert "offline" in failed.params["reason"]
