"""The whole interface in the reader's language: values from fixed lists (languages, subjects, specializations,
states, session types, time zones) are shown translated at display time, on every key page, in Hindi and Telugu;
notifications are worded in the language being read; money is grouped the Indian way in every language."""

import re

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import formats, translation

from accounts.languages import INITIAL_LANGUAGES
from accounts.models import Language
from accounts.notifications.kinds import notification_text_in_active_language
from accounts.services import notification_raise
from matching.services import search_document_refresh
from mentorship.money import format_inr
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# English names from the fixed lists that the test data puts on the pages ("English" itself is left out: the
# language switcher names every language in its own script, and English is written "English").
FIXED_LIST_ENGLISH = (
    "Hindi",
    "Telugu",
    "Physics",
    "Mathematics",
    "Science",
    "JEE Physics",
    "Software Engineering",
    "Technology",
    "Telangana",
    "Career counselling",
    "Asia/Kolkata",
    "India Standard Time",
)
SCRIPT_OR_STYLE = re.compile(r"<(script|style|template)\b.*?</\1>", flags=re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """What a reader sees: the page without scripts, styles and tags (option labels stay, as select menus show)."""
    return " ".join(TAG.sub(" ", SCRIPT_OR_STYLE.sub(" ", html)).split())


def english_left(html: str) -> list[str]:
    text = visible_text(html)
    return [word for word in FIXED_LIST_ENGLISH if re.search(rf"\b{re.escape(word)}\b", text)]


@pytest.fixture
def marketplace(paid_booking, committed):
    """A student with a paid Career counselling session in Hindi with a listed mentor from Telangana who teaches
    Physics and Mathematics (specialization JEE Physics), and the notices that booking raised."""
    booking = paid_booking()
    mentor = booking.session.mentor.mentor_profile
    with TestCase.captureOnCommitCallbacks(execute=True):
        search_document_refresh(mentor_id=mentor.pk)
    return booking


def _get(client, url: str, code: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("code", ["hi", "te"])
def test_key_pages_show_no_fixed_list_value_in_english(client, marketplace, code):
    mentor = marketplace.session.mentor.mentor_profile
    visitor_pages = [
        reverse("home"),
        reverse("matching:search"),
        reverse("matching:search") + "?subject=Physics&specialization=JEE+Physics&language=hi",
        reverse("mentors:profile", args=[mentor.slug]),
    ]
    for url in visitor_pages:
        assert english_left(_get(client, url, code)) == [], url

    student = marketplace.student
    student.ui_language = code
    student.save(update_fields=["ui_language"])
    client.force_login(student)
    student_pages = [
        reverse("accounts:dashboard"),
        reverse("sessions_app:my_sessions"),
        reverse("sessions_app:booking_detail", args=[marketplace.uuid]),
        reverse("payments:history"),
        reverse("accounts:notifications"),
    ]
    for url in student_pages:
        assert english_left(_get(client, url, code)) == [], url


def test_the_same_pages_in_english_name_the_values_in_english(client, marketplace):
    """The check above is not vacuous: in English the same pages show the list values."""
    mentor = marketplace.session.mentor.mentor_profile
    profile = visible_text(_get(client, reverse("mentors:profile", args=[mentor.slug]), "en"))
    assert "Hindi" in profile and "JEE Physics" in profile and "Physics, Mathematics" in profile
    search = visible_text(_get(client, reverse("matching:search"), "en"))
    assert "JEE Physics" in search and "Physics" in search
    student = marketplace.student
    student.ui_language = "en"
    student.save(update_fields=["ui_language"])
    client.force_login(student)
    sessions = visible_text(_get(client, reverse("sessions_app:my_sessions"), "en"))
    assert "· Hindi ·" in sessions
    history = visible_text(_get(client, reverse("payments:history"), "en"))
    assert "Career counselling" in history and "Times are in India Standard Time." in history


def test_filter_options_keep_the_typed_value_and_show_the_translated_name(client, marketplace):
    html = _get(client, reverse("matching:search"), "hi")
    with translation.override("hi"):
        physics, hindi = translation.gettext("Physics"), translation.gettext("Hindi")
    assert physics != "Physics" and hindi != "Hindi"
    assert f'<option value="Physics">{physics}</option>' in html
    assert f'<option value="hi">{hindi}</option>' in html


def test_text_a_person_typed_stays_as_written(client, marketplace):
    mentor = marketplace.session.mentor.mentor_profile
    mentor.subjects = ["Physics", "Vedic maths tricks"]
    mentor.save(update_fields=["subjects"])
    html = _get(client, reverse("mentors:profile", args=[mentor.slug]), "te")
    with translation.override("te"):
        physics = translation.gettext("Physics")
    assert f"{physics}, Vedic maths tricks" in visible_text(html)


@pytest.mark.parametrize("code", [code for code, *_rest in INITIAL_LANGUAGES])
def test_every_listed_language_has_a_name_in_hindi_and_telugu(code):
    language = Language.objects.get(code=code)
    for ui in ("hi", "te"):
        with translation.override(ui):
            assert language.display_name != language.name, (code, ui)


def test_a_notification_is_worded_in_the_language_the_reader_is_reading_now(client):
    user = UserFactory(ui_language="hi")
    with translation.override("hi"):
        notification = notification_raise(
            recipient=user,
            kind="support.reply",
            params={"ticket": 7, "subject": "Refund", "reply": "Done."},
            link="/help/tickets/x/",
        )
    client.force_login(user)
    hindi = visible_text(_get(client, reverse("accounts:notifications"), "hi"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = visible_text(_get(client, reverse("accounts:notifications"), "en"))
    with translation.override("en"):
        english_title = notification_text_in_active_language(notification, user).title
    with translation.override("hi"):
        hindi_title = notification_text_in_active_language(notification, user).title
    assert english_title != hindi_title
    assert hindi_title in hindi and english_title not in hindi
    assert english_title in english and hindi_title not in english


@pytest.mark.parametrize("code", [code for code, *_rest in settings.LANGUAGES])
def test_rupees_and_counts_are_grouped_the_indian_way_in_every_language(code):
    with translation.override(code):
        assert format_inr(12_345_600) == "₹1,23,456"
        assert format_inr(125_000) == "₹1,250"
        assert formats.number_format(1_234_567, use_l10n=True, force_grouping=True) == "12,34,567"
