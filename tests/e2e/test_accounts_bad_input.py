"""Bad input at every step shows a clear error next to the field, and nothing half-saved remains."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import StudentProfile, User
from tests.accounts.browser import (
    choose_level,
    ensure_languages,
    expect_step,
    fill_basic_info,
    fill_school_details,
    next_step,
    png_bytes,
    sign_up,
    verify_email_from_outbox,
    verify_guardian_phone,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def _error_for(page, field: str):
    """The error list Django links to the field through aria-describedby."""
    control = page.locator(f'[name="{field}"], [name="{field}_0"]').first
    expect(control).to_have_attribute("aria-invalid", "true")
    return page.locator(f"#id_{field}_error")


def test_signup_does_not_reveal_a_taken_email_and_refuses_a_weak_password(page, live_server):
    UserFactory(email="taken@example.test")
    sign_up(page, name="Copy Cat", email="taken@example.test")
    # The page says what it says for a new address; the owner of the address is told by email instead.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert [m for m in live_server.outbox() if "taken@example.test" in m["To"]]
    sign_up(page, name="Weak One", email="weak@example.test", password="password")
    expect(page.locator("#id_password1_error")).to_contain_text("too common")
    expect(page.locator("#id_password1_error")).to_contain_text("uppercase letter")
    assert not User.objects.filter(email="weak@example.test").exists()
    assert User.objects.filter(email="taken@example.test").count() == 1


def test_bad_input_at_each_onboarding_step(page, live_server, tmp_path):
    ensure_languages()
    sign_up(page, name="Kiran Rao", email="kiran@example.test")
    verify_email_from_outbox(page, live_server, "kiran@example.test")
    user = User.objects.get(email="kiran@example.test")

    page.get_by_label("Mobile number").fill("12345")
    next_step(page)
    expect(_error_for(page, "phone")).to_contain_text("valid phone number")
    expect(_error_for(page, "primary_language")).to_contain_text("Choose your primary language.")
    user.refresh_from_db()
    assert user.phone == "" and user.primary_language is None
    fill_basic_info(page, age=17)
    page.get_by_label("Parent or guardian's full name").fill("Kavya Rao")
    page.get_by_label("Their email address").fill("kiran@example.test")
    page.get_by_label("Their mobile number").fill("+91 98765 04321")
    page.get_by_label("They are my…").select_option(label="Mother")
    page.get_by_role("button", name="Send the consent email").click()
    expect(_error_for(page, "guardian_email")).to_contain_text("not yours")
    page.get_by_label("Their email address").fill("kavya@example.test")
    page.get_by_label("Their mobile number").fill("12345")
    page.get_by_role("button", name="Send the consent email").click()
    expect(_error_for(page, "guardian_phone")).to_contain_text("valid phone number")
    page.get_by_label("Their mobile number").fill("9876504321")
    page.get_by_role("button", name="Send the consent email").click()
    verify_guardian_phone(page, live_server, "+919876504321")
    page.get_by_role("button", name="Send the consent email").click()
    choose_level(page, "School student")

    expect_step(page, "academics", "Academic details")
    fill_school_details(page, class_grade="13", subjects=("Maths", "Science"))
    next_step(page)
    expect(_error_for(page, "class_grade")).to_contain_text("Class must be between 6 and 12.")
    expect(_error_for(page, "subjects")).to_contain_text("between 3 and 8 subjects (you entered 2)")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.get_by_label("Subject 2", exact=True)).to_have_value("Science")
    profile = StudentProfile.objects.get(user=user)
    assert (profile.class_grade, profile.subjects, profile.school_name, profile.onboarding_step) == (None, [], "", 3)

    page.get_by_role("link", name="Back").click()
    choose_level(page, "College student")
    expect_step(page, "academics", "Academic details")
    page.get_by_label("University or college").fill("JNTU Kakinada")
    page.get_by_label("Degree").fill("B.Tech")
    page.get_by_label("Major / specialisation").fill("ECE")
    page.get_by_label("Current semester").fill("3")
    page.get_by_label("CGPA").fill("11")
    next_step(page)
    expect(_error_for(page, "cgpa")).to_contain_text("CGPA must be between 0 and 10.")
    profile.refresh_from_db()
    assert (profile.cgpa, profile.university, profile.onboarding_step) == (None, "", 3)
    page.get_by_label("CGPA").fill("7.9")
    next_step(page)

    StudentProfile.objects.filter(user=user).update(
        onboarding_step=7,
        industries=["technology"],
        career_timeline="1_year",
        interests=["Radio"],
        challenges=["confidence"],
    )
    page.goto("/onboarding/photo/")
    page.get_by_label("SMS").check()
    photo = page.get_by_label("Profile photo")
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(b"\xff\xd8\xff" + bytes(20 * 1024 * 1024))
    photo.set_input_files(huge)
    page.get_by_role("button", name="Finish").click()
    expect(_error_for(page, "photo")).to_contain_text(re.compile(r"This photo is 20\.0.MB; the limit is 5\.0.MB"))
    photo.set_input_files({"name": "essay.png", "mimeType": "image/png", "buffer": b"%PDF-1.7 not a picture at all"})
    page.get_by_role("button", name="Finish").click()
    expect(_error_for(page, "photo")).to_contain_text("not a photo we can read")
    user.refresh_from_db()
    profile.refresh_from_db()
    assert not user.photo and not profile.is_onboarded and not profile.notify_sms

    photo.set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(re.compile("/dashboard/$"))
    profile.refresh_from_db()
    assert profile.is_onboarded and profile.notify_sms and profile.academic_level == "college"
