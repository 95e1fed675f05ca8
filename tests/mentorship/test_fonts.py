"""Indic fonts: each page links only its language's script font, and the committed font files are real woff2
subsets small enough for a phone, with `font-display: swap` and their licence beside them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from fontTools.ttLib import TTFont

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
SHEETS = {
    "hi": "fonts/devanagari.css",
    "te": "fonts/telugu.css",
    "ta": "fonts/tamil.css",
    "bn": "fonts/bengali.css",
    "mr": "fonts/devanagari.css",
    "kn": "fonts/kannada.css",
}
SAMPLES = {
    "fonts/devanagari.css": "मेंटर खोजें ₹1,250।",
    "fonts/telugu.css": "మెంటర్లను కనుగొనండి ₹1,250.",
    "fonts/tamil.css": "வழிகாட்டியைக் கண்டறியுங்கள் ₹1,250.",
    "fonts/bengali.css": "মেন্টর খুঁজুন ₹1,250।",
    "fonts/kannada.css": "ಮಾರ್ಗದರ್ಶಕರನ್ನು ಹುಡುಕಿ ₹1,250.",
}


def _home_in(client, code: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client.get(reverse("home")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["hi", "te", "ta", "bn", "mr", "kn"])
def test_a_page_links_its_own_script_font_and_not_the_others(client, code):
    page = _home_in(client, code)
    assert f'<html lang="{code}"' in page
    for sheet in set(SHEETS.values()):
        assert (f'href="/static/{sheet}"' in page) is (sheet == SHEETS[code]), sheet
    assert page.count('rel="preload"') == 1 and 'as="font"' in page and "crossorigin" in page


@pytest.mark.django_db
def test_an_english_page_downloads_no_indic_font(client):
    page = _home_in(client, "en")
    assert "/static/fonts/" not in page


@pytest.mark.parametrize("sheet", sorted(set(SHEETS.values())))
def test_each_font_sheet_swaps_and_points_at_small_valid_woff2_files_covering_its_script(sheet):
    css = (FONTS.parent / sheet).read_text()
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == 2 and all("font-display: swap" in face for face in faces)
    assert sorted(re.findall(r"font-weight: (\d+)", css)) == ["400", "700"]
    for name in re.findall(r'url\("([^"]+)"\) format\("woff2"\)', css):
        path = FONTS / name
        data = path.read_bytes()
        assert data[:4] == b"wOF2", name
        assert len(data) < 200 * 1024, (name, len(data))
        cmap = TTFont(path).getBestCmap()
        assert all(ord(char) in cmap for char in SAMPLES[sheet] if char not in " ₹"), name
        assert not {ord(char) for char in "abcxyzABCXYZ"} & cmap.keys(), f"{name} carries Latin letters"


def test_the_fonts_licence_travels_with_them():
    licence = (FONTS / "OFL.txt").read_text()
    assert (
        "SIL Open Font License, Version 1.1" in licence and "Google" in licence and "PERMISSION & CONDITIONS" in licence
    )
