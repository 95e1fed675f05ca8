"""Finding and booking a mentor on a 375 px phone: results before filters, the filter sheet by keyboard, filters as
removable chips, the whole card as one link, focus kept on the results after "Next", and a profile's time chips
starting the booking at that time."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from matching.services import search_document_refresh
from mentors.models import AvailabilityRule
from tests.accounts.browser import ensure_languages
from tests.factories import listed_mentor, student_with_profile
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def roster(transactional_db):
    """Thirteen listed mentors (one more than a page), the best rated speaking Telugu and open every day."""
    ensure_languages()
    best = listed_mentor(
        user__full_name="Ravi Kumar", slug="ravi-kumar", languages=["te", "en"], average_rating=4.9, rating_count=31,
        total_sessions=120,
    )  # fmt: skip
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(mentor=best, weekday=day, start_time=dt.time(9), end_time=dt.time(18)) for day in range(7)
    )
    search_document_refresh(mentor_id=best.pk)
    for index in range(12):
        listed_mentor(user__full_name=f"Mentor Number{index}", languages=["hi", "en"], average_rating=3.5,
                      rating_count=index, total_sessions=index * 3)  # fmt: skip
    return best


def cards(page):
    return page.locator("#results li[data-mentor]")


def test_a_mentor_card_shows_above_the_fold_on_a_phone_and_the_filters_wait_behind_a_button(page, roster):
    page.set_viewport_size(PHONE)
    page.goto("/mentors/")
    first = cards(page).first
    expect(first).to_be_visible()
    name = first.get_by_role("link")
    assert name.bounding_box()["y"] + name.bounding_box()["height"] <= PHONE["height"]
    expect(page.locator("#mentor-filters").get_by_label("Teaches")).to_be_hidden()
    expect(page.locator("#filter-sheet > summary")).to_have_text(re.compile(r"^\s*Filters\s*$"), use_inner_text=True)
    # The search box's placeholder fits inside it.
    assert page.evaluate(
        "() => { const box = document.getElementById('id_q'); const probe = document.createElement('canvas')"
        ".getContext('2d'); probe.font = getComputedStyle(box).font;"
        " return probe.measureText(box.placeholder).width < box.clientWidth; }"
    )


def test_the_filter_sheet_opens_and_closes_by_keyboard_and_a_filter_becomes_a_chip_that_removes_it(page, roster):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(PHONE)
    page.goto("/mentors/")
    summary = page.locator("#filter-sheet > summary")
    summary.focus()
    page.keyboard.press("Enter")
    sheet = page.locator("#filter-sheet")
    expect(sheet).to_have_attribute("open", "")
    language = sheet.get_by_label("Language", exact=True)
    expect(language).to_be_visible()
    assert page.evaluate("() => document.activeElement.closest('#filter-sheet') !== null")
    # Focus stays in the sheet while it is open.
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('#filter-sheet') !== null")
    page.keyboard.press("Escape")
    expect(sheet).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    expect(language).to_be_hidden()

    page.keyboard.press("Enter")
    expect(language).to_be_visible()
    language.select_option(label="Telugu")
    expect(page).to_have_url(re.compile(r"language=te"))
    sheet.get_by_role("button", name="Show mentors").click()
    expect(language).to_be_hidden()
    expect(cards(page)).to_have_count(1)
    expect(page.locator("#results")).to_be_focused()
    expect(summary).to_contain_text("Filters (1)")
    chip = page.get_by_role("link", name="Remove filter “Telugu”")
    expect(chip).to_be_visible()

    chip.click()
    expect(page).not_to_have_url(re.compile(r"language="))
    expect(cards(page)).to_have_count(12)
    expect(page.get_by_role("link", name=re.compile("Remove filter"))).to_have_count(0)
    # The sheet's Alpine component runs under the strict Content-Security-Policy (Alpine's CSP build).
    assert not [text for text in errors if "Content Security Policy" in text or "Alpine" in text], errors


def test_the_whole_card_is_one_link_and_next_keeps_focus_on_the_results(page, roster):
    page.set_viewport_size(PHONE)
    page.goto("/mentors/")
    card = cards(page).first
    expect(card.get_by_role("link")).to_have_count(1)
    expect(card).to_contain_text("4.9")
    expect(card).to_contain_text("(31 ratings)")
    expect(card).to_contain_text("120 sessions done")
    expect(card.get_by_role("list", name="Languages").get_by_role("listitem")).to_have_text(["Telugu", "English"])

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#results")).to_be_focused()
    expect(cards(page)).to_have_count(1)

    page.goto("/mentors/")
    price = cards(page).first.locator("[data-price]")
    box = price.bounding_box()
    # A tap on the price, far from the name, opens the profile.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"/mentor/ravi-kumar/$"))


def test_a_time_chip_on_the_profile_opens_booking_at_that_time(page, roster):
    student = student_with_profile(languages=["en", "te"])  # English first: the page reads in English
    log_in(page, student.email)
    page.set_viewport_size(PHONE)
    page.goto("/mentor/ravi-kumar/")
    bar = page.get_by_test_id("book-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("From ₹600")
    expect(bar.get_by_role("link", name="Book")).to_be_visible()

    chip = page.locator("#availability a[data-slot]").nth(2)
    chosen = chip.locator("time").get_attribute("datetime")
    chip.click()
    expect(page).to_have_url(re.compile(r"/mentor/ravi-kumar/book/\?start="))
    checked = page.locator("input[name=starts_at]:checked")
    expect(checked).to_have_count(1)
    assert dt.datetime.fromisoformat(checked.get_attribute("value")) == dt.datetime.fromisoformat(chosen)
