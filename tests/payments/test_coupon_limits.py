"""Coupon limits hold when many students apply the last uses at once (real connections, row locks)."""


import pytest
from django.db import transaction

from payments.charges import charge_open
from payments.models import Charge, Coupon, CouponRedemption
from tests.factories import UserFactory
from tests.payments.test_concurrency import run_in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_coupon_with_3_uses_left_is_used_exactly_3_times_by_12_racing_students():
    mentor = UserFactory(role="mentor")
    students = [UserFactory() for _ in range(12)]
    Coupon.objects.create(code="LAST3", kind=Coupon.Kind.FLAT, amount_off_paise=10_000, max_uses_total=3)

    def apply(index: int) -> None:
        with transaction.atomic():
            charge_open(
                purpose="test",
                reference_id=index,
                payer=students[index],
                payee=mentor,
                price_paise=50_000,
                coupon_code="LAST3",
            )

    errors = run_in_threads(12, apply)

    assert len(errors) == 9
    assert {error.message_dict["coupon_code"][0] for error in errors} == {"This coupon has been used up."}
    assert Coupon.objects.get().times_used == 3
    assert CouponRedemption.objects.filter(is_active=True).count() == 3
    assert Charge.objects.count() == 3


def test_one_student_racing_themself_gets_the_per_user_limit_once():
    mentor = UserFactory(role="mentor")
    student = UserFactory()
    Coupon.objects.create(code="ONCE", kind=Coupon.Kind.PERCENT, percent_off=10, max_uses_per_user=1)

    def apply(index: int) -> None:
        with transaction.atomic():
            charge_open(
                purpose="test", reference_id=index, payer=student, payee=mentor, price_paise=50_000, coupon_code="ONCE"
            )

    errors = run_in_threads(6, apply)

    assert len(errors) == 5
    assert CouponRedemption.objects.filter(user=student, is_active=True).count() == 1
