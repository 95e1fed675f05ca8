"""Draws static/favicon.ico and static/apple-touch-icon.png: the same mark as static/favicon.svg (a white "P" on
an indigo rounded square), for browsers and home screens that do not take SVG icons.

Run after changing the mark: `make favicon` (needs only Pillow, already a dependency).
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent
INDIGO, WHITE = "#4f46e5", "#ffffff"


def draw(size: int) -> Image.Image:
    """The SVG's 64-unit drawing, rendered at 4x and scaled down for smooth edges."""
    scale = size * 4 / 64
    image = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def at(*units: float) -> list[float]:
        return [unit * scale for unit in units]

    pen.rounded_rectangle(at(0, 0, 64, 64), radius=14 * scale, fill=INDIGO)
    stroke, cap = round(8 * scale), 4 * scale
    # The stem, the bowl's top and bottom bars, and its half circle (centre 34,25, radius 11).
    pen.line(at(23, 14, 23, 50), fill=WHITE, width=stroke)
    pen.line(at(23, 14, 34, 14), fill=WHITE, width=stroke)
    pen.line(at(23, 36, 34, 36), fill=WHITE, width=stroke)
    pen.arc(at(23 - 4, 14 - 4, 45 + 4, 36 + 4), start=-90, end=90, fill=WHITE, width=stroke)
    for x, y in ((23, 14), (23, 50), (23, 36)):
        pen.ellipse([x * scale - cap, y * scale - cap, x * scale + cap, y * scale + cap], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw(256).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180).save(STATIC / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
