"""The languages PeerLearn starts with (seed 000 §11): phases 1 and 2 active (their interfaces are translated),
later phases present but off. Their names are a fixed list with translations: pages show a language in the reader's
language, found by its code."""

from django.utils.translation import gettext, gettext_noop

INITIAL_LANGUAGES = (
    # code, English name, native name, region, active, sort order
    ("hi", gettext_noop("Hindi"), "हिन्दी", "North and Central India", True, 10),
    ("en", gettext_noop("English"), "English", "All India", True, 20),
    ("te", gettext_noop("Telugu"), "తెలుగు", "Andhra Pradesh, Telangana", True, 30),
    ("ta", gettext_noop("Tamil"), "தமிழ்", "Tamil Nadu", True, 40),
    ("bn", gettext_noop("Bengali"), "বাংলা", "West Bengal", True, 50),
    ("mr", gettext_noop("Marathi"), "मराठी", "Maharashtra", True, 60),
    ("gu", gettext_noop("Gujarati"), "ગુજરાતી", "Gujarat", False, 70),
    ("kn", gettext_noop("Kannada"), "ಕನ್ನಡ", "Karnataka", True, 80),
    ("ml", gettext_noop("Malayalam"), "മലയാളം", "Kerala", False, 90),
    ("pa", gettext_noop("Punjabi"), "ਪੰਜਾਬੀ", "Punjab", False, 100),
    ("or", gettext_noop("Odia"), "ଓଡ଼ିଆ", "Odisha", False, 110),
    ("es", gettext_noop("Spanish"), "Español", "International", False, 120),
    ("fr", gettext_noop("French"), "Français", "International", False, 130),
    ("zh", gettext_noop("Chinese"), "中文", "International", False, 140),
)

_NAMES_BY_CODE = {code: name for code, name, *_rest in INITIAL_LANGUAGES}
_NATIVE_NAMES_BY_CODE = {code: native for code, _name, native, *_rest in INITIAL_LANGUAGES}


def language_label(code: str, name: str) -> str:
    """A language in the active interface language; one added later by staff, not on the list, keeps its name."""
    listed = _NAMES_BY_CODE.get(code)
    return gettext(listed) if listed else name


def native_language_name(code: str, fallback: str) -> str:
    """A language named in itself, as the interface-language switcher lists it (Django's own data names Kannada in
    English)."""
    return _NATIVE_NAMES_BY_CODE.get(code, fallback)
