import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import charges, packages, scholarships
from payments.ledger import (
    charge_positions,
    ledger_account,
    ledger_release_escrow,
    mentor_share,
    payment_positions,
    payment_tds_withheld,
)
from payments.models import (
    Charge,
    Coupon,
    CouponRedemption,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PackagePurchase,
    Payment,
    Refund,
    ScholarshipGrant,
)
from payments.selectors import mentor_balances
from payments.services import (
    payment_record_checkout_failure,
    payment_refund,
    payment_verify_callback,
    refund_apply_entity,
)
from tests.factories import MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = LedgerAccount.Kind


def unbalanced_transactions() -> list:
    return list(
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_paise"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )


def check_constraints_now() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@given(st.integers(min_value=0, max_value=10**15))
def test_the_split_gives_the_mentor_70_percent_rounded_down_and_loses_no_paisa(total):
    to_mentor = mentor_share(total)
    assert to_mentor == total * 7 // 10
    assert 0 <= to_mentor <= total
    assert to_mentor + (total - to_mentor) == total


def test_release_gives_the_mentor_70_percent_and_the_platform_the_rest(captured_payment, mentor):
    payment = captured_payment(99_999)

    release = ledger_release_escrow(payment=payment)

    amounts = {entry.account.kind: entry.amount_paise for entry in release.entries.select_related("account")}
    assert amounts == {Kind.ESCROW: 99_999, Kind.MENTOR_PAYABLE: -69_999, Kind.PLATFORM_REVENUE: -30_000}
    assert mentor_balances(mentor) == (0, 69_999, 0)
    payment.refresh_from_db()
    assert payment.released_at is not None


def test_release_is_idempotent_and_ignores_uncaptured_payments(captured_payment, create_payment):
    payment = captured_payment()
    assert ledger_release_escrow(payment=payment) is not None
    assert ledger_release_escrow(payment=payment) is None
    assert ledger_release_escrow(payment=create_payment()) is None
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.RELEASE).count() == 1


def test_tips_go_straight_to_the_mentor(captured_payment, mentor, test_purpose):
    tip = captured_payment(5_000, purpose="tip")

    assert tip.holds_in_escrow is False
    assert mentor_balances(mentor) == (0, 5_000, 0)
    assert ledger_release_escrow(payment=tip) is None
    assert test_purpose.tip.events() == ["captured"]


def test_refund_after_release_comes_back_out_of_mentor_and_platform_shares(captured_payment, mentor):
    payment = captured_payment(10_001)
    ledger_release_escrow(payment=payment)

    payment_refund(payment=payment, amount_paise=5_000, reason="dispute", idempotency_key="a")
    payment_refund(payment=payment, amount_paise=5_001, reason="dispute", idempotency_key="b")

    positions = payment_positions(payment)
    assert positions.get(Kind.MENTOR_PAYABLE, 0) == 0
    assert positions.get(Kind.PLATFORM_REVENUE, 0) == 0
    assert positions[Kind.REFUNDS_PAYABLE] == 10_001
    assert mentor_balances(mentor) == (0, 0, 0)


def test_an_unbalanced_transaction_is_refused_by_the_database(db):
    account = ledger_account(Kind.GATEWAY)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        txn = LedgerTransaction.objects.create(kind=LedgerTransaction.Kind.CAPTURE)
        LedgerEntry.objects.create(transaction=txn, account=account, amount_paise=100)
        check_constraints_now()


def test_ledger_entries_are_append_only(captured_payment):
    captured_payment()
    entry = LedgerEntry.objects.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_paise=1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


# --- the invariant over random sequences of events -------------------------------------------------------------

AMOUNTS = st.sampled_from([100, 199, 10_000, 33_333, 50_000, 99_999])
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "fail", "release", "refund", "settle", "bounce"]),
        st.integers(min_value=0, max_value=2),
        st.sampled_from(["min", "half", "all", "third", "too_much"]),
    ),
    min_size=1,
    max_size=14,
)


def _refund_amount(payment: Payment, choice: str) -> int:
    return {
        "min": 100,
        "half": payment.amount_paise // 2,
        "all": payment.amount_paise,
        "third": payment.amount_paise // 3,
        "too_much": payment.amount_paise + 1,
    }[choice]


@pytest.mark.tds  # tax withheld on every credit to the mentor, given back with refunds
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(AMOUNTS, min_size=3, max_size=3), tip=st.booleans(), operations=OPERATIONS)
def test_ledger_invariants_hold_over_random_sequences_of_events(
    create_payment, razorpay_keys, amounts, tip, operations
):
    mentor = UserFactory(role="mentor")
    payments = [
        create_payment(amount, payee=mentor, purpose="tip" if tip and index == 2 else "test")
        for index, amount in enumerate(amounts)
    ]

    for operation, index, choice in operations:
        payment = Payment.objects.get(pk=payments[index].pk)
        if operation == "pay" and payment.status != Payment.Status.CAPTURED:
            payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
        elif operation == "fail" and payment.status != Payment.Status.CAPTURED:
            failure = razorpay_keys.fail(payment.razorpay_order_id)
            payment_record_checkout_failure(
                payment=payment, razorpay_payment_id=failure["error"]["metadata"]["payment_id"]
            )
        elif operation == "release":
            ledger_release_escrow(payment=payment)
        elif operation == "refund":
            amount = _refund_amount(payment, choice)
            outstanding = sum(r.amount_paise for r in payment.refunds.exclude(status=Refund.Status.FAILED))
            allowed = payment.status == Payment.Status.CAPTURED and 100 <= amount <= payment.amount_paise - outstanding
            try:
                payment_refund(payment=payment, amount_paise=amount, reason="r", idempotency_key=uuid.uuid4().hex)
            except ValidationError:
                assert not allowed
            else:
                assert allowed
        elif operation in {"settle", "bounce"}:
            pending = payment.refunds.filter(status=Refund.Status.PENDING).exclude(razorpay_refund_id="").first()
            if pending is not None:
                entity = razorpay_keys.settle_refund(pending.razorpay_refund_id, succeed=operation == "settle")
                refund_apply_entity(entity=entity)

        # Every transaction balances, always.
        assert unbalanced_transactions() == []

    balances = mentor_balances(mentor)
    assert balances.escrow_paise >= 0
    assert balances.available_paise >= 0
    for payment in Payment.objects.filter(pk__in=[p.pk for p in payments]):
        positions = payment_positions(payment)
        refunds = payment.refunds.all()
        pending = sum(r.amount_paise for r in refunds if r.status == Refund.Status.PENDING)
        processed = sum(r.amount_paise for r in refunds if r.status == Refund.Status.PROCESSED)
        assert all(value >= 0 for kind, value in positions.items() if kind != Kind.GATEWAY)
        # The tax withheld is never negative and never more than what the mentor was credited.
        assert 0 <= payment_tds_withheld(payment) <= positions.get(Kind.MENTOR_PAYABLE, 0)
        assert positions.get(Kind.REFUNDS_PAYABLE, 0) == pending
        assert payment.refunded_paise == processed
        if payment.status != Payment.Status.CAPTURED:
            assert positions == {} and not refunds
            continue
        # Conservation: what was captured is in escrow, with the mentor, with the platform, or refunded.
        held = sum(positions.get(kind, 0) for kind in (Kind.ESCROW, Kind.MENTOR_PAYABLE, Kind.PLATFORM_REVENUE))
        assert held + pending + processed == payment.amount_paise
        assert -positions[Kind.GATEWAY] == payment.amount_paise - processed
        if payment.released_at is None and payment.holds_in_escrow:
            assert positions.get(Kind.MENTOR_PAYABLE, 0) == positions.get(Kind.PLATFORM_REVENUE, 0) == 0
        if not payment.holds_in_escrow:
            assert positions.get(Kind.ESCROW, 0) == positions.get(Kind.PLATFORM_REVENUE, 0) == 0
        if payment.released_at is not None and not refunds:
            assert positions.get(Kind.ESCROW, 0) == 0
            assert positions[Kind.MENTOR_PAYABLE] == mentor_share(payment.amount_paise)
            assert positions[Kind.PLATFORM_REVENUE] == payment.amount_paise - mentor_share(payment.amount_paise)
    check_constraints_now()


# --- packages, scholarship credits and coupons over random sequences of events ---------------------------------

CREDIT_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["grant", "book", "settle", "complete", "cancel", "expire"]),
        st.sampled_from(["plain", "coupon", "mentor_coupon", "package"]),
        st.sampled_from([100, 50, 0]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=CREDIT_OPERATIONS)
def test_ledger_balances_with_packages_scholarships_and_coupons(razorpay_keys, operations):
    mentor = MentorProfileFactory().user
    student = UserFactory()
    staff = UserFactory(is_staff=True)
    Coupon.objects.create(code=f"P{mentor.pk}", kind=Coupon.Kind.PERCENT, percent_off=25, max_uses_per_user=99)
    Coupon.objects.create(
        code=f"M{mentor.pk}", kind=Coupon.Kind.FLAT, amount_off_paise=30_000, mentor=mentor, max_uses_per_user=99
    )
    offer = packages.package_save(
        mentor=mentor, title="p", sessions_count=3, duration_minutes=60, price_paise=100_000, validity_days=30
    )
    payment = packages.package_purchase_start(student=student, package=offer)
    payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
    purchase = PackagePurchase.objects.get(payment=payment)
    later = timezone.now() + dt.timedelta(days=31)
    references = iter(range(student.pk * 1_000, student.pk * 1_000 + 1_000))  # unique across examples

    for operation, kind, percent in operations:
        latest = Charge.objects.filter(payer=student).order_by("-pk").first()
        if operation == "grant":
            scholarships.scholarship_grant(granted_by=staff, student=student, amount_paise=40_000)
        elif operation == "book":
            code = {"coupon": f"P{mentor.pk}", "mentor_coupon": f"M{mentor.pk}"}.get(kind, "")
            with transaction.atomic():
                charges.charge_open(
                    purpose="test",
                    reference_id=next(references),
                    payer=student,
                    payee=mentor,
                    price_paise=120_000,
                    duration_minutes=60 if kind == "package" else None,
                    coupon_code=code,
                )
        elif latest is not None and operation == "settle":
            with transaction.atomic():
                charges.charge_settle(purpose="test", reference_id=latest.reference_id)
        elif latest is not None and operation == "complete":
            charges.charge_release(purpose="test", reference_id=latest.reference_id)
        elif latest is not None and operation == "cancel":
            with transaction.atomic():
                charges.charge_cancel(purpose="test", reference_id=latest.reference_id, percent=percent)
        elif operation == "expire":
            packages.package_expire(purchase_id=purchase.pk, now=later)

        assert unbalanced_transactions() == []
        # The student's credit account always equals what the grants have left plus what open charges reserved
        # (credits move in the ledger when a booking is confirmed).
        credit = LedgerEntry.objects.filter(account__kind=Kind.SCHOLARSHIP_CREDIT, account__owner=student).aggregate(
            total=Sum("amount_paise")
        )["total"]
        remaining = ScholarshipGrant.objects.filter(student=student).aggregate(total=Sum("remaining_paise"))["total"]
        reserved = Charge.objects.filter(payer=student, status=Charge.Status.OPEN).aggregate(
            total=Sum("scholarship_paise")
        )["total"]
        assert -(credit or 0) == (remaining or 0) + (reserved or 0)
        # Coupon counters match the uses that still count.
        for coupon in Coupon.objects.all():
            assert coupon.times_used == CouponRedemption.objects.filter(coupon=coupon, is_active=True).count()
        # No charge holds a negative amount in escrow, and no package sells more sessions than it has.
        for charge in Charge.objects.all():
            assert charge_positions(charge).get(Kind.ESCROW, 0) >= 0
        assert purchase.charges.exclude(status=Charge.Status.CANCELLED).count() <= purchase.sessions_count
        assert payment_positions(payment).get(Kind.ESCROW, 0) >= 0
        assert mentor_balances(mentor).escrow_paise >= 0
    check_constraints_now()
