"""Steps of the student journeys, shared by the browser tests in tests/e2e/test_accounts_*.py."""

import io
import re
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.languages import INITIAL_LANGUAGES
from tests.factories import DEFAULT_PASSWORD, birth_date_for_age, language


def ensure_languages() -> None:
    """Transactional tests flush the seeded languages; the signup journey needs them back."""
    for code, *_rest in INITIAL_LANGUAGES:
        language(code)


def png_bytes(size: tuple[int, int] = (900, 600)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def keep_english(page: Page, live_server) -> None:
    """Pick English in the language cookie, as the switcher does, so pages that would speak the student's
    language (Telugu, Hindi) stay in the English these tests' labels are written in."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


def sign_up(page: Page, *, name: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign up in English: the page keeps English even after the student picks Telugu or Hindi as primary."""
    page.goto("/accounts/signup/")
    site = urlsplit(page.url)._replace(path="/", query="", fragment="").geturl()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site}])
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_label("I agree to the Terms of Service").check()
    page.get_by_role("button", name="Sign up").click()


def verify_email_from_outbox(page: Page, live_server, email: str) -> None:
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = [m for m in live_server.outbox() if email in m["To"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.get_content()).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()


def expect_step(page: Page, slug: str, title: str) -> None:
    expect(page).to_have_url(re.compile(f"/onboarding/{slug}/$"))
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def next_step(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def fill_basic_info(page: Page, *, age: int, primary: str = "Telugu (తెలుగు)") -> None:
    expect_step(page, "basic", "Basic information")
    page.get_by_label("Mobile number").fill("98765 43210")
    page.get_by_label("Date of birth").fill(birth_date_for_age(age).isoformat())
    page.get_by_label("City or town").fill("Vijayawada")
    page.get_by_label("State or union territory").select_option(label="Andhra Pradesh")
    page.get_by_label("Primary language").select_option(label=primary)
    next_step(page)


def choose_level(page: Page, level: str) -> None:
    expect_step(page, "level", "Academic level")
    page.get_by_label(level).check()
    next_step(page)


def fill_school_details(page: Page, *, class_grade: str = "10", subjects: tuple[str, ...] = ()) -> None:
    page.get_by_label("School name").fill("Kendriya Vidyalaya No. 1")
    page.get_by_label("Board").select_option(label="CBSE")
    page.get_by_label("Class", exact=True).fill(class_grade)
    for number, subject in enumerate(subjects or ("Mathematics", "Science", "English", "Telugu"), start=1):
        page.get_by_label(f"Subject {number}", exact=True).fill(subject)


def finish_after_academics(page: Page) -> None:
    """Steps 4 to 7 with ordinary answers."""
    expect_step(page, "languages", "Languages")
    page.get_by_label("English", exact=True).check()
    next_step(page)
    expect_step(page, "goals", "Career goals")
    page.get_by_label("Technology and software").check()
    page.get_by_label("Roles you would like").fill("Software engineer")
    page.get_by_label("Within a year").check()
    next_step(page)
    expect_step(page, "interests", "Interests and challenges")
    page.get_by_label("Your interests").fill("Robotics, Chess")
    page.get_by_label("Choosing a career path").check()
    next_step(page)
    expect_step(page, "photo", "Photo and preferences")
    page.get_by_label("Profile photo").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.get_by_role("button", name="Finish").click()
    expect(page).to_have_url(re.compile("/dashboard/$"))


def verify_guardian_phone(page: Page, live_server, phone: str) -> None:
    """On the page the guardian form leads to, type the code texted to the guardian's ``phone`` (E.164)."""
    expect(page.get_by_role("heading", name="Verify your parent or guardian's mobile number")).to_be_visible()
    expect(page.get_by_text(phone).first).to_be_visible()
    page.get_by_label("6-digit code").fill(live_server.sms_codes(phone)[-1])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Their mobile number is verified.")).to_be_visible()
