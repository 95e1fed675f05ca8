"""The booking rules that are pure arithmetic on times and money (seed 000 §3.5), kept free of the ORM.

Refund tiers, by how long before the start the booking is cancelled:

- the mentor (or support) cancels, at any time → 100 %
- the student, more than 24 h before → 100 %
- the student, from 2 h up to and including 24 h before → 50 %
- the student, less than 2 h before, after the start, or a no-show → 0 %

Amounts are integer paise; the partial tier rounds down so the platform never refunds more than it holds.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

FULL_REFUND_NOTICE = dt.timedelta(hours=24)
PARTIAL_REFUND_NOTICE = dt.timedelta(hours=2)
PARTIAL_REFUND_PERCENT = 50
# Self-service rescheduling follows the full-refund rule; anything later is an emergency that support approves.
RESCHEDULE_NOTICE = FULL_REFUND_NOTICE
# Students may report a problem with a session until this long after its end.
DISPUTE_WINDOW = dt.timedelta(hours=24)
# Sessions nobody completed in the room complete by themselves once the dispute window has closed undisputed.
AUTO_COMPLETE_AFTER_END = DISPUTE_WINDOW
# A waitlisted student offered a freed seat of a paid session has this long to pay (never past the start).
WAITLIST_OFFER_TIME = dt.timedelta(hours=2)
# The mentor may mark a student who never came as a no-show this long after the start.
NO_SHOW_AFTER_START = dt.timedelta(minutes=15)

MIN_DURATION = dt.timedelta(minutes=30)
MAX_DURATION = dt.timedelta(hours=3)
MAX_GROUP_CAPACITY = 50
# Razorpay refuses orders under ₹1; a paid session costs at least that.
MIN_PAID_PRICE_PAISE = 100


class RefundTier(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(TIER_LABELS[self])


TIER_LABELS = {
    RefundTier.FULL: _("Full refund"),
    # xgettext:no-python-format
    RefundTier.PARTIAL: _("50% refund"),
    RefundTier.NONE: _("No refund"),
}


@dataclass(frozen=True)
class RefundQuote:
    tier: RefundTier
    amount_paise: int

    @property
    def percent(self) -> int:
        return {RefundTier.FULL: 100, RefundTier.PARTIAL: PARTIAL_REFUND_PERCENT, RefundTier.NONE: 0}[self.tier]


def refund_tier(*, starts_at: dt.datetime, now: dt.datetime, by_host: bool) -> RefundTier:
    if by_host:
        return RefundTier.FULL
    notice = starts_at - now
    if notice > FULL_REFUND_NOTICE:
        return RefundTier.FULL
    if notice >= PARTIAL_REFUND_NOTICE:
        return RefundTier.PARTIAL
    return RefundTier.NONE


def refund_quote(*, paid_paise: int, starts_at: dt.datetime, now: dt.datetime, by_host: bool) -> RefundQuote:
    tier = refund_tier(starts_at=starts_at, now=now, by_host=by_host)
    amount = {
        RefundTier.FULL: paid_paise,
        RefundTier.PARTIAL: paid_paise * PARTIAL_REFUND_PERCENT // 100,
        RefundTier.NONE: 0,
    }[tier]
    return RefundQuote(tier=tier, amount_paise=amount)


def can_self_reschedule(*, starts_at: dt.datetime, now: dt.datetime) -> bool:
    return starts_at - now > RESCHEDULE_NOTICE
