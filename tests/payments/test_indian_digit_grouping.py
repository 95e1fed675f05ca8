"""Money and numbers group the Indian way (₹1,250 and ₹1,23,456) in every language the site speaks, on the mentor
cards, the profile's prices and wherever the rupees filter is used."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from tests.factories import listed_mentor

CODES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(
    ("paise", "shown"),
    [
        (125_000, "₹1,250"),
        (12_345_650, "₹1,23,456.50"),
        (1_000_000_000, "₹1,00,00,000"),
        (99_900, "₹999"),
        (-5, "-₹0.05"),
    ],
)
def test_the_rupees_filters_group_in_lakhs_and_crores_in_every_language(code, paise, shown):
    with translation.override(code):
        assert Template("{% load money %}{{ amount|rupees }}").render(Context({"amount": paise})) == shown


@pytest.mark.parametrize("code", CODES)
def test_localised_numbers_group_in_lakhs_in_every_language(code):
    with translation.override(code):
        assert formats.number_format(1250, 0, force_grouping=True) == "1,250"
        assert formats.number_format(123456, 0, force_grouping=True) == "1,23,456"
        assert formats.number_format(12345678.5, 2, force_grouping=True) == "1,23,45,678.50"


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_mentor_cards_and_profile_prices_show_grouped_rupees(client, code):
    mentor = listed_mentor(hourly_rate_paise=250_000, offered_durations=[30, 60])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    card = client.get(reverse("matching:search")).content.decode()
    assert "₹1,250" in card and "₹1250" not in card  # "From": the 30-minute price
    profile = client.get(reverse("mentors:profile", args=[mentor.slug])).content.decode()
    assert f'lang="{code}"' in profile
    assert "₹1,250" in profile and "₹2,500" in profile and "₹1250" not in profile
