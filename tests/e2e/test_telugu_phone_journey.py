"""A new student on a 375 px phone with the interface in Telugu signs up, verifies the email, onboards, finds a mentor
and reaches the checkout, and on no page of the way meets an English sentence of the interface or a page wider than
the screen. Whatever a person typed (names, bios, answers) is in Telugu here, so any English left is the app's."""

import datetime as dt
import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from mentors.models import AvailabilityRule
from tests.accounts.browser import ensure_languages, png_bytes
from tests.factories import birth_date_for_age, listed_mentor

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "te" / "LC_MESSAGES" / "django.po"
# Placeholders and markup split a message into the fragments a reader would actually see.
NOT_SHOWN = re.compile(r"%\(\w+\)[sdif]|%[sd]|\{[^}]*\}|<[^>]+>|&\w+;")


@cache
def english_phrases() -> frozenset[str]:
    """Every English phrase of the interface that Telugu translates differently (two words and eight characters at
    least, so that brand names, codes and single words shared by both languages do not count)."""
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for fragment in NOT_SHOWN.split(msgid):
                fragment = " ".join(fragment.split()).strip(" .,:;·–-()")
                if len(fragment) >= 8 and len(fragment.split()) >= 2 and fragment not in translations:
                    phrases.add(fragment)
    return frozenset(phrases)


def check_page(page: Page, where: str) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    assert page.evaluate("() => document.documentElement.lang") == "te", where
    text = " ".join(page.evaluate("() => document.body.innerText").split())
    leaks = sorted(phrase for phrase in english_phrases() if phrase in text)
    assert not leaks, f"English on {where} ({page.url}): {leaks}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} ({page.url}) is {width} px wide on a {PHONE['width']} px screen"


def submit(page: Page) -> None:
    page.locator("main form:has([name=csrfmiddlewaretoken]) button[type=submit]").last.click()


def onboarding_step(page: Page, slug: str) -> None:
    expect(page).to_have_url(re.compile(f"/onboarding/{slug}/$"))
    check_page(page, f"onboarding: {slug}")


@pytest.fixture
def mentor(transactional_db):
    """A listed mentor who speaks Telugu, open every day, whose own words are in Telugu."""
    ensure_languages()
    mentor = listed_mentor(
        user__full_name="రవి కుమార్",
        slug="ravi-kumar",
        languages=["te", "en"],
        title="భౌతిక శాస్త్ర ఉపాధ్యాయుడు",
        bio="ఏడు సంవత్సరాలుగా విద్యార్థులకు భౌతిక శాస్త్రం నేర్పుతున్నాను.",
        university="ఆంధ్ర విశ్వవిద్యాలయం",
        company="నారాయణ కళాశాల",
        expertise_areas=["భౌతిక శాస్త్రం"],
        specializations=["యాంత్రిక శాస్త్రం"],
        industry_focus=["విద్య"],
        subjects=["భౌతిక శాస్త్రం"],
        skills=["సమస్య పరిష్కారం"],
        levels_served=["school"],
        average_rating=4.8,
        rating_count=12,
        total_sessions=40,
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(mentor=mentor, weekday=day, start_time=dt.time(0), end_time=dt.time(23, 30))
        for day in range(7)
    )
    return mentor


def test_a_new_student_signs_up_finds_a_mentor_and_books_in_telugu_on_a_phone(page, live_server, mentor):
    page.set_viewport_size(PHONE)
    # The interface language as the switcher sets it.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "te", "url": live_server.url}])

    page.goto("/accounts/signup/")
    check_page(page, "sign-up")
    # The switcher names every language in itself (Django's own data names Kannada in English).
    expect(page.locator("#header-language option")).to_have_text(
        ["English", "हिन्दी", "తెలుగు", "தமிழ்", "বাংলা", "मराठी", "ಕನ್ನಡ"]
    )
    page.locator("[name=full_name]").fill("శ్రావణి దేవి")
    page.locator("[name=email]").fill("sravani@example.test")
    page.locator("[name=password1]").fill("Kathalu-Cheppu-2026")
    page.locator("[name=password2]").fill("Kathalu-Cheppu-2026")
    page.locator("[name=consent_processing]").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    check_page(page, "check your email")

    [message] = [m for m in live_server.outbox() if "sravani@example.test" in m["To"]]
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.get_content()).group(0))
    check_page(page, "confirm email")
    submit(page)

    onboarding_step(page, "basic")
    page.locator("[name=phone]").fill("98765 43210")
    page.locator("[name=date_of_birth]").fill(birth_date_for_age(19).isoformat())
    page.locator("[name=city]").fill("విజయవాడ")
    page.locator("[name=state]").select_option("Andhra Pradesh")
    page.locator("[name=primary_language]").select_option(label="తెలుగు")
    submit(page)

    onboarding_step(page, "level")
    page.locator("[name=academic_level][value=school]").check()
    submit(page)

    onboarding_step(page, "academics")
    page.locator("[name=school_name]").fill("కేంద్రీయ విద్యాలయం")
    page.locator("[name=board]").select_option(index=1)
    page.locator("[name=class_grade]").fill("10")
    for number, subject in enumerate(("భౌతిక శాస్త్రం", "రసాయన శాస్త్రం", "గణితం")):
        page.locator("[name^=subjects]").nth(number).fill(subject)
    submit(page)

    onboarding_step(page, "languages")
    submit(page)
    onboarding_step(page, "goals")
    page.locator("[name=industries]").first.check()
    page.locator("[name=career_timeline]").first.check()
    submit(page)
    onboarding_step(page, "interests")
    page.locator("[name=interests]").fill("చదరంగం")
    page.locator("[name=challenges]").first.check()
    submit(page)
    onboarding_step(page, "photo")
    page.locator("[name=photo]").set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": png_bytes()})
    submit(page)
    expect(page).to_have_url(re.compile("/dashboard/$"))
    check_page(page, "dashboard")

    page.goto("/mentors/")
    check_page(page, "mentors")
    page.locator("#results li[data-mentor]").filter(has_text="రవి కుమార్").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/mentor/ravi-kumar/$"))
    check_page(page, "mentor profile")

    page.locator("#availability a[data-slot]").first.click()
    expect(page).to_have_url(re.compile(r"/mentor/ravi-kumar/book/\?start="))
    expect(page.locator("input[name=starts_at]:checked")).to_have_count(1)
    check_page(page, "booking")
    page.locator("[name=session_type]").first.check()
    page.locator("[name=purpose]").fill("ఇంజనీరింగ్ ప్రవేశ పరీక్షకు ఎలా సిద్ధం కావాలి")
    page.locator("[name=specific_questions]").fill("రోజుకు ఎన్ని గంటలు చదవాలి?")
    page.locator("[name=current_challenges]").fill("సమయం సరిపోవడం లేదు")
    submit(page)
    expect(page.get_by_test_id("checkout-amount")).to_be_visible()
    check_page(page, "checkout")
