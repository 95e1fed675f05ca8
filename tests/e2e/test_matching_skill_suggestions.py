"""Skill suggestions in a real browser: typing an interest offers what goes with it; a click adds it."""

import pytest
from playwright.sync_api import expect

from accounts.models import StudentProfile
from matching.services import suggestion_statistics_refresh
from tests.factories import student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


def test_student_adds_a_suggested_interest_while_typing(page):
    for _ in range(3):
        student_with_profile(interests=["Robotics", "Electronics"])
    suggestion_statistics_refresh()
    student = student_with_profile(
        languages=("en", "te"), interests=[], onboarding_step=6, onboarding_completed_at=None
    )
    log_in(page, student.email)

    page.goto("/onboarding/interests/")
    field = page.get_by_label("Your interests")
    field.fill("Robotics\n")
    add = page.get_by_role("button", name="Add “Electronics”")
    expect(add).to_be_visible()
    add.click()

    expect(field).to_have_value("Robotics\nElectronics\n")
    expect(field).to_be_focused()
    expect(add).to_have_count(0)
    page.get_by_label("Choosing a career path").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).not_to_have_url("/onboarding/interests/")
    assert StudentProfile.objects.get(user=student).interests == ["Robotics", "Electronics"]
