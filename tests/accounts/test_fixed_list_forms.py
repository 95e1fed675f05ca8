"""Form controls built from fixed lists: a state is chosen from India's states and union territories (labelled in the
reader's language, stored by the list's name), India's time zone is named in words beside its IANA name, and the
availability editor opens on a real choice rather than "---------"."""

import pytest
from django.utils import translation

from accounts.forms import BasicInfoForm, time_zone_choices
from accounts.suggestions import INDIAN_STATES
from mentors.forms import AvailabilityOverrideForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_onboarding_state_is_a_select_of_every_state_and_union_territory_in_the_readers_language():
    form = BasicInfoForm(user=UserFactory(state="telangana "))
    html = str(form["state"])
    assert html.startswith("<select") and html.count("<option") == len(INDIAN_STATES) + 1 == 37
    assert form["state"].value() == "Telangana"
    assert "required" in html
    with translation.override("te"):
        telugu = str(BasicInfoForm(user=UserFactory(state=""))["state"])
        assert f'<option value="Telangana">{translation.gettext("Telangana")}</option>' in telugu
    assert translation.gettext("Telangana") == "Telangana"


def test_a_state_not_on_the_list_is_refused():
    user = UserFactory()
    form = BasicInfoForm({"state": "Atlantis"}, user=user)
    assert not form.is_valid() and "state" in form.errors


def test_india_is_named_in_words_beside_its_current_zone_name():
    choices = dict(time_zone_choices())
    assert choices["Asia/Kolkata"] == "India Standard Time (Asia/Kolkata)"
    assert "Asia/Calcutta" not in choices and choices["America/New_York"] == "America/New York"
    with translation.override("hi"):
        assert dict(time_zone_choices())["Asia/Kolkata"] == "भारतीय मानक समय (Asia/Kolkata)"


def test_the_days_off_form_opens_on_a_kind_not_a_dashes_placeholder():
    html = str(AvailabilityOverrideForm()["kind"])
    assert "---------" not in html and 'value="blocked" selected' in html
