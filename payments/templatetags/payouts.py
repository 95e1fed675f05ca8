"""What a mentor's pages show about their payouts, whichever view renders them: the hold staff placed, and whether
(and why not) they can ask for their balance now."""

from typing import NamedTuple

from django import template

from mentorship.money import format_inr
from payments.models import Payout, PayoutHold
from payments.payout_ops import payout_request_refusal
from payments.selectors import active_payout_hold, mentor_balances, payout_in_flight

register = template.Library()


@register.simple_tag
def payout_hold_for(user) -> PayoutHold | None:
    return active_payout_hold(user)


class PayoutRequestState(NamedTuple):
    refusal: str | None
    available: str
    in_flight: Payout | None


@register.simple_tag
def payout_request_state(user) -> PayoutRequestState:
    return PayoutRequestState(
        refusal=payout_request_refusal(user),
        available=format_inr(mentor_balances(user).available_paise),
        in_flight=payout_in_flight(user),
    )
