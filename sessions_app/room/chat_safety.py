"""Child safety in messages (seed 000 §14.3): in a conversation with someone under 18, contact details are hidden.

Phone numbers, e-mail addresses, UPI ids, links to messaging and social apps and social handles are replaced before
a message is stored or relayed, so nobody (nor the session bundle later) ever sees them. ``mask_contact_details``
is the one entry point, for room chat, tip notes and any other messages between students and mentors.

People get around simple patterns, so the text is normalised first (NFKC folds full-width and styled characters;
invisible characters are removed; Indian-script digits and Cyrillic/Greek look-alikes become ASCII), and the rules
lean towards hiding: a long run of digit-like units counts as a phone number even when spaced out, written with the
letters O and l, or spelled out in words ("nine eight seven …"); ``ravi at gmail dot com`` counts as an address.
"""

import re
import unicodedata

MASK = "[•••]"

# Zero-width spaces and joiners, word joiner, BOM, soft hyphen, and other invisible formatting characters.
_INVISIBLE = {ord(ch): None for ch in "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"}
_INVISIBLE |= {code: None for code in range(0x2060, 0x2070)} | {0xFEFF: None, 0x3164: None, 0xFFA0: None}
# Letters that look like Latin ones (NFKC leaves them alone).
_LOOK_ALIKES = str.maketrans(
    "АВСЕНІЈКМОРЅТХУаесіјорѕхуԁɡΑΒΕΗΙΚΜΝΟΡΤΥΧΖαοριν",
    "ABCEHIJKMOPSTXYaecijopsxydgABEHIKMNOPTYXZaopiv",
)

_AT = r"(?:@|\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)"
_STRICT_AT = r"(?:@|\s*[\[({<]\s*at\s*[\])}>]\s*)"

EMAIL_RE = re.compile(rf"[A-Za-z0-9._%+\-]+{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}\b", re.I)
# A UPI id is `handle@bank` (okaxis, ybl, paytm, upi …): an address without a dot after the @.
UPI_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._\-]*{_STRICT_AT}[A-Za-z][A-Za-z0-9]{{1,63}}\b", re.I)
# Links to messaging and social apps, with or without the scheme.
SOCIAL_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.(?:me|dog)|wa\.me|chat\.whatsapp\.com|api\.whatsapp\.com|"
    r"instagram\.com|instagr\.am|snapchat\.com|facebook\.com|fb\.me|fb\.com|m\.me|twitter\.com|x\.com|"
    r"discord\.gg|discord(?:app)?\.com|linkedin\.com|signal\.me|threads\.net|youtube\.com|youtu\.be|"
    r"sharechat\.com|moj\.app|kooapp\.com)\s*/\s*\S*",
    re.I,
)
_PLATFORMS = (
    r"insta(?:gram)?|ig|telegram|tg|snap(?:chat)?|twitter|discord|whats\s*app|wa|fb|facebook|skype|signal|"
    r"threads|sharechat|moj|koo|kik|wechat|line|youtube|yt"
)
# "my insta is ravi_k07", "snap: ravi.k", "telegram @ravik": the handle after a platform's name.
PLATFORM_HANDLE_RE = re.compile(
    rf"\b((?:{_PLATFORMS})\b[\s:\-]*(?:(?:id|handle|username|user\s*name|user|account|acc|is|me|at|on|par|pe)\b"
    rf"[\s:\-]*){{0,3}})@?[A-Za-z0-9_.]{{3,}}",
    re.I,
)
# A bare @handle that does not read like a name: it has digits, underscores or dots ("@ravi_k07", "@ravi.k").
HANDLE_RE = re.compile(r"(?<![\w@])@(?=[A-Za-z0-9_.]*[0-9_.][A-Za-z0-9_.]*\b)[A-Za-z0-9_.]{3,}")

# Digits as people write them to slip past a filter: figures, the letters O/o/l/I, and number words (English and
# Hindi in Latin letters).
_NUMBER_WORDS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|oh|double|triple|"
    "shunya|sunya|ek|do|teen|char|chaar|paanch|panch|chhe|che|saat|aath|nau"
)
_UNIT = rf"(?:\d|[OoIl](?![A-Za-z])|(?<![A-Za-z])[OoIl]|\b(?:{_NUMBER_WORDS})\b)"
DIGIT_RUN_RE = re.compile(rf"(?<![\w])[+(]{{0,3}}{_UNIT}(?:[\s.\-(),]{{0,3}}{_UNIT})+\)?(?![\w])", re.I)
_UNIT_RE = re.compile(_UNIT, re.I)
# Indian mobiles have 10 digits, landlines 10–11 with the STD code (040 2345 6789), more with +91 / 0091.
PHONE_MIN_DIGITS = 10


def normalise_text(text: str) -> str:
    """The text as a filter should read it: NFKC, no invisible characters, ASCII digits, Latin look-alikes."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_LOOK_ALIKES)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    units = _UNIT_RE.findall(run)
    # A run made mostly of the letters O and l ("lol oo") is prose; one written with number words has a word per
    # digit it hides, so words count like figures.
    letters = sum(len(unit) == 1 and not unit.isdigit() for unit in units)
    return MASK if len(units) >= PHONE_MIN_DIGITS and letters * 2 <= len(units) else run


def _mask_platform_handle(match: re.Match[str]) -> str:
    return match.group(1) + MASK


def mask_contact_details(text: str) -> str:
    """The (normalised) text with every contact detail replaced by ``MASK``."""
    text = normalise_text(text)
    text = SOCIAL_LINK_RE.sub(MASK, text)
    text = EMAIL_RE.sub(MASK, text)
    text = UPI_RE.sub(MASK, text)
    text = PLATFORM_HANDLE_RE.sub(_mask_platform_handle, text)
    text = HANDLE_RE.sub(MASK, text)
    return DIGIT_RUN_RE.sub(_mask_digit_run, text)
