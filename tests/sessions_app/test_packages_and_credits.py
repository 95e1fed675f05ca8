"""Bookings paid with package credits, scholarship credits and coupons, through to completion, cancellation and
package expiry, with the ledger balanced at every step."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from payments import packages, scholarships
from payments.charges import charge_for
from payments.ledger import charge_positions, payment_positions
from payments.models import (
    Charge,
    Coupon,
    LedgerAccount,
    LedgerEntry,
    Package,
    PackagePurchase,
    Payment,
    Refund,
    ScholarshipGrant,
)
from payments.selectors import mentor_balances
from payments.services import payment_verify_callback, refund_reconcile_one
from sessions_app import services
from sessions_app.models import Booking
from tests.factories import UserFactory, language, student_with_profile
from tests.sessions_app.conftest import local_slot

pytestmark = pytest.mark.django_db

PRICE = 120_000  # the test mentor's hour
Kind = LedgerAccount.Kind


def unbalanced() -> list:
    return list(
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_paise"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )


def account_balance(kind: str, owner=None) -> int:
    """A liability or revenue account's balance as shown (the negated sum); an asset's as its sum, negated."""
    total = LedgerEntry.objects.filter(account__kind=kind, account__owner=owner).aggregate(t=Sum("amount_paise"))["t"]
    return -(total or 0)


@pytest.fixture
def package(mentor):
    return packages.package_save(
        mentor=mentor.user,
        title="JEE physics, 4 sessions",
        sessions_count=4,
        duration_minutes=60,
        price_paise=430_000,
        validity_days=90,
    )


@pytest.fixture
def bought(package, student, razorpay_keys, committed):
    """The student's package, paid through the fake Razorpay checkout."""

    def buy(*, buyer=student) -> PackagePurchase:
        payment = packages.package_purchase_start(student=buyer, package=package)
        with committed():
            payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
        return PackagePurchase.objects.get(payment=payment)

    return buy


def complete(booking: Booking, committed) -> None:
    with time_machine.travel(booking.session.ends_at, tick=False), committed():
        services.session_complete(session=booking.session, actor=booking.session.mentor)


# --- packages ----------------------------------------------------------------------------------------------------


def test_package_prices_follow_the_50_rupee_steps(mentor):
    for price in (4_999, 5_050, 10_000_50, 0):
        with pytest.raises(ValidationError) as error:
            packages.package_save(
                mentor=mentor.user,
                title="x",
                sessions_count=4,
                duration_minutes=60,
                price_paise=price,
                validity_days=90,
            )
        assert "price" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        packages.package_save(
            mentor=mentor.user, title="x", sessions_count=1, duration_minutes=120, price_paise=5_000, validity_days=3
        )
    assert set(error.value.message_dict) == {"sessions_count", "duration_minutes", "validity_days"}
    assert not Package.objects.exists()


def test_package_purchase_bookings_cancellation_and_expiry(bought, hold_slot, student, committed, razorpay_keys):
    purchase = bought()
    assert purchase.status == PackagePurchase.Status.ACTIVE
    assert purchase.payment.invoices.filter(kind="invoice").count() == 1  # a tax invoice like any booking
    assert mentor_balances(purchase.mentor).escrow_paise == 430_000

    # Two bookings from the package: confirmed at once, no payment asked for.
    first = hold_slot(student, starts_at=local_slot(days=2))
    second = hold_slot(student, starts_at=local_slot(days=3))
    for booking in (first, second):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        assert booking.payment is None
        assert charge_for("booking", booking.pk).package_purchase_id == purchase.pk
    assert packages.student_packages(student)[0].remaining == 2

    # Cancelled more than a day before: the credit comes back and no money moves.
    with time_machine.travel(second.session.starts_at - dt.timedelta(days=2), tick=False), committed():
        services.booking_cancel(booking=second, actor=student)
    assert packages.student_packages(student)[0].remaining == 3
    assert not Refund.objects.exists()

    # The first session happens: its share (₹1,075) is paid out 70/30 from the package payment.
    complete(first, committed)
    positions = payment_positions(purchase.payment)
    assert positions[Kind.MENTOR_PAYABLE] == 107_500 * 70 // 100
    assert positions[Kind.PLATFORM_REVENUE] == 107_500 - 107_500 * 70 // 100
    assert positions[Kind.ESCROW] == 430_000 - 107_500

    # Expiry: the three never-booked sessions are refunded in money, with a credit note.
    with time_machine.travel(purchase.expires_at + dt.timedelta(minutes=1), tick=False), committed():
        assert packages.packages_expire_due() == 1
    refund = Refund.objects.get(payment=purchase.payment)
    assert refund.amount_paise == 430_000 - 107_500
    assert refund.kind == Refund.Kind.UNUSED
    razorpay_keys.settle_refund(refund.razorpay_refund_id)
    with committed():
        refund_reconcile_one(refund=refund)
    purchase.refresh_from_db()
    assert purchase.status == PackagePurchase.Status.EXPIRED
    assert purchase.unused_refund_paise == 322_500
    assert purchase.payment.invoices.filter(kind="credit_note").count() == 1
    assert payment_positions(purchase.payment).get(Kind.ESCROW, 0) == 0
    assert unbalanced() == []


def test_a_late_cancellation_uses_the_credit_and_pays_the_mentor(bought, hold_slot, student, committed):
    purchase = bought()
    booking = hold_slot(student)
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=3), tick=False), committed():
        services.booking_cancel(booking=booking, actor=student)

    assert charge_for("booking", booking.pk).status == Charge.Status.RELEASED
    assert packages.student_packages(student)[0].remaining == 3
    assert payment_positions(purchase.payment)[Kind.MENTOR_PAYABLE] == 107_500 * 70 // 100
    assert unbalanced() == []


def test_the_last_session_of_a_package_releases_the_paise_the_division_left(
    mentor, student, razorpay_keys, committed, hold_slot
):
    odd = packages.package_save(
        mentor=mentor.user, title="Three", sessions_count=3, duration_minutes=60, price_paise=100_000, validity_days=30
    )
    payment = packages.package_purchase_start(student=student, package=odd)
    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
    bookings = [hold_slot(student, starts_at=local_slot(days=day)) for day in (2, 3, 4)]
    for booking in bookings:
        complete(booking, committed)

    positions = payment_positions(Payment.objects.get(pk=payment.pk))
    assert positions.get(Kind.ESCROW, 0) == 0
    assert positions[Kind.MENTOR_PAYABLE] + positions[Kind.PLATFORM_REVENUE] == 100_000


# --- scholarship credits ----------------------------------------------------------------------------------------


@pytest.fixture
def sponsor(db):
    return UserFactory(full_name="Rural Girls Education Trust", is_staff=True)


def test_scholarship_pays_first_and_the_student_pays_the_rest(sponsor, student, hold_slot, committed, razorpay_keys):
    scholarships.scholarship_grant(granted_by=sponsor, student=student, amount_paise=50_000)
    assert account_balance(Kind.SCHOLARSHIP_CREDIT, student) == 50_000

    booking = hold_slot(student)
    payment = services.booking_start_payment(booking=booking)
    assert payment.amount_paise == PRICE - 50_000
    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    mentor = booking.session.mentor
    # The whole price is in escrow: the cash and the credits.
    assert mentor_balances(mentor).escrow_paise == PRICE
    assert scholarships.scholarship_balance_paise(student) == 0

    complete(booking, committed)
    # 70 % of the cash plus 70 % of the credits: 70 % of the price.
    assert mentor_balances(mentor).available_paise == PRICE * 70 // 100
    assert mentor_balances(mentor).escrow_paise == 0
    totals = scholarships.sponsor_totals()
    assert [(row.sponsor, row.granted_paise, row.spent_paise, row.students) for row in totals] == [
        (sponsor, 50_000, 50_000, 1)
    ]
    assert [use.charge.reference_id for use in scholarships.sponsor_uses(sponsor.pk)] == [booking.pk]
    assert unbalanced() == []


def test_credits_that_cover_the_price_confirm_the_booking_without_payment(sponsor, student, hold_slot, committed):
    scholarships.scholarship_grant(granted_by=sponsor, student=student, amount_paise=200_000)
    booking = hold_slot(student)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert scholarships.scholarship_balance_paise(student) == 80_000

    # A 50 % cancellation gives back half the credits; the other half stays with the session's escrow.
    with time_machine.travel(booking.session.starts_at - dt.timedelta(hours=5), tick=False), committed():
        services.booking_cancel(booking=booking, actor=student)
    assert scholarships.scholarship_balance_paise(student) == 80_000 + PRICE // 2
    assert charge_positions(charge_for("booking", booking.pk))[Kind.ESCROW] == PRICE // 2
    assert not Refund.objects.exists()
    assert unbalanced() == []


def test_a_hold_that_runs_out_gives_the_credits_back(sponsor, student, hold_slot, committed):
    scholarships.scholarship_grant(granted_by=sponsor, student=student, amount_paise=50_000)
    booking = hold_slot(student)
    with committed():
        services.bookings_expire_holds(now=booking.hold_expires_at + dt.timedelta(seconds=1))
    assert scholarships.scholarship_balance_paise(student) == 50_000
    assert ScholarshipGrant.objects.get().remaining_paise == 50_000


def test_only_staff_or_sponsors_grant_and_only_to_students(student, mentor):
    with pytest.raises(PermissionDenied):
        scholarships.scholarship_grant(granted_by=student, student=student, amount_paise=10_000)
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        scholarships.scholarship_grant(granted_by=staff, student=mentor.user, amount_paise=10_000)
    with pytest.raises(ValidationError):
        scholarships.scholarship_grant(granted_by=staff, student=student, amount_paise=50)
    assert not ScholarshipGrant.objects.exists()


# --- coupons -----------------------------------------------------------------------------------------------------


def hold_with_coupon(hold_slot, student, code: str, **kwargs) -> Booking:
    mentor = kwargs.pop("mentor")
    return services.booking_hold_one_to_one(
        student=student,
        mentor=mentor,
        starts_at=kwargs.pop("starts_at", local_slot()),
        duration_minutes=60,
        session_type="career_counselling",
        language=language("hi"),
        questionnaire=services.Questionnaire(purpose="Choosing an engineering branch"),
        coupon_code=code,
    )


def test_a_platform_coupon_is_the_platforms_cost(mentor, student, hold_slot, committed, razorpay_keys):
    Coupon.objects.create(code="DIWALI20", kind=Coupon.Kind.PERCENT, percent_off=20)
    with committed():
        booking = hold_with_coupon(hold_slot, student, " diwali20 ", mentor=mentor)
    payment = services.booking_start_payment(booking=booking)
    assert payment.amount_paise == PRICE - PRICE // 5
    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
    complete(Booking.objects.get(pk=booking.pk), committed)

    # The mentor earns 70 % of the full price; the platform pays the discount out of its 30 %.
    assert mentor_balances(mentor.user).available_paise == PRICE * 70 // 100
    assert account_balance(Kind.PROMOTIONS) == -(PRICE // 5)
    assert Coupon.objects.get().times_used == 1
    assert unbalanced() == []


def test_a_mentors_own_coupon_is_the_mentors_cost(mentor, student, hold_slot, committed, razorpay_keys):
    Coupon.objects.create(code="FRIEND", kind=Coupon.Kind.FLAT, amount_off_paise=20_000, mentor=mentor.user)
    with committed():
        booking = hold_with_coupon(hold_slot, student, "FRIEND", mentor=mentor)
    payment = services.booking_start_payment(booking=booking)
    assert payment.amount_paise == PRICE - 20_000
    with committed():
        payment_verify_callback(payment=payment, **razorpay_keys.pay(payment.razorpay_order_id))
    complete(Booking.objects.get(pk=booking.pk), committed)

    assert account_balance(Kind.PROMOTIONS) == 0
    platform = account_balance(Kind.PLATFORM_REVENUE)
    assert platform == PRICE - PRICE * 70 // 100  # the platform's full 30 % of the list price
    assert mentor_balances(mentor.user).available_paise == PRICE - 20_000 - platform
    assert unbalanced() == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "This coupon has expired."),
        ({"min_amount_paise": 500_000}, "This coupon needs a price of at least ₹5,000."),
        ({"max_uses_total": 0}, "This coupon has been used up."),
        ({"only_levels": ["postgraduate"]}, "This coupon is for students at another academic level."),
        ({"is_active": False}, "This coupon code does not exist. Check the spelling and try again."),
    ],
)
def test_refused_coupons_say_why_and_hold_nothing(mentor, student, hold_slot, fields, message):
    Coupon.objects.create(code="NOPE", kind=Coupon.Kind.PERCENT, percent_off=10, **fields)
    with pytest.raises(ValidationError) as error:
        hold_with_coupon(hold_slot, student, "NOPE", mentor=mentor)
    assert error.value.message_dict == {"coupon_code": [message]}
    assert not Booking.objects.exists()
    assert not Charge.objects.exists()


def test_a_coupon_for_other_mentors_or_used_up_by_this_student_is_refused(mentor, student, hold_slot, committed):
    other = UserFactory(role="mentor")
    coupon = Coupon.objects.create(code="ONCE", kind=Coupon.Kind.FLAT, amount_off_paise=10_000)
    with committed():
        hold_with_coupon(hold_slot, student, "ONCE", mentor=mentor, starts_at=local_slot(days=2))
    with pytest.raises(ValidationError) as error:
        hold_with_coupon(hold_slot, student, "ONCE", mentor=mentor, starts_at=local_slot(days=3))
    assert error.value.message_dict["coupon_code"] == ["You have already used this coupon as often as it allows."]

    coupon.only_mentors.add(other)
    another = student_with_profile(languages=("hi", "en"))
    with pytest.raises(ValidationError) as error:
        hold_with_coupon(hold_slot, another, "ONCE", mentor=mentor, starts_at=local_slot(days=4))
    assert error.value.message_dict["coupon_code"] == ["This coupon does not apply to sessions with this mentor."]


def test_a_cancelled_booking_gives_its_coupon_use_back(mentor, student, hold_slot, committed):
    Coupon.objects.create(code="ONCE", kind=Coupon.Kind.FLAT, amount_off_paise=10_000, max_uses_total=1)
    with committed():
        booking = hold_with_coupon(hold_slot, student, "ONCE", mentor=mentor)
    assert Coupon.objects.get().times_used == 1
    with committed():
        services.booking_cancel(booking=booking, actor=student)
    assert Coupon.objects.get().times_used == 0
