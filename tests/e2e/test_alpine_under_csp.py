"""Every Alpine component outside the room works under the strict policy (Alpine's CSP build, no 'unsafe-eval'),
with no policy violation or Alpine error in the console. The room has its own journey (test_room_journey.py)."""

import pytest
from playwright.sync_api import expect

from tests.factories import live_group_session, room_member
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e


def _collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_navigation_tip_form_and_calendar_address_work_under_the_strict_policy(page):
    session = live_group_session(starts_in_minutes=-5)
    student = room_member(session, full_name="Asha Reddy")
    errors = _collect_errors(page)
    log_in(page, student.email)
    page.set_viewport_size({"width": 390, "height": 800})

    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-links")).not_to_have_class("hidden")

    page.goto(f"/sessions/{session.pk}/room/tip/")
    custom = page.get_by_label("Other amount (₹)")
    expect(custom).to_be_hidden()
    page.get_by_text("Other", exact=True).click()
    expect(custom).to_be_visible()
    custom.fill("5")
    page.get_by_role("button", name="Continue to payment").click()
    # Re-rendered with its error: "Other" is still chosen, so the field shows from the start.
    expect(page.get_by_label("Other amount (₹)")).to_be_visible()

    page.goto("/my/calendar/")
    address = page.locator("#feed-url")
    address.focus()
    assert page.evaluate(
        "() => { const el = document.getElementById('feed-url'); return el.selectionEnd - el.selectionStart; }"
    ) == len(address.input_value())

    assert not [text for text in errors if "Content Security Policy" in text or "Alpine" in text], errors
