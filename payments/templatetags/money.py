"""``{% load money %}`` then ``{{ amount_paise|rupees }}``: paise as Indian rupees (₹1,23,456.50)."""

from django import template

register = template.Library()


def format_inr(paise: int, *, always_paise: bool = False) -> str:
    """Indian digit grouping (lakh, crore); paise shown only when there are any, or always (invoices)."""
    sign = "-" if paise < 0 else ""
    rupees, remainder = divmod(abs(int(paise)), 100)
    digits = str(rupees)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join([*groups, tail])
    return f"{sign}₹{digits}.{remainder:02d}" if remainder or always_paise else f"{sign}₹{digits}"


@register.filter
def rupees(paise: int | None) -> str:
    return "" if paise is None else format_inr(paise)


@register.filter
def rupees_exact(paise: int | None) -> str:
    """Rupees with paise always shown (₹1,23,456.00), as documents print them."""
    return "" if paise is None else format_inr(paise, always_paise=True)
