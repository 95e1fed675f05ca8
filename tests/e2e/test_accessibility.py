"""axe-core (vendored in tests/e2e/vendor, MPL-2.0, no CDN) finds no serious or critical violation on the key pages,
on a 375 px phone and a 1280 px desktop."""

import json
from pathlib import Path

import pytest

from accounts.models import User
from tests.factories import (
    MentorProfileFactory,
    PaymentFactory,
    UserFactory,
    listed_mentor,
    mentor_with_weekly_hours,
    student_with_profile,
    support_user,
)
from tests.mentors.browser import log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WIDTHS = (375, 1280)
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_page(browser, live_server, transactional_db):
    # The site's Content-Security-Policy refuses injected scripts, rightly; the audit bypasses it, the pages do not.
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def violations(page, path: str, *, before_audit: str = "") -> list[str]:
    """Serious and critical axe violations of `path` at every width, one line each."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        page.wait_for_load_state("load")
        if before_audit:
            page.evaluate(before_audit)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
        for violation in json.loads(result):
            if violation["impact"] in BLOCKING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                found.append(f"{width}px {path}: {violation['id']} ({violation['impact']}) {targets}")
    return found


def test_the_audit_reports_a_serious_violation(axe_page):
    """The check below is not vacuous: a button without a name is caught at both widths."""
    found = violations(
        axe_page,
        "/accounts/login/",
        before_audit="document.querySelector('main').append(document.createElement('button'))",
    )
    assert len(found) == 2 and all("button-name (critical)" in line for line in found)


def test_visitor_pages_have_no_serious_accessibility_violations(axe_page):
    mentor = listed_mentor()
    mentor_with_weekly_hours()
    paths = ["/", "/mentors/", f"/mentor/{mentor.slug}/", "/accounts/signup/", "/accounts/login/"]
    assert [line for path in paths for line in violations(axe_page, path)] == []


def test_student_pages_have_no_serious_accessibility_violations(axe_page):
    mentor = mentor_with_weekly_hours()
    newcomer = UserFactory(role=User.Role.STUDENT)
    log_in(axe_page, newcomer.email)
    found = violations(axe_page, "/onboarding/")
    axe_page.context.clear_cookies()

    student = student_with_profile(languages=("hi", "en"), user_fields={"ui_language": "en"})
    PaymentFactory(payer=student, payee=mentor.user, purpose="tip", status="captured")
    log_in(axe_page, student.email)
    for path in ("/dashboard/", f"/mentor/{mentor.slug}/book/", "/payments/history/"):
        found += violations(axe_page, path)
    assert found == []


def test_staff_pages_have_no_serious_accessibility_violations(axe_page):
    applicant = MentorProfileFactory(pending=True)
    staff = support_user()
    log_in(axe_page, staff.email)
    paths = ["/panel/verification/", f"/panel/verification/{applicant.pk}/"]
    assert [line for path in paths for line in violations(axe_page, path)] == []
