"""Payout operations: the payout state machine under webhooks in any order, staff retries and holds, a mentor's own
payout request, and payout reconciliation, all through the real SDK against the fake RazorpayX."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Notification
from payments.ledger import ledger_release_escrow
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MentorPayoutDetails,
    Payout,
    PayoutEvent,
    PayoutHold,
)
from payments.payout_ops import payout_hold_place, payout_hold_release, payout_request, payout_retry
from payments.payouts import payout_create, payout_destination_for, payouts_run_weekly
from payments.selectors import mentor_balances
from payments.tasks import reconcile_payouts
from tests.factories import UserFactory
from tests.payments.test_concurrency import run_in_threads

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)
Status = Payout.Status


@pytest.fixture(autouse=True)
def payout_account(settings):
    settings.RAZORPAYX_ACCOUNT_NUMBER = "2323230041626905"


@pytest.fixture
def admin(db):
    return UserFactory(role="admin", is_staff=True)


def earn(captured_payment, mentor, amount_paise: int) -> None:
    """A completed session: the mentor's 70 % becomes available."""
    ledger_release_escrow(payment=captured_payment(amount_paise, payee=mentor))


def with_bank_details(mentor):
    MentorPayoutDetails.objects.create(
        mentor=mentor, account_holder_name=mentor.full_name, bank_account_number="50100123456789", ifsc="HDFC0001234"
    )
    return mentor


def pay(mentor, amount_paise: int = 140_000) -> Payout:
    return payout_create(
        mentor=mentor,
        amount_paise=amount_paise,
        destination=payout_destination_for(mentor),
        idempotency_key=f"test-{mentor.pk}",
    )


def deliver(client, razorpay_keys, event: str, payout: Payout) -> None:
    body, headers = razorpay_keys.webhook(event, payout_id=payout.razorpay_payout_id)
    response = client.post("/api/payments/webhook/", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200


def assert_ledger_balanced() -> None:
    unbalanced = LedgerEntry.objects.values("transaction").annotate(total=Sum("amount_paise")).exclude(total=0)
    assert not unbalanced.exists()


def payout_positions(payout: Payout) -> dict[str, int]:
    rows = (
        LedgerEntry.objects.filter(transaction__payout=payout).values("account__kind").annotate(t=Sum("amount_paise"))
    )
    return {row["account__kind"]: row["t"] for row in rows if row["t"]}


# --- webhooks in any order -------------------------------------------------------------------------------------


INITIATED = ("processing", "payout.initiated")
SCENARIOS = {
    # final status: the bank's steps, each delivered as a webhook of the entity at that moment (None: no change)
    Status.PROCESSED: [INITIATED, ("processed", "payout.processed"), (None, "payout.updated")],
    Status.REVERSED: [INITIATED, ("processed", "payout.processed"), ("reversed", "payout.reversed")],
    Status.FAILED: [INITIATED, ("failed", "payout.failed"), (None, "payout.updated")],
}
ORDER = [Status.PENDING, Status.QUEUED, Status.PROCESSING, Status.PROCESSED, Status.REVERSED, Status.FAILED]


@pytest.mark.parametrize("final", list(SCENARIOS))
def test_payout_webhooks_in_every_order_end_in_the_same_state_and_a_balanced_ledger(
    client, captured_payment, razorpay_keys, final
):
    for order in itertools.permutations(range(3)):
        mentor = with_bank_details(UserFactory(role="mentor"))
        earn(captured_payment, mentor, 200_000)
        razorpay_keys.state.payout_initial_status = "queued"
        payout = pay(mentor)
        assert payout.status == Status.QUEUED
        deliveries = []
        for outcome, event in SCENARIOS[final]:
            if outcome is not None:
                razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome=outcome)
            deliveries.append(razorpay_keys.webhook(event, payout_id=payout.razorpay_payout_id))
        for index in order:
            body, headers = deliveries[index]
            client.post("/api/payments/webhook/", data=body, content_type="application/json", headers=headers)

        payout.refresh_from_db()
        assert payout.status == final, order
        statuses = list(payout.events.filter(kind=PayoutEvent.Kind.STATUS).values_list("status", flat=True))
        # Never backwards: a late "processing" after "processed" is ignored.
        assert statuses[-1] == final and statuses == sorted(statuses, key=ORDER.index), order
        if final == Status.PROCESSED:
            assert payout.utr and mentor_balances(mentor) == (0, 0, 140_000)
            assert payout_positions(payout) == {"mentor_payable": 140_000, "gateway": -140_000}
        else:
            assert payout.failure_reason and mentor_balances(mentor) == (0, 140_000, 0)
            assert payout_positions(payout) == {}
        assert LedgerTransaction.objects.filter(payout=payout, kind="payout_reversal").count() == (final != "processed")
    assert_ledger_balanced()


def test_a_reversal_after_processing_gives_the_money_back_from_the_gateway_and_tells_the_mentor(
    client, captured_payment, mentor, razorpay_keys
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payout = pay(mentor)
    razorpay_keys.settle_payout(payout.razorpay_payout_id)
    deliver(client, razorpay_keys, "payout.processed", payout)
    assert mentor_balances(mentor) == (0, 0, 140_000)

    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="reversed")
    deliver(client, razorpay_keys, "payout.reversed", payout)
    deliver(client, razorpay_keys, "payout.processed", payout)  # a late redelivery changes nothing

    payout.refresh_from_db()
    assert payout.status == Status.REVERSED and payout.utr and "offline" in payout.failure_reason
    reversal = LedgerTransaction.objects.get(payout=payout, kind="payout_reversal")
    legs = {entry.account.kind: entry.amount_paise for entry in reversal.entries.select_related("account")}
    assert legs == {"gateway": 140_000, "mentor_payable": -140_000}
    assert mentor_balances(mentor) == (0, 140_000, 0)
    kinds = list(
        Notification.objects.filter(recipient=mentor, kind__startswith="payments.payout").values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["payments.payout_failed", "payments.payout_sent"]
    assert_ledger_balanced()


# --- staff retry -----------------------------------------------------------------------------------------------


def test_staff_retry_a_failed_payout_with_a_new_key_for_the_same_amount_and_an_audit_entry(
    client, captured_payment, mentor, razorpay_keys, admin
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    failed = pay(mentor)
    razorpay_keys.settle_payout(failed.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", failed)
    failed.refresh_from_db()
    assert failed.status == Status.FAILED and "IFSC" in failed.failure_reason

    retry = payout_retry(payout_id=failed.pk, reason="Mentor corrected the IFSC", actor=admin)

    assert (retry.amount_paise, retry.origin, retry.retry_of_id) == (140_000, Payout.Origin.RETRY, failed.pk)
    assert retry.idempotency_key != failed.idempotency_key
    assert retry.status == Status.PROCESSING and retry.razorpay_payout_id != failed.razorpay_payout_id
    sent = razorpay_keys.state.payouts[retry.razorpay_payout_id]
    assert sent["amount"] == 140_000
    trail = failed.events.get(kind=PayoutEvent.Kind.RETRIED)
    assert (trail.actor, trail.source, trail.note) == (admin, PayoutEvent.Source.STAFF, "Mentor corrected the IFSC")
    assert retry.events.get(kind=PayoutEvent.Kind.CREATED).actor == admin
    assert mentor_balances(mentor) == (0, 0, 140_000)

    razorpay_keys.settle_payout(retry.razorpay_payout_id)
    deliver(client, razorpay_keys, "payout.processed", retry)
    assert mentor_balances(mentor) == (0, 0, 140_000)
    transit = LedgerEntry.objects.filter(account__kind=LedgerAccount.Kind.PAYOUTS_IN_TRANSIT).aggregate(
        t=Sum("amount_paise")
    )
    assert transit["t"] == 0
    assert_ledger_balanced()


def test_a_payout_is_retried_once_only_when_it_failed_and_only_with_a_reason(
    client, captured_payment, mentor, razorpay_keys, admin
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payout = pay(mentor)
    with pytest.raises(ValidationError) as in_flight:
        payout_retry(payout_id=payout.pk, reason="again", actor=admin)
    assert in_flight.value.code == "not_retryable"
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", payout)
    with pytest.raises(ValidationError):
        payout_retry(payout_id=payout.pk, reason="  ", actor=admin)

    payout_retry(payout_id=payout.pk, reason="first", actor=admin)
    with pytest.raises(ValidationError) as again:
        payout_retry(payout_id=payout.pk, reason="second", actor=admin)

    assert again.value.code == "already_retried"
    assert Payout.objects.filter(mentor=mentor).count() == 2
    assert_ledger_balanced()


def test_a_retry_waits_while_the_mentor_is_on_hold_or_the_balance_was_paid_out_meanwhile(
    client, captured_payment, mentor, razorpay_keys, admin
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payout = pay(mentor)
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", payout)
    hold = payout_hold_place(mentor=mentor, reason="fraud_review", note="Checking recent refunds.", actor=admin)

    with pytest.raises(ValidationError) as held:
        payout_retry(payout_id=payout.pk, reason="retry", actor=admin)
    assert held.value.code == "on_hold"

    payout_hold_release(hold_id=hold.pk, note="Review done", actor=admin)
    assert payouts_run_weekly(today=MONDAY)["paid"] == 1  # the weekly run paid the returned balance
    with pytest.raises(ValidationError) as busy:
        payout_retry(payout_id=payout.pk, reason="retry", actor=admin)
    assert busy.value.code == "in_flight"
    assert not Payout.objects.filter(retry_of=payout).exists()
    assert_ledger_balanced()


# --- holds -----------------------------------------------------------------------------------------------------


def test_held_mentors_are_skipped_by_the_weekly_run_until_released_and_are_told_why(
    captured_payment, mentor, razorpay_keys, admin
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    hold = payout_hold_place(
        mentor=mentor, reason="dispute", note="A student disputes the session of 2 June.", actor=admin
    )

    counts = payouts_run_weekly(today=MONDAY)

    assert (counts["on_hold"], counts["paid"]) == (1, 0)
    assert not Payout.objects.exists() and mentor_balances(mentor).available_paise == 140_000
    with pytest.raises(ValidationError):
        payout_hold_place(mentor=mentor, reason="other", note="again", actor=admin)
    notice = Notification.objects.get(recipient=mentor, kind="payments.payout_on_hold")
    assert notice.params == {"hold": hold.pk, "reason": "dispute", "note": "A student disputes the session of 2 June."}

    released = payout_hold_release(hold_id=hold.pk, note="Dispute resolved for the mentor", actor=admin)

    assert (released.released_by, released.release_note) == (admin, "Dispute resolved for the mentor")
    assert Notification.objects.filter(recipient=mentor, kind="payments.payout_hold_released").exists()
    with pytest.raises(ValidationError):
        payout_hold_release(hold_id=hold.pk, note="twice", actor=admin)
    assert payouts_run_weekly(today=MONDAY)["paid"] == 1


def test_a_hold_needs_a_mentor_a_reason_and_a_message(admin, mentor):
    with pytest.raises(ValidationError) as no_note:
        payout_hold_place(mentor=mentor, reason="dispute", note=" ", actor=admin)
    assert "note" in no_note.value.message_dict
    with pytest.raises(ValidationError):
        payout_hold_place(mentor=mentor, reason="whim", note="x", actor=admin)
    with pytest.raises(ValidationError):
        payout_hold_place(mentor=UserFactory(), reason="dispute", note="x", actor=admin)
    assert not PayoutHold.objects.exists()


# --- a mentor's own request ------------------------------------------------------------------------------------


def test_a_mentor_requests_a_payout_within_the_limits(client, captured_payment, mentor, razorpay_keys, admin):
    earn(captured_payment, mentor, 100_000)  # ₹700

    with pytest.raises(ValidationError, match="₹1,000"):
        payout_request(mentor=mentor)
    earn(captured_payment, mentor, 100_000)  # ₹1,400
    with pytest.raises(ValidationError, match="payout details"):
        payout_request(mentor=mentor)
    with_bank_details(mentor)

    payout = payout_request(mentor=mentor)

    assert (payout.origin, payout.amount_paise, payout.status) == (Payout.Origin.REQUESTED, 140_000, Status.PROCESSING)
    assert razorpay_keys.state.payouts[payout.razorpay_payout_id]["amount"] == 140_000
    assert payout.events.get(kind=PayoutEvent.Kind.CREATED).source == PayoutEvent.Source.MENTOR
    earn(captured_payment, mentor, 200_000)
    with pytest.raises(ValidationError, match="on its way"):
        payout_request(mentor=mentor)
    razorpay_keys.settle_payout(payout.razorpay_payout_id)
    deliver(client, razorpay_keys, "payout.processed", payout)
    with pytest.raises(ValidationError, match="one payout a week"):
        payout_request(mentor=mentor)

    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1), tick=False):
        hold = payout_hold_place(mentor=mentor, reason="fraud_review", note="Checking", actor=admin)
        with pytest.raises(ValidationError, match="on hold"):
            payout_request(mentor=mentor)
        payout_hold_release(hold_id=hold.pk, note="Fine", actor=admin)
        second = payout_request(mentor=mentor)

    assert second.amount_paise == 140_000
    assert mentor_balances(mentor) == (0, 0, 280_000)
    assert_ledger_balanced()


@pytest.mark.django_db(transaction=True)
def test_two_payout_requests_at_once_make_one_payout(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, with_bank_details(mentor), 200_000)

    errors = run_in_threads(2, lambda index: payout_request(mentor=mentor))

    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    payout = Payout.objects.get(mentor=mentor)
    assert payout.amount_paise == 140_000 and len(razorpay_keys.state.payouts) == 1
    assert mentor_balances(mentor) == (0, 0, 140_000)
    assert_ledger_balanced()


# --- reconciliation --------------------------------------------------------------------------------------------


def later(minutes: int = 15):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_reconciliation_applies_a_missed_processed_webhook(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payouts_run_weekly(today=MONDAY)
    payout = Payout.objects.get()
    razorpay_keys.settle_payout(payout.razorpay_payout_id)  # the webhook never arrives

    with later():
        counts = reconcile_payouts.delay().get()
        again = reconcile_payouts.delay().get()

    payout.refresh_from_db()
    assert (
        payout.status == Status.PROCESSED
        and payout.utr == razorpay_keys.state.payouts[payout.razorpay_payout_id]["utr"]
    )
    assert (counts["changed"], counts["mismatches"], again["changed"]) == (1, 0, 0)
    assert payout.events.filter(kind="status", source=PayoutEvent.Source.RECONCILIATION).count() == 1
    assert mentor_balances(mentor) == (0, 0, 140_000)
    assert_ledger_balanced()


def test_reconciliation_finds_a_reversal_after_processing(client, captured_payment, mentor, razorpay_keys):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payout = pay(mentor)
    razorpay_keys.settle_payout(payout.razorpay_payout_id)
    deliver(client, razorpay_keys, "payout.processed", payout)
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="reversed")

    with later(60 * 24):
        reconcile_payouts()

    payout.refresh_from_db()
    assert payout.status == Status.REVERSED and mentor_balances(mentor) == (0, 140_000, 0)
    assert_ledger_balanced()


def test_reconciliation_alerts_admins_once_when_razorpayx_paid_a_payout_we_gave_back(
    client, captured_payment, mentor, razorpay_keys, admin
):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    payout = pay(mentor)
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="failed")
    deliver(client, razorpay_keys, "payout.failed", payout)
    razorpay_keys.settle_payout(payout.razorpay_payout_id, outcome="processed")  # the bank paid after all

    with later():
        first = reconcile_payouts()
        second = reconcile_payouts()

    payout.refresh_from_db()
    assert payout.status == Status.FAILED  # failed is final: staff decide, the ledger is not rewritten behind them
    assert (first["mismatches"], second["mismatches"]) == (1, 1)
    mismatch = payout.events.get(kind=PayoutEvent.Kind.MISMATCH)
    assert "ours failed, RazorpayX processed" in mismatch.note
    alert = Notification.objects.get(recipient=admin, kind="payments.payout_mismatch")
    assert alert.link == f"/panel/payouts/{payout.pk}/"


def test_reconciliation_resubmits_a_payout_lost_in_a_timeout(captured_payment, mentor, razorpay_keys):
    earn(captured_payment, with_bank_details(mentor), 200_000)
    razorpay_keys.state.fail_next_requests = 1
    payout = pay(mentor)
    assert payout.status == Status.PENDING and not payout.razorpay_payout_id

    with later():
        counts = reconcile_payouts()

    payout.refresh_from_db()
    assert payout.status == Status.PROCESSING and counts["changed"] == 1
    assert len(razorpay_keys.state.payouts) == 1
