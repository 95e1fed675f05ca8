"""Coupons: who may use a code, what it takes off, and its limits.

Limits hold under concurrency: the coupon row is locked (``select_for_update``) while its uses are counted and the
new use recorded, in the transaction that reserves the booking's price, so two students racing for the last use
cannot both get it. A use counts until its charge is cancelled (``coupon_release``).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mentorship.money import format_inr
from payments.ledger import mentor_share
from payments.models import Charge, Coupon, CouponRedemption

CODE_MAX_LENGTH = 32


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()[:CODE_MAX_LENGTH]


def coupon_discount_paise(coupon: Coupon, price_paise: int) -> int:
    """What the coupon takes off this price: never more than the price, and for a mentor's own coupon never more than
    the mentor's share (the discount is theirs to give)."""
    if coupon.kind == Coupon.Kind.PERCENT:
        discount = price_paise * (coupon.percent_off or 0) // 100
    else:
        discount = coupon.amount_off_paise or 0
    ceiling = mentor_share(price_paise) if coupon.mentor_id else price_paise
    return max(0, min(discount, ceiling))


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"coupon_code": message}, code=code)


def coupon_check(coupon: Coupon | None, *, user, mentor_id: int, level: str, price_paise: int, now: dt.datetime) -> int:
    """The discount ``user`` gets with ``coupon`` on a session of ``mentor_id`` at ``price_paise``, or a
    ValidationError saying why not. Call with the coupon row locked to count its uses safely."""
    if coupon is None or not coupon.is_active:
        raise _refuse(_("This coupon code does not exist. Check the spelling and try again."), "coupon_unknown")
    if coupon.valid_from and now < coupon.valid_from:
        raise _refuse(_("This coupon is not valid yet."), "coupon_not_yet")
    if coupon.valid_until and now >= coupon.valid_until:
        raise _refuse(_("This coupon has expired."), "coupon_expired")
    if coupon.mentor_id and coupon.mentor_id != mentor_id:
        raise _refuse(_("This coupon is only for sessions with the mentor who offers it."), "coupon_wrong_mentor")
    if coupon.only_mentors.exists() and not coupon.only_mentors.filter(pk=mentor_id).exists():
        raise _refuse(_("This coupon does not apply to sessions with this mentor."), "coupon_wrong_mentor")
    if coupon.only_levels and level not in coupon.only_levels:
        raise _refuse(_("This coupon is for students at another academic level."), "coupon_wrong_level")
    if price_paise < coupon.min_amount_paise:
        raise _refuse(
            _("This coupon needs a price of at least %(amount)s.") % {"amount": format_inr(coupon.min_amount_paise)},
            "coupon_minimum",
        )
    if coupon.max_uses_total is not None and coupon.times_used >= coupon.max_uses_total:
        raise _refuse(_("This coupon has been used up."), "coupon_used_up")
    used_by_user = CouponRedemption.objects.filter(coupon=coupon, user=user, is_active=True).count()
    if used_by_user >= coupon.max_uses_per_user:
        raise _refuse(_("You have already used this coupon as often as it allows."), "coupon_user_limit")
    discount = coupon_discount_paise(coupon, price_paise)
    if discount <= 0:
        raise _refuse(_("This coupon takes nothing off this price."), "coupon_no_discount")
    return discount


def coupon_lock(code: str) -> Coupon | None:
    return Coupon.objects.select_for_update().filter(code=normalise_code(code)).first()


def coupon_redeem(*, coupon: Coupon, charge: Charge) -> CouponRedemption:
    """Record a use (coupon row locked by the caller)."""
    coupon.times_used += 1
    coupon.save(update_fields=["times_used"])
    return CouponRedemption.objects.create(
        coupon=coupon, user=charge.payer, charge=charge, discount_paise=charge.discount_paise
    )


def coupon_release(*, charge: Charge) -> None:
    """The charge is cancelled: its use stops counting towards the limits."""
    redemption = CouponRedemption.objects.filter(charge=charge, is_active=True).first()
    if redemption is None:
        return
    coupon = Coupon.objects.select_for_update().get(pk=redemption.coupon_id)
    coupon.times_used = max(coupon.times_used - 1, 0)
    coupon.save(update_fields=["times_used"])
    redemption.is_active = False
    redemption.save(update_fields=["is_active"])


def coupon_reinstate(*, charge: Charge) -> bool:
    """A cancelled charge is confirmed after all (a late payment): count its use again if the limits still allow;
    False when they no longer do (the price the student paid stands, at the platform's cost)."""
    redemption = CouponRedemption.objects.filter(charge=charge, is_active=False).first()
    if redemption is None:
        return True
    coupon = Coupon.objects.select_for_update().get(pk=redemption.coupon_id)
    if coupon.max_uses_total is not None and coupon.times_used >= coupon.max_uses_total:
        return False
    coupon.times_used += 1
    coupon.save(update_fields=["times_used"])
    redemption.is_active = True
    redemption.save(update_fields=["is_active"])
    return True
