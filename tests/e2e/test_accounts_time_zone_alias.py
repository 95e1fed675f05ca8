"""Chromium reports some zones by their old names (Asia/Calcutta, Asia/Katmandu); onboarding shows and stores the
current IANA name and never lists the old one."""

import pytest
from playwright.sync_api import expect

from tests.accounts.browser import ensure_languages, sign_up, verify_email_from_outbox

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("zone", "old_name"), [("Asia/Kolkata", "Asia/Calcutta"), ("Asia/Kathmandu", "Asia/Katmandu")])
def test_onboarding_preselects_the_current_name_of_the_zone_the_browser_reports_by_its_old_one(
    browser, live_server, transactional_db, zone, old_name
):
    ensure_languages()
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id=zone)
    context.set_default_timeout(10_000)
    page = context.new_page()
    live_server.clear_outbox()
    try:
        sign_up(page, name="Ravi Teja", email="ravi@example.test")
        verify_email_from_outbox(page, live_server, "ravi@example.test")
        assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == old_name
        select = page.get_by_label("Time zone")
        expect(select).to_have_value(zone)
        assert select.locator(f'option[value="{old_name}"]').count() == 0
        cookie = next(c["value"] for c in context.cookies() if c["name"] == "peerlearn_tz")
        assert cookie == old_name  # what the browser sent; the server reads it as the current name
    finally:
        context.close()
