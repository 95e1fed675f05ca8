"""Steps of the mentor journeys, shared by the browser tests in tests/e2e/test_mentors_*.py (and matching's)."""

import datetime as dt

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD, SAMPLE_PDF_BYTES


def log_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("button", name="Log out").first).to_be_attached()


def apply_as_mentor(
    page: Page,
    *,
    name: str,
    title: str = "JEE Physics Mentor",
    primary_language: str = "Telugu (తెలుగు)",
    other_languages: tuple[str, ...] = ("English",),
    levels: tuple[str, ...] = ("School students",),
) -> None:
    """Fill and submit "Become a mentor" with one work entry, one education entry and an ID proof PDF."""
    page.goto("/become-a-mentor/")
    expect(page.get_by_role("heading", name="Become a mentor")).to_be_visible()
    page.get_by_label("Full name, as students will see it").fill(name)
    page.get_by_label("Professional title").fill(title)
    page.get_by_label("University", exact=True).fill("IIT Madras")
    page.get_by_label("Company", exact=True).fill("Narayana Junior College")
    page.get_by_label("Years of experience").fill("7")
    page.get_by_label("City or town").fill("Vijayawada")
    page.get_by_label("State or union territory").select_option(label="Andhra Pradesh")
    page.get_by_role("textbox", name="About").fill("I have taught JEE Physics for seven years, in Telugu and English.")
    page.get_by_label("Expertise areas").fill("Physics, Engineering entrance")
    page.get_by_label("Academic specializations").fill("JEE Physics, Mechanics")
    page.get_by_label("Subjects").fill("Physics")
    for level in levels:
        page.get_by_label(level).check()
    page.get_by_label("Hourly rate (₹)").fill("900")
    page.get_by_label("Primary language").select_option(label=primary_language)
    for language in other_languages:
        page.get_by_role("group", name="Other languages you can mentor in").get_by_label(language, exact=True).check()
    page.locator("[name=work-0-title]").fill("Physics lecturer")
    page.locator("[name=work-0-organization]").fill("Narayana Junior College")
    page.locator("[name=work-0-start_date]").fill("2018-06-01")
    page.locator("[name=education-0-institution]").fill("IIT Madras")
    page.locator("[name=education-0-degree]").fill("M.Sc. Physics")
    page.locator("[name=education-0-start_year]").fill("2014")
    page.locator("[name=education-0-end_year]").fill("2016")
    page.locator("[name=documents-0-file]").set_input_files(
        files=[{"name": "aadhaar.pdf", "mimeType": "application/pdf", "buffer": SAMPLE_PDF_BYTES}]
    )
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Verification")).to_be_visible()


def staff_approves(page: Page, *, applicant: str) -> None:
    """From the staff panel home, find the applicant and move them through every stage to approved."""
    page.goto("/panel/")
    page.get_by_role("link", name="Open the full queue").click()
    page.locator("main").get_by_label("Language", exact=True).select_option("te")
    page.get_by_role("link", name=applicant).click()
    workflow = page.locator("#workflow")
    steps = [
        ("Start document review", "Documents under review"),
        ("Documents verified: start background check", "Background check in progress"),
        ("Schedule interview", "Interview scheduled"),
        ("Require trial session", "Trial session required"),
        ("Approve", "Approved"),
    ]
    for button, status in steps:
        if button == "Schedule interview":
            when = dt.datetime.now() + dt.timedelta(days=3)
            workflow.get_by_label("Interview date and time").fill(when.strftime("%Y-%m-%dT10:30"))
            workflow.get_by_label("Note to the mentor").fill("Video call link will follow by email.")
        workflow.get_by_role("button", name=button, exact=True).click()
        expect(workflow.get_by_text(status, exact=True).first).to_be_visible()
