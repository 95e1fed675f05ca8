"""What a booking costs the student: its price less a coupon, paid first with a package credit or scholarship
credits, the rest in cash through Razorpay (a ``Charge``).

The selling app calls, inside its own transactions:

- ``charge_open`` when the price is held: reserves the coupon use, credits or package credit (row locks: coupon →
  grants → package, always in that order) and says how much cash is left to pay (0: nothing, or at least ₹1, the
  gateway's minimum);
- ``charge_settle`` when the booking is confirmed (paid, or fully covered): credits and a platform discount move
  into the mentor's escrow next to the cash;
- ``charge_release`` when the session is completed: the non-cash part leaves escrow 70/30 like cash;
- ``charge_cancel`` when the booking is released: what was reserved comes back, by the refund tier's percentage for
  credits (a package credit and a coupon come back only in full).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from payments import coupons, invoices, ledger, packages, scholarships
from payments.models import MINIMUM_AMOUNT_PAISE, Charge, PackagePurchase, Payment


def charge_for(purpose: str, reference_id: int) -> Charge | None:
    return Charge.objects.filter(purpose=purpose, reference_id=reference_id).first()


def _level(user: User) -> str:
    profile = getattr(user, "student_profile", None)
    return getattr(profile, "academic_level", "") or ""


def charge_open(
    *,
    purpose: str,
    reference_id: int,
    payer: User,
    payee: User,
    price_paise: int,
    duration_minutes: int | None = None,
    coupon_code: str = "",
    now: dt.datetime | None = None,
) -> Charge:
    """Reserve how a price is paid. A refused coupon raises ValidationError({"coupon_code": …}) and, like every
    error here, leaves the caller's transaction to roll back whatever it held."""
    now = now or timezone.now()
    coupon = None
    discount = 0
    if coupon_code.strip():
        coupon = coupons.coupon_lock(coupon_code)
        discount = coupons.coupon_check(
            coupon, user=payer, mentor_id=payee.pk, level=_level(payer), price_paise=price_paise, now=now
        )
    purchase = None
    if coupon is None and duration_minutes is not None:
        purchase = packages.package_credit_lock(
            student=payer, mentor_id=payee.pk, duration_minutes=duration_minutes, now=now
        )
    package_credit = price_paise if purchase is not None else 0
    due = price_paise - discount - package_credit
    scholarship = min(due, scholarships.scholarship_available_paise(payer)) if due > 0 else 0
    cash = due - scholarship
    if 0 < cash < MINIMUM_AMOUNT_PAISE:
        # Razorpay takes no less than ₹1: leave that much to pay, out of the credits first, else the discount.
        shortfall = MINIMUM_AMOUNT_PAISE - cash
        from_credits = min(shortfall, scholarship)
        scholarship -= from_credits
        discount -= shortfall - from_credits
        cash = MINIMUM_AMOUNT_PAISE
    charge = Charge.objects.create(
        purpose=purpose,
        reference_id=reference_id,
        payer=payer,
        payee=payee,
        list_price_paise=price_paise,
        coupon=coupon,
        discount_paise=discount,
        discount_by_mentor=bool(coupon and coupon.mentor_id),
        scholarship_paise=scholarship,
        package_purchase=purchase,
        package_credit_paise=package_credit,
        cash_paise=cash,
    )
    if coupon is not None:
        coupons.coupon_redeem(coupon=coupon, charge=charge)
    if scholarship:
        spent = scholarships.scholarship_reserve(charge=charge, amount_paise=scholarship)
        if spent != scholarship:
            raise ValidationError("Scholarship credits changed while they were reserved.", code="credits_changed")
    return charge


def charge_settle(*, purpose: str, reference_id: int, now: dt.datetime | None = None) -> Charge | None:
    """The booking is confirmed: the non-cash part goes into the mentor's escrow. A charge cancelled meanwhile (its
    payment arrived after the hold ran out) is reserved again; what can no longer be had (credits spent elsewhere,
    a coupon used up, a package credit gone) stays at the price the student paid, at the platform's cost."""
    charge = Charge.objects.select_for_update().filter(purpose=purpose, reference_id=reference_id).first()
    if charge is None or charge.status in (Charge.Status.SETTLED, Charge.Status.RELEASED):
        return charge
    fields = ["status", "settled_at"]
    if charge.status == Charge.Status.CANCELLED:
        fields += _reserve_again(charge, now or timezone.now())
    charge.status = Charge.Status.SETTLED
    charge.settled_at = now or timezone.now()
    charge.save(update_fields=fields)
    ledger.ledger_apply_credits(charge=charge)
    return charge


def _reserve_again(charge: Charge, now: dt.datetime) -> list[str]:
    fields = []
    if charge.coupon_id and not coupons.coupon_reinstate(charge=charge):
        charge.discount_by_mentor = False
        fields.append("discount_by_mentor")
    if charge.scholarship_paise:
        # The credits went back to the grants when the charge was cancelled: take them again, as far as they last.
        again = min(scholarships.scholarship_available_paise(charge.payer), charge.scholarship_paise)
        scholarships.scholarship_reserve(charge=charge, amount_paise=again)
        charge.discount_paise += charge.scholarship_paise - again
        charge.scholarship_paise = again
        fields += ["discount_paise", "scholarship_paise"]
    if charge.package_purchase is not None:
        purchase = packages.package_credit_lock(
            student=charge.payer,
            mentor_id=charge.payee_id,
            duration_minutes=charge.package_purchase.duration_minutes,
            now=now,
        )
        if purchase is None:
            charge.discount_paise += charge.package_credit_paise
            charge.package_credit_paise = 0
            charge.discount_by_mentor = False
        charge.package_purchase = purchase
        fields += ["package_purchase", "package_credit_paise", "discount_paise", "discount_by_mentor"]
    return fields


def charge_release(*, purpose: str, reference_id: int) -> Charge | None:
    """The session is completed: the non-cash part leaves escrow (a package credit's share from the package
    payment). Idempotent."""
    with transaction.atomic():
        charge = Charge.objects.select_for_update().filter(purpose=purpose, reference_id=reference_id).first()
        if charge is None or charge.status != Charge.Status.SETTLED:
            return charge
        ledger.ledger_release_charge(charge=charge)
        _release_package_share(charge)
        charge.status = Charge.Status.RELEASED
        charge.save(update_fields=["status"])
    return charge


def _release_package_share(charge: Charge) -> None:
    if charge.package_purchase_id is None:
        return
    purchase = PackagePurchase.objects.select_for_update().get(pk=charge.package_purchase_id)
    charge.package_purchase = purchase
    amount = packages.package_credit_release_amount(purchase, charge)
    if amount > 0:
        ledger.ledger_release_package_credit(charge=charge, amount_paise=amount)


def charge_cancel(*, purpose: str, reference_id: int, percent: int = 100) -> Charge | None:
    """The booking is released. Before settlement everything reserved comes back. After it, ``percent`` (the refund
    tier: 100, 50 or 0) of the scholarship credits comes back to the student; a coupon use and a platform discount
    come back only in full; a package credit comes back in full, and otherwise is used up: its share is paid out as
    if the session had taken place."""
    charge = Charge.objects.select_for_update().filter(purpose=purpose, reference_id=reference_id).first()
    if charge is None or charge.status in (Charge.Status.CANCELLED, Charge.Status.RELEASED):
        return charge
    if charge.status == Charge.Status.OPEN:
        coupons.coupon_release(charge=charge)
        scholarships.scholarship_return(charge=charge, amount_paise=charge.scholarship_paise)
        charge.status = Charge.Status.CANCELLED
        charge.save(update_fields=["status"])
        return charge
    full = percent >= 100
    credits_back = charge.scholarship_paise * percent // 100
    discount_back = charge.discount_paise if full and not charge.discount_by_mentor else 0
    scholarships.scholarship_return(charge=charge, amount_paise=credits_back)
    ledger.ledger_return_credits(charge=charge, scholarship_paise=credits_back, discount_paise=discount_back)
    if full:
        coupons.coupon_release(charge=charge)
        charge.status = Charge.Status.CANCELLED
    elif charge.package_purchase_id is not None:
        # The credit is used up: the mentor is paid its share, and what stays in escrow of the charge goes too.
        ledger.ledger_release_charge(charge=charge)
        _release_package_share(charge)
        charge.status = Charge.Status.RELEASED
    else:
        charge.status = Charge.Status.CANCELLED
    charge.save(update_fields=["status"])
    return charge


def checkout_breakdown(payment: Payment) -> dict[str, int]:
    """The figures a checkout page shows, in paise: price, coupon discount, credits, what is paid now, and the GST
    included in the platform fee (``payments.invoices``: prices include GST; none on a tip)."""
    charge = charge_for(payment.purpose, payment.reference_id)
    price = charge.list_price_paise if charge else payment.amount_paise
    figures = invoices.gst_figures(
        amount_paise=payment.amount_paise,
        platform_fee_paise=invoices.platform_fee_paise(payment, payment.amount_paise),
        intra_state=True,
        rate_basis_points=settings.GST_RATE_BASIS_POINTS,
    )
    return {
        "price": price,
        "discount": charge.discount_paise if charge else 0,
        "scholarship": charge.scholarship_paise if charge else 0,
        "package_credit": charge.package_credit_paise if charge else 0,
        "payable": payment.amount_paise,
        "platform_fee": figures["platform_fee_taxable_paise"] + figures["tax_paise"],
        "gst": figures["tax_paise"],
        "gst_percent_basis_points": settings.GST_RATE_BASIS_POINTS,
    }
