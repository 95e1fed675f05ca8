"""Weekly payouts go where the mentor's payout details say."""

import datetime as dt

import pytest

from payments.ledger import ledger_release_escrow
from payments.models import MentorPayoutDetails, Payout
from payments.payouts import payouts_run_weekly
from tests.factories import MentorProfileFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)


@pytest.fixture(autouse=True)
def payout_account(settings):
    settings.RAZORPAYX_ACCOUNT_NUMBER = "2323230041626905"


def test_mentor_with_upi_payout_details_is_paid_to_that_upi_id(captured_payment, razorpay_keys):
    mentor = MentorProfileFactory()
    MentorPayoutDetails.objects.create(mentor=mentor.user, account_holder_name="Priya Sharma", upi_id="priya@okhdfc")
    ledger_release_escrow(payment=captured_payment(200_000, payee=mentor.user))

    counts = payouts_run_weekly(today=MONDAY)

    assert counts["paid"] == 1
    payout = Payout.objects.get(mentor=mentor.user)
    assert payout.amount_paise == 140_000
    sent = razorpay_keys.state.payouts[payout.razorpay_payout_id]
    assert razorpay_keys.state.fund_accounts[sent["fund_account_id"]]["vpa"]["address"] == "priya@okhdfc"


def test_mentor_without_payout_details_is_skipped(captured_payment):
    mentor = MentorProfileFactory()
    ledger_release_escrow(payment=captured_payment(200_000, payee=mentor.user))

    assert payouts_run_weekly(today=MONDAY)["no_destination"] == 1
    assert not Payout.objects.exists()
