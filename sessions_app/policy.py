"""The booking rules that are pure arithmetic on times and money (seed 000 §3.5), kept free of the ORM.

Views (to show or hide an action) and services (to allow or refuse it) ask the same function here, so a rule is
stated once: refunds (`refund_quote`), self-service or emergency rescheduling (`can_self_reschedule`), reporting a
problem (`dispute_window_open`), no-shows (`student_no_show_reportable`, `mentor_no_show_due`), tipping (`may_tip`)
and changing a review (`review_editable_until`).

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

from django.conf import settings
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
# A waitlisted student offered a freed seat of a paid session has this long to pay (never past the start), and
# at least this much of it falls in the daytime of the student's zone: an offer at 01:00 lasts into the morning.
WAITLIST_OFFER_TIME = dt.timedelta(hours=2)
WAITLIST_OFFER_DAYTIME = (dt.time(9), dt.time(21))
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
    """True: the booking may be moved by its people, free; False: only as an emergency that support approves."""
    return starts_at - now > RESCHEDULE_NOTICE


def dispute_window_open(*, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> bool:
    """A student may report a problem with a session from its start until `DISPUTE_WINDOW` after its end."""
    return starts_at <= now <= ends_at + DISPUTE_WINDOW


def student_no_show_reportable(*, starts_at: dt.datetime, now: dt.datetime) -> bool:
    """The mentor may report that a student never came from `NO_SHOW_AFTER_START` after the start."""
    return now >= starts_at + NO_SHOW_AFTER_START


def mentor_no_show_after() -> dt.timedelta:
    """How late after the start a mentor who has not entered the room has missed the session."""
    return dt.timedelta(minutes=settings.MENTOR_NO_SHOW_MINUTES)


def mentor_no_show_due(*, starts_at: dt.datetime, now: dt.datetime) -> bool:
    return now >= starts_at + mentor_no_show_after()


def may_tip(*, is_mentor: bool, is_minor: bool) -> bool:
    """A session's students may tip its mentor, except minors (the mentor never tips themselves)."""
    return not is_mentor and not is_minor


def review_editable_until(*, written_at: dt.datetime) -> dt.datetime:
    """A review can be changed for `settings.REVIEW_EDIT_DAYS` after it is written."""
    return written_at + dt.timedelta(days=settings.REVIEW_EDIT_DAYS)


def waitlist_offer_deadline(*, now: dt.datetime, starts_at: dt.datetime, time_zone: dt.tzinfo) -> dt.datetime:
    """When a waitlist offer made `now` lapses: `WAITLIST_OFFER_TIME` from now, extended until it holds that much
    daytime (`WAITLIST_OFFER_DAYTIME`) in the student's `time_zone`; never past the session's start."""
    day_starts, day_ends = WAITLIST_OFFER_DAYTIME
    needed = WAITLIST_OFFER_TIME
    day = now.astimezone(time_zone).date()
    while True:
        opens = max(dt.datetime.combine(day, day_starts, tzinfo=time_zone), now)
        closes = dt.datetime.combine(day, day_ends, tzinfo=time_zone)
        if closes - opens >= needed:
            return min(max(opens + needed, now + WAITLIST_OFFER_TIME), starts_at)
        needed -= max(closes - opens, dt.timedelta(0))
        day += dt.timedelta(days=1)
