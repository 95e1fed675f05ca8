"""Rupees on screen: paise as ₹ with Indian digit grouping (₹1,23,456.50), the same in every language."""

from django.utils import numberformat


def format_inr(paise: int, *, always_paise: bool = False) -> str:
    """Paise shown only when there are any, or always (documents). Grouping is fixed here, not read from the active
    locale's formats."""
    sign = "-" if paise < 0 else ""
    rupees, remainder = divmod(abs(int(paise)), 100)
    digits = numberformat.format(rupees, ".", grouping=(3, 2, 0), thousand_sep=",", force_grouping=True)
    return f"{sign}₹{digits}.{remainder:02d}" if remainder or always_paise else f"{sign}₹{digits}"
