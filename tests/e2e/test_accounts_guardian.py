"""A 15-year-old names a guardian during onboarding; the guardian consents from the emailed link."""

import re

import pytest
from playwright.sync_api import expect

from accounts.consent import CONSENT_TEXT_VERSION
from accounts.models import GuardianConsent
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
    verify_guardian_phone,
)

pytestmark = pytest.mark.e2e


def test_minor_gets_guardian_consent_from_the_emailed_link(page, browser, live_server):
    ensure_languages()
    sign_up(page, name="Ananya Reddy", email="ananya@example.test")
    verify_email_from_outbox(page, live_server, "ananya@example.test")
    fill_basic_info(page, age=15)

    expect(page).to_have_url(re.compile("/guardian/$"))
    expect(page.get_by_text("Because you are under 18")).to_be_visible()
    page.get_by_label("Parent or guardian's full name").fill("Lakshmi Reddy")
    page.get_by_label("Their email address").fill("lakshmi@example.test")
    page.get_by_label("Their mobile number").fill("98765 01234")
    page.get_by_label("They are my…").select_option(label="Mother")
    page.get_by_role("button", name="Send the consent email").click()

    # Nothing is emailed until the guardian's number is proved with the code texted to it.
    expect(page).to_have_url(re.compile(r"/phone/verify/\?for=guardian$"))
    assert not GuardianConsent.objects.filter(student__email="ananya@example.test").exists()
    wrong = "000000" if live_server.sms_codes("+919876501234")[-1] != "000000" else "111111"
    page.get_by_label("6-digit code").fill(wrong)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code_error")).to_contain_text("not right")
    verify_guardian_phone(page, live_server, "+919876501234")
    expect(page.get_by_label("Their mobile number")).to_have_value("+919876501234")
    expect(page.get_by_label("Their email address")).to_have_value("lakshmi@example.test")
    page.get_by_role("button", name="Send the consent email").click()

    choose_level(page, "School student")
    fill_school_details(page, class_grade="9")
    next_step(page)
    finish_after_academics(page)
    expect(page.locator("[data-consent-status]")).to_have_text("Pending")
    expect(page.locator("[data-booking-blocker]")).to_contain_text("guardian must give consent")

    [message] = [m for m in live_server.outbox() if "lakshmi@example.test" in m["To"]]
    assert "Ananya Reddy" in message["Subject"]
    link = re.search(r"https?://\S+/guardian-consent/\S+/", message.get_body(("plain",)).get_content()).group(0)

    # The consent page speaks the student's language (Telugu here) unless the visitor picked one.
    guardian_context = browser.new_context(locale="en-US", user_agent="GuardianBrowser/1.0")
    guardian = guardian_context.new_page()
    keep_english(guardian, live_server)
    try:
        guardian.goto(link)
        expect(guardian.get_by_role("heading", name="What data we keep")).to_be_visible()
        expect(guardian.get_by_role("heading", name="Sessions are recorded")).to_be_visible()
        expect(guardian.get_by_role("heading", name="Your right to withdraw")).to_be_visible()
        guardian.get_by_role("button", name="I give my consent").click()
        expect(guardian.locator("#id_agree_error")).to_contain_text("Tick the box")
        guardian.get_by_label(re.compile("I am this student's parent or legal guardian")).check()
        guardian.get_by_role("button", name="I give my consent").click()
        expect(guardian.locator("[data-consent-status]")).to_have_text("Granted")
        guardian.goto(link)
        expect(guardian.get_by_role("button", name="Withdraw my consent")).to_be_visible()
        expect(guardian.get_by_role("button", name="I give my consent")).to_have_count(0)
    finally:
        guardian_context.close()

    consent = GuardianConsent.objects.get(student__email="ananya@example.test")
    assert consent.status == "granted" and consent.text_version == CONSENT_TEXT_VERSION
    assert consent.granted_ip == "127.0.0.1" and consent.granted_user_agent == "GuardianBrowser/1.0"
    assert (consent.guardian_name, consent.relationship) == ("Lakshmi Reddy", "mother")
    assert consent.guardian_phone == "+919876501234"

    page.reload()
    expect(page.locator("[data-consent-status]")).to_have_text("Granted")
    expect(page.locator("[data-booking-blocker]")).to_have_count(0)
