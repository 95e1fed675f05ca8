"""Income tax withheld from mentors under section 194-O (payments.tax), in the double-entry ledger."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from payments.ledger import ledger_release_escrow, payment_positions, payment_tds_withheld
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, MentorPayoutDetails
from payments.payouts import payout_details_set
from payments.selectors import mentor_balances
from payments.services import payment_refund, refund_apply_entity
from payments.tax import tds_amount
from tests.factories import MentorUserFactory
from tests.payments.test_ledger import unbalanced_transactions

pytestmark = [pytest.mark.django_db, pytest.mark.tds]

Kind = LedgerAccount.Kind


def _give_pan(mentor, pan="ABCPE1234F"):
    return MentorPayoutDetails.objects.create(
        mentor=mentor, account_holder_name=mentor.full_name, upi_id="mentor@okaxis", pan=pan
    )


def _tds_account_balance(mentor) -> int:
    total = sum(
        LedgerEntry.objects.filter(account__kind=Kind.TDS_PAYABLE, account__owner=mentor).values_list(
            "amount_paise", flat=True
        )
    )
    return -total


def test_release_withholds_five_percent_without_a_pan(captured_payment, mentor):
    payment = captured_payment(100_000)

    ledger_release_escrow(payment=payment)

    # 70 % of ₹1,000 is ₹700; section 206AA: 5 % of it without a PAN.
    assert payment_tds_withheld(payment) == 3_500
    assert _tds_account_balance(mentor) == 3_500
    assert mentor_balances(mentor).available_paise == 70_000 - 3_500
    tds = LedgerTransaction.objects.get(payment=payment, kind=LedgerTransaction.Kind.TDS)
    assert "206AA" in tds.memo
    # The gross split is unchanged: the tax is its own balanced transaction.
    assert payment_positions(payment)[Kind.MENTOR_PAYABLE] == 70_000
    assert unbalanced_transactions() == []


def test_release_withholds_a_tenth_of_a_percent_with_a_pan(captured_payment, mentor):
    _give_pan(mentor)
    payment = captured_payment(100_000)

    ledger_release_escrow(payment=payment)

    assert payment_tds_withheld(payment) == 70  # 0.1 % of ₹700
    assert mentor_balances(mentor).available_paise == 69_930
    assert LedgerTransaction.objects.get(payment=payment, kind="tds").memo == "194-O @ 0.1%"
    assert unbalanced_transactions() == []


def test_the_rates_are_settings(captured_payment, mentor, settings):
    settings.TDS_194O_RATE_BASIS_POINTS = 100  # the 1 % in force before October 2024
    _give_pan(mentor)
    payment = captured_payment(100_000)
    ledger_release_escrow(payment=payment)
    assert payment_tds_withheld(payment) == 700


def test_nothing_is_withheld_while_the_money_is_in_escrow(captured_payment, mentor):
    payment = captured_payment(100_000)
    assert payment_tds_withheld(payment) == 0
    assert _tds_account_balance(mentor) == 0


def test_a_tip_is_taxed_when_it_is_credited(captured_payment, mentor):
    _give_pan(mentor)
    tip = captured_payment(20_000, purpose="tip")
    assert payment_tds_withheld(tip) == 20  # 0.1 % of ₹200
    assert mentor_balances(mentor).available_paise == 19_980


def test_a_full_refund_after_release_gives_all_the_tax_back(captured_payment, mentor, razorpay_keys):
    payment = captured_payment(100_000)
    ledger_release_escrow(payment=payment)

    payment_refund(payment=payment, amount_paise=100_000, reason="support", idempotency_key=uuid.uuid4().hex)

    assert payment_tds_withheld(payment) == 0
    assert _tds_account_balance(mentor) == 0
    assert mentor_balances(mentor).available_paise == 0
    assert unbalanced_transactions() == []


def test_a_partial_refund_gives_back_tax_in_proportion(captured_payment, mentor, razorpay_keys):
    payment = captured_payment(100_000)
    ledger_release_escrow(payment=payment)

    payment_refund(payment=payment, amount_paise=50_000, reason="half", idempotency_key=uuid.uuid4().hex)

    # Half the mentor's ₹700 went back, and half the ₹35 withheld on it.
    assert payment_positions(payment)[Kind.MENTOR_PAYABLE] == 35_000
    assert payment_tds_withheld(payment) == 1_750
    assert mentor_balances(mentor).available_paise == 35_000 - 1_750
    assert unbalanced_transactions() == []


def test_a_failed_refund_withholds_the_tax_again(captured_payment, mentor, razorpay_keys):
    payment = captured_payment(100_000)
    ledger_release_escrow(payment=payment)
    refund = payment_refund(payment=payment, amount_paise=100_000, reason="r", idempotency_key=uuid.uuid4().hex)

    refund_apply_entity(entity=razorpay_keys.settle_refund(refund.razorpay_refund_id, succeed=False))

    assert payment_tds_withheld(payment) == 3_500
    assert mentor_balances(mentor).available_paise == 66_500
    assert unbalanced_transactions() == []


@pytest.mark.parametrize(
    ("paise", "basis_points", "tax"), [(70_000, 10, 70), (69_999, 10, 70), (35, 10, 0), (30, 500, 2)]
)
def test_tax_is_rounded_half_up_to_the_paisa(paise, basis_points, tax):
    assert tds_amount(paise, basis_points) == tax


# --- PAN ----------------------------------------------------------------------------------------


@pytest.fixture
def verified_mentor(settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    return MentorUserFactory()


@pytest.mark.parametrize("pan", ["ABCDE1234F", "ABCP1234F", "abcpe1234", "ABCPE12345", "1BCPE1234F"])
def test_a_pan_needs_the_format_and_a_holder_type_letter(verified_mentor, pan):
    with pytest.raises(ValidationError) as caught:
        payout_details_set(mentor=verified_mentor, account_holder_name="Asha", upi_id="asha@okaxis", pan=pan)
    assert "pan" in caught.value.message_dict


@pytest.mark.parametrize("pan", ["ABCPE1234F", "aaacb1234z", "AAGCT1234K", "AABFE1234Q"])
def test_valid_pans_are_kept_in_capitals_and_encrypted(verified_mentor, pan):
    details = payout_details_set(mentor=verified_mentor, account_holder_name="Asha", upi_id="asha@okaxis", pan=pan)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pan FROM payments_mentorpayoutdetails WHERE id = %s", [details.pk])
        raw = cursor.fetchone()[0]
    assert pan.upper() not in raw and raw.startswith("enc1:")
    assert MentorPayoutDetails.objects.get(pk=details.pk).pan == pan.upper()
    assert details.masked_pan.endswith(pan.upper()[-4:]) and pan.upper() not in details.masked_pan


def test_updating_payout_details_without_a_pan_keeps_the_one_on_file(verified_mentor):
    payout_details_set(mentor=verified_mentor, account_holder_name="Asha", upi_id="asha@okaxis", pan="ABCPE1234F")
    payout_details_set(mentor=verified_mentor, account_holder_name="Asha", upi_id="asha@oksbi")
    assert MentorPayoutDetails.objects.get(mentor=verified_mentor).pan == "ABCPE1234F"
