"""``{% load money %}`` then ``{{ amount_paise|rupees }}``: paise as Indian rupees (₹1,23,456.50)."""

from django import template

from mentorship.money import format_inr

register = template.Library()


@register.filter
def rupees(paise: int | None) -> str:
    return "" if paise is None else format_inr(paise)


@register.filter
def rupees_exact(paise: int | None) -> str:
    """Rupees with paise always shown (₹1,23,456.00), as documents print them."""
    return "" if paise is None else format_inr(paise, always_paise=True)
