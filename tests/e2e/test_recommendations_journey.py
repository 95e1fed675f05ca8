"""Recommendations in a real browser: a new student onboards, sees recommended mentors with reasons on the
dashboard, says "not interested" to one, and it stays gone after a reload (and on the full list)."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.browser import (
    choose_level,
    ensure_languages,
    fill_basic_info,
    fill_school_details,
    finish_after_academics,
    keep_english,
    next_step,
    sign_up,
    verify_email_from_outbox,
)
from tests.factories import listed_mentor

pytestmark = pytest.mark.e2e


@pytest.fixture
def roster(transactional_db):
    ensure_languages()
    listed_mentor(user__full_name="Ravi Kumar", languages=["te", "en"], specializations=["Robotics and Arduino"])
    listed_mentor(user__full_name="Anjali Rao", languages=["te", "en"], specializations=["JEE Physics"])
    listed_mentor(user__full_name="Kiran Varma", languages=["te"], specializations=["Career counselling"])
    listed_mentor(user__full_name="Sita Devi", languages=["te", "en"], specializations=["Spoken English"])
    listed_mentor(user__full_name="Arjun Reddy", languages=["te", "en"], specializations=["Software Engineering"])
    listed_mentor(user__full_name="Murugan S", languages=["ta"], specializations=["Robotics and Arduino"])


def test_new_student_sees_reasons_and_a_mentor_marked_not_interested_stays_gone(page, live_server, roster):
    keep_english(page, live_server)
    sign_up(page, name="Sravani Devi", email="sravani.rec@example.test")
    verify_email_from_outbox(page, live_server, "sravani.rec@example.test")
    fill_basic_info(page, age=19)
    choose_level(page, "School student")
    fill_school_details(page, subjects=("Physics", "Chemistry", "Mathematics"))
    next_step(page)
    finish_after_academics(page)

    panel = page.get_by_test_id("recommended-mentors")
    cards = panel.get_by_test_id("recommendation")
    expect(cards.first).to_be_visible()
    expect(panel).not_to_contain_text("Murugan S")
    first = cards.first
    expect(first.get_by_test_id("reasons")).to_contain_text("Speaks Telugu")
    name = first.get_by_role("heading").inner_text()

    first.get_by_text("Why this?").click()
    expect(first.get_by_text(re.compile("For this mentor"))).to_be_visible()

    first.get_by_role("button", name="Not interested").click()
    expect(panel.get_by_test_id("not-interested-done")).to_contain_text(name)

    page.reload()
    expect(page.get_by_test_id("recommended-mentors").get_by_test_id("recommendation").first).to_be_visible()
    expect(page.get_by_test_id("recommended-mentors")).not_to_contain_text(name)
    page.get_by_role("link", name="See all recommendations").click()
    expect(page.get_by_role("heading", name="Recommended mentors", level=1)).to_be_visible()
    expect(page.get_by_test_id("recommended-mentors")).not_to_contain_text(name)
