"""What a mentor's pages show about their payouts, whichever view renders them: the hold staff placed, and whether
(and why not) they can ask for their balance now."""

from django import template

from payments.models import PayoutHold
from payments.payout_ops import PayoutRequestState
from payments.payout_ops import payout_request_state as request_state
from payments.selectors import active_payout_hold

register = template.Library()


@register.simple_tag
def payout_hold_for(user) -> PayoutHold | None:
    return active_payout_hold(user)


@register.simple_tag
def payout_request_state(user) -> PayoutRequestState:
    return request_state(user)
