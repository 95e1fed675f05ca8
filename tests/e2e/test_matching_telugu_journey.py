"""Discovery in a real browser: a Telugu-speaking school student narrows `/mentors/` down to a Telugu mentor and sees
why the mentor fits; the address follows every change (shareable, back button); the filters work without JavaScript.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from matching.services import search_document_refresh
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
from tests.factories import UserFactory, listed_mentor, student_with_profile
from tests.mentors.browser import apply_as_mentor, log_in, staff_approves

pytestmark = pytest.mark.e2e


@pytest.fixture
def roster(transactional_db):
    ensure_languages()
    listed_mentor(
        user__full_name="Ravi Kumar",
        languages=["te", "en"],
        levels_served=["school"],
        specializations=["NEET preparation"],
    )
    listed_mentor(user__full_name="Lakshmi Reddy", languages=["te", "en"], levels_served=["college"])
    listed_mentor(user__full_name="Priya Sharma", languages=["hi", "en"], levels_served=["school"])
    hidden = listed_mentor(user__full_name="Venkat Rao", languages=["te"], levels_served=["school"])
    hidden.verification_status = "interview_scheduled"
    hidden.save(update_fields=["verification_status"])
    search_document_refresh(mentor_id=hidden.pk)


def cards(page):
    return page.locator("#results li[data-mentor]")


def filters(page):
    # The footer's interface-language switcher is labelled "Language" too.
    return page.locator("#mentor-filters")


def test_telugu_school_student_filters_and_finds_a_telugu_mentor_with_reasons(page, live_server, roster):
    student = student_with_profile(languages=["te", "en"], academic_level="school", subjects=["Biology"])
    keep_english(page, live_server)
    log_in(page, student.email)

    page.goto("/mentors/")
    expect(cards(page)).to_have_count(3)
    filters(page).get_by_label("Language", exact=True).select_option(label="Telugu")
    expect(page).to_have_url(re.compile(r"language=te"))
    expect(cards(page)).to_have_count(2)
    filters(page).get_by_label("Teaches").select_option(label="School students")
    expect(page).to_have_url(re.compile(r"level=school"))
    expect(cards(page)).to_have_count(1)

    card = cards(page).first
    expect(card.get_by_role("link", name="Ravi Kumar")).to_be_visible()
    reasons = card.get_by_role("list", name="Why this mentor fits you")
    expect(reasons.get_by_role("listitem").first).to_have_text("Speaks Telugu")
    expect(reasons).to_contain_text("Teaches school students")
    expect(card).to_contain_text(re.compile(r"\d+%\s*match"))
    expect(page.get_by_text("Venkat Rao")).to_have_count(0)

    # The address is the state: back undoes the last filter, forward redoes it, a reload shows the same page.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"level=school"))
    expect(cards(page)).to_have_count(2)
    expect(filters(page).get_by_label("Teaches")).to_have_value("")
    expect(filters(page).get_by_label("Language", exact=True)).to_have_value("te")
    page.go_forward()
    expect(cards(page)).to_have_count(1)
    page.reload()
    expect(cards(page)).to_have_count(1)
    expect(filters(page).get_by_label("Language", exact=True)).to_have_value("te")
    expect(filters(page).get_by_label("Teaches")).to_have_value("school")

    card.get_by_role("link", name="Ravi Kumar").click()
    expect(page.get_by_role("heading", name="Ravi Kumar", level=1)).to_be_visible()
    expect(page.locator("#compatibility")).to_contain_text("Speaks Telugu")


def test_filters_work_without_javascript_and_empty_results_suggest_what_to_remove(browser, live_server, roster):
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/mentors/")
        # Without JavaScript the filters are a plain disclosure: opened by its summary, sent by the button.
        filters(page).locator("#filter-sheet > summary").click()
        filters(page).get_by_label("Language", exact=True).select_option(label="Telugu")
        filters(page).get_by_label("Teaches").select_option(label="School students")
        page.get_by_role("button", name="Show mentors").click()
        expect(page).to_have_url(re.compile(r"language=te"))
        expect(cards(page)).to_have_count(1)
        expect(cards(page).first).to_contain_text("Ravi Kumar")
        expect(filters(page).locator("#filter-sheet > summary")).to_contain_text("(2)")
        page.get_by_role("link", name="Remove filter “School students”").click()
        expect(page).not_to_have_url(re.compile(r"level="))
        page.go_back()

        filters(page).locator("#filter-sheet > summary").click()
        filters(page).get_by_label("Specialization").select_option(label="NEET preparation")
        filters(page).get_by_label("Max ₹ / hour").fill("500")
        page.get_by_role("button", name="Show mentors").click()
        expect(page.get_by_text("No mentors match all of these filters.")).to_be_visible()
        page.get_by_role("link", name="Remove “Max ₹ / hour: 500”").click()
        expect(cards(page)).to_have_count(1)
        expect(filters(page).get_by_label("Specialization")).to_have_value("NEET preparation")
    finally:
        context.close()


def test_a_mentor_approved_in_the_panel_is_found_by_a_new_telugu_school_student(browser, page, live_server):
    """The whole journey, from the mentor's application to a new student's search."""
    ensure_languages()
    staff = UserFactory(email="reviewer@example.test", is_staff=True, role=User.Role.SUPPORT)
    keep_english(page, live_server)
    sign_up(page, name="Ravi Teja", email="ravi.teja@example.test")
    verify_email_from_outbox(page, live_server, "ravi.teja@example.test")
    apply_as_mentor(page, name="Ravi Teja Kondapalli")

    staff_context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    staff_page = staff_context.new_page()
    try:
        log_in(staff_page, staff.email)
        staff_approves(staff_page, applicant="Ravi Teja Kondapalli")
    finally:
        staff_context.close()

    student_context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    student_context.set_default_timeout(10_000)
    student_page = student_context.new_page()
    try:
        keep_english(student_page, live_server)
        sign_up(student_page, name="Sravani Devi", email="sravani@example.test")
        verify_email_from_outbox(student_page, live_server, "sravani@example.test")
        fill_basic_info(student_page, age=19)
        choose_level(student_page, "School student")
        fill_school_details(student_page, subjects=("Physics", "Chemistry", "Mathematics"))
        next_step(student_page)
        finish_after_academics(student_page)

        student_page.get_by_role("link", name="Find a mentor").first.click()
        filters(student_page).get_by_label("Language", exact=True).select_option(label="Telugu")
        filters(student_page).get_by_label("Teaches").select_option(label="School students")
        expect(student_page).to_have_url(re.compile(r"language=te.*level=school|level=school.*language=te"))
        card = cards(student_page).filter(has_text="Ravi Teja Kondapalli")
        expect(card).to_have_count(1)
        reasons = card.get_by_role("list", name="Why this mentor fits you")
        expect(reasons.get_by_role("listitem").first).to_have_text("Speaks Telugu")
        expect(reasons).to_contain_text("Teaches school students")
    finally:
        student_context.close()
