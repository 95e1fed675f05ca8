"""``{% load avatars %}``: `name|initials` for the default avatar (`templates/partials/_avatar.html`) of someone
without a photo."""

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


@register.filter
def photo_url(photo) -> str:
    """The URL of an image field's file, or "" when there is none (an empty field's `.url` raises)."""
    return photo.url if photo else ""
