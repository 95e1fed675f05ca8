"""``{% load avatars %}``: `name|initials` and `name|avatar_tone` for the default avatar
(`templates/partials/_avatar.html`) of someone without a photo."""

import zlib

from django import template

register = template.Library()


@register.filter
def initials(name: str) -> str:
    """The first letters of the first and last words, upper-cased ("Dr. Priya K. Sharma" → "PS"); one letter for one
    word. Works for any script: a Devanagari or Telugu name gives its first characters."""
    words = str(name or "").split()
    # Honorifics ("Dr.", "Prof.") are not part of the name a face is known by.
    words = [word for word in words if not (word.endswith(".") and len(word) <= 5)] or words
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


# Tints for initials avatars, each pair at least 4.5:1 (text on its background). Whole class names: Tailwind sees them.
AVATAR_TONES = (
    "bg-indigo-100 text-indigo-800",
    "bg-emerald-100 text-emerald-800",
    "bg-amber-100 text-amber-900",
    "bg-rose-100 text-rose-800",
    "bg-sky-100 text-sky-800",
    "bg-violet-100 text-violet-800",
    "bg-teal-100 text-teal-800",
    "bg-orange-100 text-orange-900",
)


@register.filter
def avatar_tone(name: str) -> str:
    """The tint of a person's initials avatar: picked from their name, so a person keeps their colour on every page
    and every server (crc32, not `hash()`, which changes with each process) while people beside each other differ."""
    return AVATAR_TONES[zlib.crc32(str(name or "").encode()) % len(AVATAR_TONES)]


@register.filter
def photo_url(photo) -> str:
    """The URL of an image field's file, or "" when there is none (an empty field's `.url` raises)."""
    return photo.url if photo else ""
