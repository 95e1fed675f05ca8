"""Writes static/fonts/: subsetted Noto Sans Devanagari, Telugu, Tamil, Bengali and Kannada (regular and bold) as
woff2, one @font-face stylesheet per script and the fonts' licence. Run by `make fonts`; the output is committed, so running the
app never needs this script, Debian's fonts-noto-core or fontTools.

Each font keeps its script's Unicode block with every OpenType layout feature (conjuncts and matras are shaped from
those), the joiners and the dotted circle the shaper inserts, the rupee sign, and Latin digits and punctuation so a
price or a full stop in a Hindi sentence does not switch fonts mid-line. Latin letters are left to the system font.
"""

import re
import sys
from pathlib import Path

from fontTools import subset

NOTO = Path("/usr/share/fonts/truetype/noto")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
OUT = Path(__file__).resolve().parent.parent / "fonts"

SHARED = [
    (0x0020, 0x0040),  # space, punctuation, digits
    (0x005B, 0x0060),
    (0x007B, 0x007E),
    (0x00A0, 0x00A0),
    (0x200B, 0x200D),  # zero-width space, non-joiner, joiner
    (0x2010, 0x2014),  # hyphens and dashes
    (0x2018, 0x201D),  # curly quotes
    (0x2026, 0x2026),
    (0x20B9, 0x20B9),  # ₹
    (0x25CC, 0x25CC),  # dotted circle
]
SCRIPTS = {
    "devanagari": ("Noto Sans Devanagari", "NotoSansDevanagari", [(0x0900, 0x097F), (0xA8E0, 0xA8FF)]),
    "telugu": ("Noto Sans Telugu", "NotoSansTelugu", [(0x0C00, 0x0C7F)]),
    "tamil": ("Noto Sans Tamil", "NotoSansTamil", [(0x0B80, 0x0BFF)]),
    # Bengali and Kannada end sentences with the Devanagari danda (U+0964, U+0965), which their Noto fonts carry.
    "bengali": ("Noto Sans Bengali", "NotoSansBengali", [(0x0980, 0x09FF), (0x0964, 0x0965)]),
    "kannada": ("Noto Sans Kannada", "NotoSansKannada", [(0x0C80, 0x0CFF), (0x0964, 0x0965)]),
}
WEIGHTS = {"Regular": 400, "Bold": 700}


def _unicode_range(ranges):
    return ", ".join(f"U+{start:04X}" if start == end else f"U+{start:04X}-{end:04X}" for start, end in ranges)


def _subset(source: Path, target: Path, codepoints: list[int]) -> None:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.hinting = False  # woff2 on screens is rendered unhinted by every current browser; halves the size
    options.name_IDs = ["*"]  # keeps the copyright and licence fields the OFL asks to travel with the font
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def _licence() -> str:
    """The OFL 1.1 as Debian records it for fonts-noto-core, with Google's copyright line above it."""
    # The licence's text is the stand-alone "License: OFL-1.1" paragraph (indented lines); the others only name it.
    body = next(
        match
        for match in re.findall(r"^License: OFL-1\.1\n((?: .*\n)+)", COPYRIGHT.read_text(), re.M)
        if "PREAMBLE" in match
    )
    lines = ["" if line == " ." else line[1:] for line in body.splitlines()]
    notice = (
        "Noto Sans Devanagari, Telugu, Tamil, Bengali and Kannada: Copyright 2010-2020 Google Inc. and Google LLC.\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n\n"
    )
    return notice + "\n".join(lines).strip() + "\n"


def main() -> int:
    if not NOTO.is_dir():
        print("Needs Debian's fonts-noto-core: apt-get install -y fonts-noto-core", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    for script, (family, stem, blocks) in SCRIPTS.items():
        ranges = blocks + SHARED
        codepoints = [cp for start, end in ranges for cp in range(start, end + 1)]
        faces = []
        for style, weight in WEIGHTS.items():
            target = OUT / f"{stem}-{style}.woff2"
            _subset(NOTO / f"{stem}-{style}.ttf", target, codepoints)
            print(f"{target.relative_to(OUT.parent.parent)}: {target.stat().st_size // 1024} KB")
            faces.append(
                "@font-face {\n"
                f'  font-family: "{family}";\n'
                "  font-style: normal;\n"
                f"  font-weight: {weight};\n"
                "  font-display: swap;\n"
                f'  src: url("{target.name}") format("woff2");\n'
                f"  unicode-range: {_unicode_range(ranges)};\n"
                "}\n"
            )
        header = f"/* {family}, subsetted by static/src/fonts.py (make fonts); SIL Open Font License 1.1, OFL.txt. */\n"
        (OUT / f"{script}.css").write_text(header + "".join(faces))
    (OUT / "OFL.txt").write_text(_licence())
    return 0


if __name__ == "__main__":
    sys.exit(main())
