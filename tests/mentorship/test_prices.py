"""Prices mentors set: ₹50 steps from ₹50 to ₹10,000 (seed 002 §12.1.2), a group session may be free."""

import pytest
from django import forms

from mentorship.forms import PriceRupeesField
from mentorship.money import price_error


@pytest.mark.parametrize("rupees", [50, 100, 450, 9_950, 10_000])
def test_prices_in_fifty_rupee_steps_are_accepted(rupees):
    assert price_error(rupees * 100) is None


RANGE, STEPS = "₹50 to ₹10,000", "steps of ₹50"


@pytest.mark.parametrize(("rupees", "words"), [(0, RANGE), (49, RANGE), (10_050, RANGE), (499, STEPS), (75, STEPS)])
def test_other_prices_are_refused_with_the_rule(rupees, words):
    assert words in price_error(rupees * 100)


def test_only_a_group_session_may_be_free():
    assert price_error(0, allow_free=True) is None
    assert "0 for a free session" in price_error(25_00, allow_free=True)


def test_the_form_field_says_why_and_tells_the_browser_the_steps():
    field = PriceRupeesField(allow_free=True)
    assert field.clean("0") == 0 and field.clean("500") == 500
    with pytest.raises(forms.ValidationError, match="steps of ₹50"):
        field.clean("525")
    attrs = field.widget_attrs(forms.NumberInput())
    assert (attrs["min"], attrs["max"], attrs["step"]) == (0, 10_000, 50)
    assert PriceRupeesField().widget_attrs(forms.NumberInput())["min"] == 50
