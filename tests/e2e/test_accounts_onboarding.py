"""A new student signs up, confirms the email and walks the seven onboarding steps in a real browser."""

import pytest
from playwright.sync_api import expect

from accounts.models import StudentProfile, User
from tests.accounts.browser import (
    choose_level,
    ensure_languages,
    expect_step,
    fill_basic_info,
    fill_school_details,
    finish_after_academics,
    next_step,
    sign_up,
    verify_email_from_outbox,
)

pytestmark = pytest.mark.e2e


def test_school_student_signs_up_verifies_and_completes_onboarding(page, live_server):
    ensure_languages()
    sign_up(page, name="Ravi Teja", email="ravi@example.test")
    verify_email_from_outbox(page, live_server, "ravi@example.test")

    current = page.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Step 1: Basic information")
    fill_basic_info(page, age=19)
    choose_level(page, "School student")
    expect_step(page, "academics", "Academic details")
    expect(current).to_contain_text("Step 3: Academic details")
    fill_school_details(page)
    next_step(page)
    finish_after_academics(page)

    expect(page.get_by_role("heading", name="Welcome, Ravi")).to_be_visible()
    expect(page.get_by_text("7 of 7 steps complete")).to_be_visible()
    expect(page.get_by_role("link", name="Find a mentor").first).to_have_attribute("href", "/mentors/")
    user = User.objects.get(email="ravi@example.test")
    profile = StudentProfile.objects.get(user=user)
    assert profile.is_onboarded and profile.class_grade == 10 and profile.board == "cbse"
    assert profile.subjects == ["Mathematics", "Science", "English", "Telugu"]
    assert (user.phone, user.primary_language.code, user.time_zone) == ("+919876543210", "te", "Asia/Kolkata")
    assert set(user.languages.values_list("code", flat=True)) == {"te", "en"}
    assert user.photo and user.role == "student"


def test_college_student_goes_back_and_forth_and_the_browser_time_zone_is_kept(browser, live_server, transactional_db):
    ensure_languages()
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Dubai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    live_server.clear_outbox()
    try:
        sign_up(page, name="Priya Sharma", email="priya@example.test")
        verify_email_from_outbox(page, live_server, "priya@example.test")
        expect(page.get_by_label("Time zone")).to_have_value("Asia/Dubai")
        fill_basic_info(page, age=20, primary="Hindi (हिन्दी)")
        choose_level(page, "College student")

        expect_step(page, "academics", "Academic details")
        page.get_by_label("University or college").fill("Osmania University")
        page.get_by_role("link", name="Back").click()
        expect_step(page, "level", "Academic level")
        expect(page.get_by_label("College student")).to_be_checked()
        page.go_back()
        page.goto("/onboarding/basic/")
        expect(page.get_by_label("City or town")).to_have_value("Vijayawada")
        page.goto("/onboarding/")
        expect_step(page, "academics", "Academic details")

        page.get_by_label("University or college").fill("Osmania University")
        page.get_by_label("Degree").fill("B.Tech")
        page.get_by_label("Major / specialisation").fill("Computer Science")
        page.get_by_label("Current semester").fill("5")
        page.get_by_label("CGPA").fill("8.4")
        page.get_by_label("Projects").fill("Crop price predictor\nCampus chatbot, in Python")
        next_step(page)
        finish_after_academics(page)
        expect(page.get_by_text("B.Tech · Osmania University")).to_be_visible()
    finally:
        context.close()

    user = User.objects.get(email="priya@example.test")
    profile = user.student_profile
    assert (profile.academic_level, profile.degree, profile.semester, str(profile.cgpa)) == (
        "college",
        "B.Tech",
        5,
        "8.40",
    )
    assert profile.projects == ["Crop price predictor", "Campus chatbot, in Python"]
    assert user.time_zone == "Asia/Dubai" and user.primary_language.code == "hi"
