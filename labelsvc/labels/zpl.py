"""How values enter ZPL: one escape function, and field builders that work in millimetres.

Every value a template prints goes through :func:`escape` (the Jinja ``finalize`` hook
calls it), which turns ``^``, ``~``, ``\\``, control characters and every non-ASCII byte into
``^FH\\`` hex escapes (``\\5E``). So a product name ``^XZ~JR`` prints as text, never as a
command, and UTF-8 text survives under ``^CI28``. The hex indicator is ``\\`` rather than
the default ``_`` because ``_`` is the escape character of GS1 DataMatrix data.

The field builders return :class:`ZplSafe` strings: ZPL that was escaped while it was built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from labelsvc.gs1.ai import lookup, validate_value
from labelsvc.gs1.element import GS, Element, validate_elements
from labelsvc.labels.code128 import QUIET_MODULES, encode_gs1
from labelsvc.labels.gs1_limits import (
    MAX_DATA_CHARS,
    MAX_LENGTH_MM,
    MAX_X_MM,
    MIN_BAR_HEIGHT_MM,
    MIN_X_MM,
    Gs1LimitError,
    min_module_dots,
    split_for_gs1_128,
)

HEX_INDICATOR = "\\"
DM_ESCAPE = "_"
FONT0_WIDTH = 0.56  # average character width of font 0, relative to its height

_ASCII_TABLE: dict[int, str] = {
    c: f"\\{c:02X}" for c in (*range(0x20), 0x7F, ord("^"), ord("~"), ord("\\"))
}


_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class ZplSafe(str):
    """ZPL text built by this module; printed as-is, never escaped again."""

    __slots__ = ()


def escape(text: str) -> str:
    """Hex-escape ``text`` for a field that has ``^FH\\`` (UTF-8 bytes for non-ASCII)."""
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    return "".join(
        _ASCII_TABLE.get(ord(c), c) if c.isascii() else "".join(f"\\{b:02X}" for b in c.encode())
        for c in text
    )


def unescape(data: bytes, indicator: str = HEX_INDICATOR) -> bytes:
    """Undo ``^FH`` hex escapes, as a printer does before it uses the field data."""
    out = bytearray()
    raw = data
    mark = ord(indicator)
    i = 0
    while i < len(raw):
        if raw[i] == mark and _is_hex(raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(b in _HEX_DIGITS for b in pair)


@lru_cache(maxsize=4096)
def _checked(ai: str, value: str) -> bool:
    """Validate one element once; GTINs, lots and dates repeat across thousands of labels."""
    validate_value(ai, value)
    return lookup(ai).fnc1_required


def element_string(elements: Sequence[Element]) -> str:
    """Like ``gs1.build_element_string`` (GS between AIs where needed), validation cached."""
    if not elements or len({ai for ai, _ in elements}) != len(elements):
        validate_elements(elements)  # raises the right error: no elements, or a repeated AI
    parts: list[str] = []
    last = len(elements) - 1
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if _checked(ai, value) and index < last:
            parts.append(GS)
    return "".join(parts)


def datamatrix_data(elements: Sequence[Element] | str) -> str:
    """``^BX`` field data: ``_1`` FNC1 first and between AIs, a literal ``_`` doubled."""
    if isinstance(elements, str):
        return escape(elements.replace(DM_ESCAPE, DM_ESCAPE * 2))
    body = element_string(elements)
    body = body.replace(DM_ESCAPE, DM_ESCAPE * 2).replace(GS, DM_ESCAPE + "1")
    return DM_ESCAPE + "1" + escape(body)


class Kit:
    """The helpers a template calls, bound to one printer resolution."""

    def __init__(self, dpi: int) -> None:
        if dpi not in (152, 203, 300, 600):
            raise ValueError(f"dpi must be 152, 203, 300 or 600, got {dpi}")
        self.dpi = dpi
        self.dots_per_mm = dpi / 25.4

    def mm(self, value: float) -> int:
        """Millimetres to printer dots (8 dots/mm at 203 dpi, 11.8 at 300)."""
        return round(value * self.dots_per_mm)

    def module(self, value: float) -> int:
        """A barcode module of about ``value`` mm, at least one dot."""
        return max(1, round(value * self.dots_per_mm))

    def text(
        self,
        value: object,
        x: float,
        y: float,
        height: float,
        width: float | None = None,
        reverse: bool = False,
        fit: float | None = None,
    ) -> ZplSafe:
        """``value`` as a line of font 0 text, ``height`` mm tall, top-left at (x, y) mm.

        ``fit`` (mm) lowers the height so that the line stays about that wide: font 0
        characters are roughly 0.56 of their height wide.
        """
        text = str(value)
        h = self.mm(height)
        if fit is not None and text:
            h = max(1, min(h, int(self.mm(fit) / (FONT0_WIDTH * len(text)))))
        w = h if width is None else self.mm(width)
        fr = "^FR" if reverse else ""
        return ZplSafe(f"^FO{self.mm(x)},{self.mm(y)}^A0N,{h},{w}{fr}^FH\\^FD{escape(text)}^FS")

    def box(self, x: float, y: float, width: float, height: float, line: float = 0.4) -> ZplSafe:
        """A rectangle; a ``line`` of at least half the smaller side fills it."""
        w, h = self.mm(width), self.mm(height)
        t = min(max(1, self.mm(line)), min(w, h))
        return ZplSafe(f"^FO{self.mm(x)},{self.mm(y)}^GB{w},{h},{t}^FS")

    def datamatrix(
        self, elements: Sequence[Element] | str, x: float, y: float, module: float = 0.5
    ) -> ZplSafe:
        """GS1 DataMatrix of ``elements`` (plain DataMatrix for a string) at (x, y) mm.

        The escape character is always given (7th parameter): modern firmware defaults to
        ``~``, and ``_1`` would then be data, not FNC1, and the symbol would not be GS1.
        """
        dots = self.module(module)
        return ZplSafe(
            f"^FO{self.mm(x)},{self.mm(y)}^BXN,{dots},200,,,,{DM_ESCAPE}"
            f"^FH\\^FD{datamatrix_data(elements)}^FS"
        )

    def gs1_128(
        self,
        elements: Sequence[Element],
        x: float,
        y: float,
        width: float,
        height: float,
        module: float = 0.5,
    ) -> ZplSafe:
        """GS1-128 of ``elements`` centred in a box ``width`` mm wide (quiet zones included).

        Within GS1 limits or not at all: at most 48 data characters, a module of at least
        0.495 mm (never shrunk below), bars at least 31.75 mm high, at most 165.1 mm long.
        """
        text = element_string(elements)
        hri = "".join(f"({ai}){value}" for ai, value in elements)
        if len(text) > MAX_DATA_CHARS:
            raise Gs1LimitError(f"GS1-128 {hri} has {len(text)} data characters, GS1 allows "
                                f"{MAX_DATA_CHARS} per symbol")  # fmt: skip
        if height < MIN_BAR_HEIGHT_MM:
            raise Gs1LimitError(f"GS1-128 bars of {height} mm are below the GS1 minimum of "
                                f"{MIN_BAR_HEIGHT_MM} mm")  # fmt: skip
        data, modules = encode_gs1(text)
        total = modules + 2 * QUIET_MODULES
        dots = max(self.module(module), min_module_dots(self.dpi))
        if dots / self.dots_per_mm > MAX_X_MM:
            raise Gs1LimitError(f"a GS1-128 module of {module} mm is above the GS1 maximum of "
                                f"{MAX_X_MM} mm")  # fmt: skip
        room = self.mm(min(width, MAX_LENGTH_MM))
        if total * dots > room:
            need = total * dots / self.dots_per_mm
            raise Gs1LimitError(
                f"GS1-128 {hri} needs {need:.1f} mm at the GS1 minimum module of "
                f"{MIN_X_MM} mm; the label has {width} mm for it"
            )
        left = self.mm(x) + (room - modules * dots) // 2
        h = self.mm(height)
        return ZplSafe(
            f"^FO{left},{self.mm(y)}^BY{dots},3,{h}^BCN,{h},N,N,N,N^FH\\^FD{escape(data)}^FS"
        )

    def gs1_split(
        self, elements: Sequence[Element], width: float, max_symbols: int
    ) -> tuple[list[list[Element]], list[Element]]:
        """Content packed into GS1-128 symbols that meet the limits, and what is left over."""
        return split_for_gs1_128(elements, width, self.dpi, max_symbols)

    def qr(self, url: str, x: float, y: float, module: float = 0.5, ecl: str = "M") -> ZplSafe:
        """QR code (model 2, error correction ``ecl``: L, M, Q or H) of ``url`` at (x, y) mm."""
        mag = min(10, self.module(module))
        level = ecl if ecl in ("L", "M", "Q", "H") else "M"
        return ZplSafe(f"^FO{self.mm(x)},{self.mm(y)}^BQN,2,{mag}^FH\\^FD{level}A,{escape(url)}^FS")

    @staticmethod
    def hri(elements: Sequence[Element]) -> str:
        """Human-readable text of ``elements``: ``(01) 09506000134352 (21) A7K2``."""
        return " ".join(f"({ai}) {value}" for ai, value in elements)


@cache
def kit(dpi: int) -> Kit:
    """The shared helpers for ``dpi`` (they hold no per-label state)."""
    return Kit(dpi)
