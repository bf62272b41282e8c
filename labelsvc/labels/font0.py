"""Zebra font 0 (CG Triumvirate Bold Condensed) as the preview draws it: its own advance widths.

A printer sets ``^A0N,h,w`` text with an em ``h`` dots tall and ``w`` dots wide; each character
advances by its design width times ``w``, and capitals stand 0.75 em tall with their tops at the
field origin. No free font has these widths (condensed sans faces run 10-25 % wider), so the
preview keeps the widths here, in thousandths of an em as the typeface defines them, and draws
each glyph of an installed outline font squeezed or stretched into its font 0 cell. Text then
takes the room on the preview that it takes on the label, whichever outline font is installed.
The one difference from the typeface is the hyphen: Zebra firmware prints ``-`` as a wide dash
in a 0.9 em cell (bitmaps captured from a ZD621 show it; Zebrash draws it 0.8 em), and so does
the preview.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

#: Advance widths of font 0 in 1/1000 em, grouped by width (ASCII and Latin-1).
_WIDTHS: dict[int, str] = {
    148: "¦",
    259: "ijlìíîï",
    278: "IftÌÍÎÏ",
    296: " !'(),./:;[\\]{}¡",
    333: "r|",
    360: "`¨¯´¸",
    370: "²³¹",
    389: "z",
    407: "«»",
    426: '"s',
    444: "?Jckvxy¿çýÿ",
    463: "aàáâãäå",
    481: "#$*0123456789L^eo¢£¤¥§ª°¶·ºèéêëðòóôõöø",
    500: "EFTZ_bdghnpqu©®µÈÉÊËñùúûüþ",
    519: "ß",
    537: "CSVÇ",
    556: "ABKPXYÀÁÂÃÄÅÝÞ",
    574: "OQÒÓÔÕÖØ",
    593: "DGRÐ",
    611: "&HNUÑÙÚÛÜ",
    667: "w",
    722: "æ",
    759: "Mm",
    800: "@",
    815: "W",
    870: "Æ",
    900: "-",  # a Zebra prints font 0's hyphen as a wide dash (see above)
    907: "%+<=>~¬±¼½¾×÷",
}
ADVANCE: dict[str, int] = {c: width for width, chars in _WIDTHS.items() for c in chars}
_DEFAULT_ADVANCE = 500  # a character outside Latin-1 without a Latin base letter
CAP_HEIGHT = 0.75  # of the em: where the baseline sits below a ^FO origin
MIN_DOTS = 10  # the smallest height or width a printer sets font 0 at
MAX_STRETCH = 2.0  # widest a glyph of the outline font is drawn, relative to its own advance

#: Outline fonts whose glyph shapes are drawn into the font 0 cells, the closest first.
GLYPH_FONTS = (
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
)

Face = ImageFont.FreeTypeFont | ImageFont.ImageFont


def advance(char: str) -> int:
    """The advance width of ``char`` in 1/1000 em (an accented letter takes its base's)."""
    width = ADVANCE.get(char)
    if width is None:
        base = unicodedata.normalize("NFKD", char)[:1]
        width = ADVANCE.get(base, _DEFAULT_ADVANCE)
    return width


def step(char: str, width: int) -> float:
    """How far the pen moves after ``char`` in font 0 set ``width`` dots wide."""
    return advance(char) * width / 1000


def text_width(text: str, width: int) -> int:
    """How many dots ``text`` takes in font 0 set ``width`` dots wide."""
    return round(sum(advance(c) for c in text) * width / 1000)


def size(height: int, width: int) -> tuple[int, int]:
    """``^A0`` height and width as a printer sets them (never below 10 dots)."""
    return max(MIN_DOTS, height), max(MIN_DOTS, width)


@lru_cache(maxsize=32)
def glyph_face(height: int) -> Face:
    """The first installed outline font at ``height`` pixels to the em."""
    for path in GLYPH_FONTS:
        try:
            return ImageFont.truetype(path, height)
        except OSError:
            continue
    return ImageFont.load_default(size=height)


@lru_cache(maxsize=4096)
def glyph(char: str, height: int, width: int) -> tuple[Image.Image, int, int] | None:
    """``char`` squeezed into its font 0 cell: a mask (mode "1") and its offset from the pen.

    The offset is relative to the pen position on the line whose capitals start at ``y``
    (the baseline is ``CAP_HEIGHT`` em below it).
    """
    cell = step(char, width)
    if cell <= 0 or char.isspace():
        return None
    face = glyph_face(height)
    natural = max(1.0, face.getlength(char))
    pad, baseline = height, round(CAP_HEIGHT * height) + height
    drawn = Image.new("L", (round(natural) + 2 * pad, 3 * height), 0)
    ImageDraw.Draw(drawn).text((pad, baseline), char, font=face, fill=255, anchor="ls")
    box = drawn.getbbox()
    if box is None:
        return None
    # Scale horizontally about the pen so that the advance becomes the cell; bearings scale too.
    # A glyph much narrower than its cell (the wide hyphen) is widened at most 2x, centred.
    scale = min(cell / natural, MAX_STRETCH)
    left = round((box[0] - pad) * scale + (cell - natural * scale) / 2)
    ink = drawn.crop(box)
    scaled = ink.resize((max(1, round(ink.width * scale)), ink.height), Image.Resampling.BILINEAR)
    mask = scaled.point(lambda v: 255 if v >= 128 else 0).convert("1")
    return mask, left, box[1] - height


def draw(image: Image.Image, x: int, y: int, text: str, size: tuple[int, int], ink: int) -> None:
    """Set ``text`` in font 0 at ``size`` (height, width dots), capitals' tops at ``y``."""
    height, width = size
    pen = float(x)
    for char in text:
        cut = glyph(char, height, width)
        if cut is not None:
            mask, dx, dy = cut
            left, top = round(pen) + dx, y + dy
            image.paste(ink, (left, top, left + mask.width, top + mask.height), mask)
        pen += step(char, width)


def wrap(text: str, font_width: int, width: int) -> list[str]:
    """Split at ``\\&`` and wrap words to ``width`` dots, like a ^FB block."""
    lines: list[str] = []
    for part in text.split("\\&"):
        current = ""
        for word in part.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and width and text_width(candidate, font_width) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines
