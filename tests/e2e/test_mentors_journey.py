"""A new user applies to mentor with documents; staff take the application through the pipeline in the panel;
the approved profile is public at its slug."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import User
from mentors.models import MentorProfile, VerificationStatus
from tests.accounts.browser import ensure_languages, sign_up, verify_email_from_outbox
from tests.factories import UserFactory
from tests.mentors.browser import apply_as_mentor, log_in, staff_approves

pytestmark = pytest.mark.e2e


def test_a_new_user_applies_staff_approve_and_the_profile_goes_public(browser, page, live_server):
    ensure_languages()
    # Identity documents are for admins only (support staff see the document type without a link).
    staff = UserFactory(email="reviewer@example.test", is_staff=True, role=User.Role.ADMIN)

    sign_up(page, name="Ravi Teja", email="ravi.teja@example.test")
    verify_email_from_outbox(page, live_server, "ravi.teja@example.test")
    apply_as_mentor(page, name="Ravi Teja Kondapalli")
    expect(page.get_by_text("Pending", exact=True).first).to_be_visible()
    mentor = MentorProfile.objects.select_related("user").get(user__email="ravi.teja@example.test")
    assert mentor.slug == "ravi-teja-kondapalli"
    assert mentor.documents.get().content_type == "application/pdf"
    # The applicant chose Telugu as their first language, so the acknowledgment is in Telugu.
    with translation.override("te"):
        acknowledgment = translation.gettext("We received your mentor application")
    assert any(acknowledgment in m["Subject"] for m in live_server.outbox())
    # Not public before approval.
    assert page.goto(f"/mentor/{mentor.slug}/").status == 404

    staff_context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Kolkata")
    staff_page = staff_context.new_page()
    try:
        log_in(staff_page, staff.email)
        staff_page.goto(f"/panel/verification/{mentor.pk}/")
        document = staff_page.get_by_role("link", name=re.compile("ID proof: aadhaar.pdf"))
        response = staff_page.request.get(document.get_attribute("href"))
        assert response.status == 200 and response.body().startswith(b"%PDF-")
        assert page.request.get(document.get_attribute("href")).status == 403  # the applicant's own session
        staff_approves(staff_page, applicant="Ravi Teja Kondapalli")
    finally:
        staff_context.close()

    mentor.refresh_from_db()
    assert mentor.verification_status == VerificationStatus.APPROVED
    assert list(mentor.verification_events.order_by("pk").values_list("to_status", flat=True)) == [
        "pending",
        "documents_under_review",
        "background_check_in_progress",
        "interview_scheduled",
        "trial_session_required",
        "approved",
    ]
    with translation.override("te"):
        approved = str(VerificationStatus.APPROVED.label)
    assert any(approved in m["Subject"] for m in live_server.outbox() if "ravi.teja" in m["To"])

    visitor = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Europe/London")
    visitor_page = visitor.new_page()
    try:
        visitor_page.goto("/")
        response = visitor_page.goto(f"/mentor/{mentor.slug}/")
        assert response.status == 200
        expect(visitor_page.get_by_role("heading", name="Ravi Teja Kondapalli", level=1)).to_be_visible()
        expect(visitor_page.get_by_text("Telugu, English")).to_be_visible()
        expect(visitor_page.get_by_text("times in Europe/London")).to_be_visible()
        expect(visitor_page.get_by_role("link", name="Book a session")).to_have_attribute(
            "href", f"/mentor/{mentor.slug}/book/"
        )
    finally:
        visitor.close()
