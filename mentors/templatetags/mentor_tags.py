from django import template

from mentorship.money import format_inr

register = template.Library()


@register.filter
def rupees(paise: int | None) -> str:
    """Paise as rupees for display: 120000 -> ₹1,200; 12050 -> ₹120.50."""
    return "" if paise is None else format_inr(paise)


@register.filter
def star_fill(rating) -> int:
    """How many of five stars to fill for an average rating (rounded to the nearest whole star)."""
    return int(float(rating or 0) + 0.5)
