"""Rupees on screen: paise as ₹ with Indian digit grouping (₹1,23,456.50), the same in every language."""

from django.utils import numberformat
from django.utils.translation import gettext as _


def format_inr(paise: int, *, always_paise: bool = False) -> str:
    """Paise shown only when there are any, or always (documents). Grouping is fixed here, not read from the active
    locale's formats."""
    sign = "-" if paise < 0 else ""
    rupees, remainder = divmod(abs(int(paise)), 100)
    digits = numberformat.format(rupees, ".", grouping=(3, 2, 0), thousand_sep=",", force_grouping=True)
    return f"{sign}₹{digits}.{remainder:02d}" if remainder or always_paise else f"{sign}₹{digits}"


# Prices a mentor sets (an hourly rate, a group session's seat, a package): whole ₹50 steps from ₹50 to ₹10,000
# (seed 002 §12.1.2); a group session may also be free.
PRICE_STEP_PAISE = 50_00
MIN_PRICE_PAISE = 50_00
MAX_PRICE_PAISE = 10_000_00


def price_error(paise: int, *, allow_free: bool = False) -> str | None:
    """Why a price is refused, in the active language, or None when it is fine."""
    if paise == 0 and allow_free:
        return None
    if not MIN_PRICE_PAISE <= paise <= MAX_PRICE_PAISE:
        if allow_free:
            return _("Set a price from ₹50 to ₹10,000, or 0 for a free session.")
        return _("Set a price from ₹50 to ₹10,000.")
    if paise % PRICE_STEP_PAISE:
        return _("Prices go in steps of ₹50: for example ₹450 or ₹500.")
    return None
