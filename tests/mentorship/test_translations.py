"""The Hindi, Telugu, Tamil, Bengali, Marathi and Kannada catalogues are complete, keep every placeholder, and reach
the pages."""

import ast
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

TRANSLATED_LANGUAGES = ("hi", "te", "ta", "bn", "mr", "kn")

# Python %-style placeholders (named or positional, with flags/width/precision), "%%", and str.format "{name}".
# "% r" (a space flag) is left out on purpose: it only ever appears as "50% refund", which is no placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%|\{[A-Za-z_][A-Za-z0-9_]*\}")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")


def _catalogue(language_code: str) -> polib.POFile:
    return polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language_code / "LC_MESSAGES" / "django.po"))


def _live_entries(language_code: str) -> list[polib.POEntry]:
    return [entry for entry in _catalogue(language_code) if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(English source, translation) pairs: form 0 translates the singular, every other form the plural."""
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items())
        return [(entry.msgid if form == 0 else entry.msgid_plural, text) for form, text in forms]
    return [(entry.msgid, entry.msgstr)]


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_catalogue_header_names_the_language_and_its_plural_rule(language_code):
    metadata = _catalogue(language_code).metadata
    assert metadata["Language"] == language_code
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language_code):
    entries = _live_entries(language_code)
    assert len(entries) > 100, "the catalogue lost its messages: run makemessages"
    untranslated = [entry.msgid for entry in entries if not all(text for _source, text in _translations(entry))]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert untranslated == [], f"{len(untranslated)} untranslated {language_code} message(s)"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy {language_code} message(s)"


@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders_and_html_tags_of_the_source(language_code):
    mismatches = []
    for entry in _live_entries(language_code):
        for source, text in _translations(entry):
            if not text:
                continue
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(text)):
                mismatches.append(("placeholders", source, text))
            if Counter(HTML_TAG.findall(source)) != Counter(HTML_TAG.findall(text)):
                mismatches.append(("html tags", source, text))
    assert mismatches == []


def test_placeholder_check_catches_a_renamed_or_dropped_placeholder():
    source = "Welcome, %(name)s: {count} new"
    assert set(PLACEHOLDER.findall(source)) == {"%(name)s", "{count}"}
    assert set(PLACEHOLDER.findall("स्वागत है, %(naam)s: {count} नए")) != set(PLACEHOLDER.findall(source))
    assert set(PLACEHOLDER.findall("స్వాగతం: {count} కొత్తవి")) != set(PLACEHOLDER.findall(source))
    assert PLACEHOLDER.findall("50% refund") == []


def test_listed_library_messages_are_worded_exactly_as_the_installed_libraries_word_them():
    """mentorship/third_party_messages.py feeds Django's and allauth's messages to makemessages; a reworded message
    after a library upgrade would leave the old translation unused and the page half in English."""
    library_catalogues = [
        Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
        Path(django.__file__).parent / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
        Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po",
    ]
    library_msgids = {entry.msgid for path in library_catalogues for entry in polib.pofile(str(path))}
    listing = ast.parse((Path(settings.BASE_DIR) / "mentorship" / "third_party_messages.py").read_text())
    listed = [
        node.args[0].value
        for node in ast.walk(listing)
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
    ]
    assert len(listed) > 50
    assert [msgid for msgid in listed if msgid not in library_msgids] == []


@pytest.fixture
def compiled_catalogues(settings):
    """Compile the .po files (the .mo files are not committed) and make Django read them afresh."""
    call_command("compiletranslations", verbosity=0)
    # Re-assigning LOCALE_PATHS fires setting_changed, which empties Django's cache of loaded catalogues.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language_code", "heading"),
    [
        ("hi", "ऐसा मेंटर ढूँढें जो आपकी पढ़ाई समझे — और आपकी भाषा बोले।"),
        ("te", "మీ చదువును అర్థం చేసుకునే — మీ భాష మాట్లాడే — మెంటర్‌ను కనుగొనండి."),
        ("ta", "உங்கள் படிப்பைப் புரிந்துகொள்ளும் — உங்கள் மொழியைப் பேசும் — வழிகாட்டியைக் கண்டறியுங்கள்."),
        ("bn", "এমন মেন্টর খুঁজুন যিনি আপনার পড়াশোনা বোঝেন — আর আপনার ভাষায় কথা বলেন।"),
        ("mr", "तुमचा अभ्यास समजणारा — आणि तुमची भाषा बोलणारा — मार्गदर्शक शोधा."),
        ("kn", "ನಿಮ್ಮ ಓದನ್ನು ಅರ್ಥಮಾಡಿಕೊಳ್ಳುವ — ಮತ್ತು ನಿಮ್ಮ ಭಾಷೆ ಮಾತನಾಡುವ — ಮಾರ್ಗದರ್ಶಕರನ್ನು ಹುಡುಕಿ."),
        ("en", "Find a mentor who understands your studies — and speaks your language."),
    ],
)
def test_home_page_speaks_the_language_chosen_in_the_cookie(client, compiled_catalogues, language_code, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language_code
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language_code
    assert heading in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language_code", "remember_me", "password"),
    [
        ("hi", "मुझे याद रखें", "पासवर्ड"),
        ("te", "నన్ను గుర్తుంచుకో", "పాస్‌వర్డ్"),
        ("ta", "என்னை நினைவில் வை", "கடவுச்சொல்"),
        ("bn", "আমাকে মনে রাখুন", "পাসওয়ার্ড"),
        ("mr", "मला लक्षात ठेवा", "पासवर्ड"),
        ("kn", "ನನ್ನನ್ನು ನೆನಪಿಡಿ", "ಪಾಸ್‌ವರ್ಡ್"),
    ],
)
def test_log_in_form_of_allauth_speaks_the_chosen_language(
    client, compiled_catalogues, language_code, remember_me, password
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language_code
    page = client.get(reverse("account_login")).content.decode()
    assert remember_me in page
    assert f">{password}<" in page.replace("\n", "").replace(" ", "")
    assert "Remember Me" not in page


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("language_code", TRANSLATED_LANGUAGES)
def test_gettexts_own_checker_accepts_the_catalogue(language_code):
    """msgfmt --check is what Django's compilemessages runs: formats flagged by xgettext must hold in translations."""
    path = Path(settings.BASE_DIR) / "locale" / language_code / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
