"""The mentor's own pages and the public profile: htmx swaps get the fragment, history restores the whole page."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import MentorProfileFactory, mentor_with_weekly_hours
from tests.htmx import assert_page_or_partial

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_dashboard(client):
    mentor = MentorProfileFactory(pending=True)
    client.force_login(mentor.user)
    assert_page_or_partial(client, reverse("mentors:dashboard"), fragment='id="verification-status"')


def test_availability(client):
    mentor = mentor_with_weekly_hours()
    client.force_login(mentor.user)
    assert_page_or_partial(client, reverse("mentors:availability"), fragment='id="availability-editor"')


def test_public_profile_week(client):
    mentor = mentor_with_weekly_hours()
    assert_page_or_partial(client, reverse("mentors:profile", args=[mentor.slug]), fragment='id="availability"')
