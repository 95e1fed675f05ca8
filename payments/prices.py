"""Prices a mentor sets (seed 002 §12.1.2): whole ₹50 steps from ₹50 to ₹10,000."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PRICE_STEP_PAISE = 50_00
PRICE_MIN_PAISE = 50_00
PRICE_MAX_PAISE = 10_000_00


def validate_price_paise(paise: int) -> None:
    if not PRICE_MIN_PAISE <= paise <= PRICE_MAX_PAISE or paise % PRICE_STEP_PAISE:
        raise ValidationError(_("Choose a price in steps of ₹50, from ₹50 to ₹10,000."), code="price_step")
