"""Illustrated portraits for the demo people, drawn by code (no downloaded photos): a head and shoulders in one of
several skin tones, hair styles and clothes on a coloured background, the same picture for the same name every run.
They go through the real photo upload path (`accounts.services.user_photo_set`), so they are stored like a photo a
person uploaded."""

import hashlib
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

SIZE = 320
BACKGROUNDS = ("#fde68a", "#bfdbfe", "#c7d2fe", "#fbcfe8", "#bbf7d0", "#fed7aa", "#a5f3fc", "#ddd6fe", "#fecaca")
SKIN_TONES = ("#8d5524", "#a0652f", "#b47442", "#c68642", "#d19a66", "#e0ac69", "#f1c27d")
HAIR_COLOURS = ("#1f1410", "#2b1b14", "#3b2417", "#4a3020", "#6b6b6b")
CLOTHES = ("#1e3a8a", "#0f766e", "#7c2d12", "#6d28d9", "#be123c", "#334155", "#15803d", "#b45309", "#0369a1")
# Long hair or a bun for these demo first names, short styles for the others.
LONG_HAIR_NAMES = frozenset(
    {
        "priya",
        "lakshmi",
        "ananya",
        "sneha",
        "sravani",
        "meera",
        "aditi",
        "neha",
        "divya",
        "kavya",
        "harika",
        "ishita",
        "anjali",
        "swathi",
        "riya",
        "bhavana",
        "tanvi",
        "shreya",
        "rekha",
        "shwetha",
        "pooja",
        "fatima",
        "nandini",
        "sana",
        "kavitha",
        "deepika",
        "megha",
        "lavanya",
    }
)


def _darker(colour: str, factor: float = 0.75) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(value * factor) for value in (red, green, blue)))


def avatar_png(full_name: str) -> bytes:
    """A deterministic portrait for `full_name` as PNG bytes."""
    rng = random.Random(hashlib.sha256(full_name.encode()).digest())
    first_name = full_name.removeprefix("Dr. ").split()[0].lower()
    long_hair = first_name in LONG_HAIR_NAMES
    skin, hair, clothes = rng.choice(SKIN_TONES), rng.choice(HAIR_COLOURS[:4]), rng.choice(CLOTHES)
    image = Image.new("RGB", (SIZE, SIZE), rng.choice(BACKGROUNDS))
    draw = ImageDraw.Draw(image)
    centre = SIZE // 2
    if long_hair:  # hair falling behind the shoulders
        draw.rounded_rectangle((centre - 82, 80, centre + 82, 250), radius=60, fill=hair)
    # shoulders and neck
    draw.ellipse((centre - 130, 225, centre + 130, 420), fill=clothes)
    draw.rectangle((centre - 22, 170, centre + 22, 240), fill=_darker(skin, 0.9))
    draw.polygon([(centre - 30, 228), (centre, 262), (centre + 30, 228)], fill=_darker(skin, 0.9))
    # head and ears
    draw.ellipse((centre - 74, 98, centre - 50, 140), fill=skin)
    draw.ellipse((centre + 50, 98, centre + 74, 140), fill=skin)
    draw.ellipse((centre - 62, 52, centre + 62, 196), fill=skin)
    # hair on top
    if long_hair:
        draw.chord((centre - 66, 44, centre + 66, 150), 180, 360, fill=hair)
        if rng.random() < 0.4:  # a bun
            draw.ellipse((centre - 26, 22, centre + 26, 66), fill=hair)
    else:
        style = rng.choice(("short", "side", "curly"))
        if style == "curly":
            for x in range(centre - 60, centre + 61, 20):
                draw.ellipse((x - 18, 42, x + 18, 88), fill=hair)
        else:
            draw.chord((centre - 64, 46, centre + 64, 130), 180, 360, fill=hair)
            if style == "side":
                draw.polygon([(centre - 64, 88), (centre + 10, 62), (centre + 64, 96), (centre + 64, 80)], fill=hair)
    # face: eyes, brows, smile, and now and then glasses or a bindi
    for side in (-1, 1):
        eye_x = centre + side * 24
        draw.ellipse((eye_x - 6, 118, eye_x + 6, 130), fill="#1f1410")
        draw.line((eye_x - 12, 106, eye_x + 10, 104), fill=hair, width=4)
    if rng.random() < 0.3:
        for side in (-1, 1):
            eye_x = centre + side * 24
            draw.ellipse((eye_x - 18, 110, eye_x + 18, 138), outline="#111827", width=3)
        draw.line((centre - 6, 122, centre + 6, 122), fill="#111827", width=3)
    if long_hair and rng.random() < 0.35:
        draw.ellipse((centre - 4, 96, centre + 4, 104), fill="#b91c1c")
    draw.arc((centre - 24, 132, centre + 24, 170), 20, 160, fill=_darker(skin, 0.55), width=4)
    if not long_hair and rng.random() < 0.3:  # a moustache
        draw.chord((centre - 20, 142, centre + 20, 160), 180, 360, fill=hair)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def avatar_upload(full_name: str) -> SimpleUploadedFile:
    """The portrait as an upload, as a browser would send it."""
    return SimpleUploadedFile("portrait.png", avatar_png(full_name), content_type="image/png")
