"""Running payouts by hand: staff hold and release a mentor's payouts and retry a failed one; a mentor asks for
their balance before the weekly run. All of it goes through ``payouts.payout_open`` under the mentor's payout lock,
like the weekly run, so the same rules (hold, one payout in flight, the available balance) hold everywhere."""

import datetime as dt
import uuid
from typing import Literal, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mentorship.money import format_inr
from payments.models import MentorPayoutDetails, Payout, PayoutHold
from payments.notification_kinds import notify_payout_hold
from payments.payouts import (
    PAYOUT_MINIMUM_PAISE,
    lock_mentor_payouts,
    payout_destination_for,
    payout_open,
    payout_submit,
)
from payments.selectors import (
    MentorBalances,
    active_payout_hold,
    last_requested_payout,
    mentor_balances,
    payout_in_flight,
)

REQUEST_INTERVAL = dt.timedelta(days=7)


# --- holds -----------------------------------------------------------------------------------------------------


def payout_hold_place(*, mentor: User, reason: str, note: str, actor: User) -> PayoutHold:
    """Stop this mentor's payouts until staff release them (a payout already on its way is not recalled)."""
    if mentor.role != User.Role.MENTOR:
        raise ValidationError({"mentor": _("Only a mentor's payouts can be put on hold.")}, code="not_mentor")
    if reason not in PayoutHold.Reason.values:
        raise ValidationError({"reason": _("Choose why the payouts are held.")}, code="invalid_reason")
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Tell the mentor why, in a sentence they will understand.")}, code="no_note")
    with transaction.atomic():
        lock_mentor_payouts(mentor)
        if active_payout_hold(mentor) is not None:
            raise ValidationError(_("This mentor's payouts are already on hold."), code="already_held")
        hold = PayoutHold.objects.create(mentor=mentor, reason=reason, note=note[:500], placed_by=actor)
        notify_payout_hold(hold)
    return hold


def payout_hold_release(*, hold_id: int, note: str, actor: User) -> PayoutHold:
    note = note.strip()
    if not note:
        raise ValidationError({"release_note": _("Say why the hold ends.")}, code="no_note")
    with transaction.atomic():
        hold = PayoutHold.objects.select_related("mentor").get(pk=hold_id)
        lock_mentor_payouts(hold.mentor)
        hold = PayoutHold.objects.select_for_update().select_related("mentor").get(pk=hold_id)
        if hold.released_at is not None:
            raise ValidationError(_("This hold was already released."), code="already_released")
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.release_note = note[:500]
        hold.save(update_fields=["released_at", "released_by", "release_note"])
        notify_payout_hold(hold)
    return hold


# --- staff retry -----------------------------------------------------------------------------------------------


def payout_retry(*, payout_id: int, reason: str, actor: User) -> Payout:
    """Pay a failed or reversed payout again: a new payout of the same amount with its own idempotency key, from
    the balance the failure gave back to the mentor. Each payout is retried at most once (a failed retry can be
    retried in turn), and never while another payout to the mentor is on its way."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payout is retried.")}, code="no_reason")
    with transaction.atomic():
        original = Payout.objects.select_related("mentor").get(pk=payout_id)
        lock_mentor_payouts(original.mentor)
        original = Payout.objects.select_for_update().select_related("mentor").get(pk=payout_id)
        if original.status not in Payout.RETRYABLE:
            raise ValidationError(_("Only a failed or reversed payout can be retried."), code="not_retryable")
        if Payout.objects.filter(retry_of=original).exists():
            raise ValidationError(_("This payout was already retried."), code="already_retried")
        if payout_destination_for(original.mentor) is None:
            raise ValidationError(_("The mentor has no payout details to pay to."), code="no_destination")
        retry = payout_open(
            mentor=original.mentor,
            amount_paise=original.amount_paise,
            idempotency_key=f"payout-{original.mentor_id}-retry-{original.pk}",
            origin=Payout.Origin.RETRY,
            run=original.run,
            retry_of=original,
            actor=actor,
            note=reason,
        )
    return _submit(retry)


def _submit(payout: Payout) -> Payout:
    destination = payout_destination_for(payout.mentor)
    if destination is None or payout.razorpay_payout_id:
        return payout
    return payout_submit(payout=payout, destination=destination)


# --- a mentor's own request ------------------------------------------------------------------------------------


class PayoutRequestState(NamedTuple):
    refusal: str | None  # why the mentor cannot ask for a payout now, in words for them; None when they can
    available_paise: int


def payout_request_state(
    mentor: User,
    *,
    now: dt.datetime | None = None,
    hold: PayoutHold | None | Literal["unread"] = "unread",
    balances: MentorBalances | None = None,
    has_details: bool | None = None,
) -> PayoutRequestState:
    """Whether the mentor may ask for their balance now; a page that already read the hold, the balances or the
    payout details passes them in."""
    now = now or timezone.now()
    if isinstance(hold, str):
        hold = active_payout_hold(mentor)
    if hold is not None:
        refusal = _("Your payouts are on hold (%(reason)s), so you cannot request one now.") % {
            "reason": hold.get_reason_display()
        }
        return PayoutRequestState(refusal, 0)
    in_flight = payout_in_flight(mentor)
    if in_flight is not None:
        refusal = _("Your payout of %(amount)s is on its way. You can request another once it arrives.") % {
            "amount": format_inr(in_flight.amount_paise)
        }
        return PayoutRequestState(refusal, 0)
    last = last_requested_payout(mentor)
    if last is not None and last.created_at > now - REQUEST_INTERVAL:
        next_at = timezone.localtime(last.created_at + REQUEST_INTERVAL, mentor.tzinfo)
        refusal = _("You can request one payout a week. Your next request is possible from %(when)s.") % {
            "when": formats.date_format(next_at, "DATETIME_FORMAT")
        }
        return PayoutRequestState(refusal, 0)
    available = (balances or mentor_balances(mentor)).available_paise
    if available < PAYOUT_MINIMUM_PAISE:
        refusal = _("You can request a payout once your available balance reaches %(minimum)s (now %(available)s).") % {
            "minimum": format_inr(PAYOUT_MINIMUM_PAISE),
            "available": format_inr(available),
        }
        return PayoutRequestState(refusal, available)
    if has_details is None:
        has_details = MentorPayoutDetails.objects.filter(mentor=mentor).exists()
    if not has_details:
        return PayoutRequestState(
            _("Add your payout details first: we need to know where to send the money."), available
        )
    return PayoutRequestState(None, available)


def payout_request(*, mentor: User) -> Payout:
    """Pay the mentor's whole available balance now (₹1,000 or more, at most once a week, not while on hold or while
    a payout is on its way), through the same service as the weekly run."""
    with transaction.atomic():
        # Under the lock: of two requests at once, the second sees the first one's payout on its way.
        lock_mentor_payouts(mentor)
        state = payout_request_state(mentor)
        if state.refusal is not None:
            raise ValidationError(state.refusal, code="refused")
        payout = payout_open(
            mentor=mentor,
            amount_paise=state.available_paise,
            idempotency_key=f"payout-{mentor.pk}-request-{uuid.uuid4().hex[:16]}",
            origin=Payout.Origin.REQUESTED,
            actor=mentor,
        )
    return _submit(payout)
