"""A small ZPL interpreter that draws a label the way a printer would, for previews.

Because the preview is drawn from the rendered ZPL, it is faithful by construction: the
barcodes carry what the printer would encode (after ``^FH`` and the ``^BX`` escapes are
undone), at the positions and sizes the ZPL gives. Custom templates preview too.

Supported: ^XA ^XZ ^CI ^PW ^LL ^LH ^FO ^FT ^A0 ^CF ^FB ^GB ^FH ^FD ^FS ^BX ^BC ^BQ ^BY ^FR,
fields upright. Text is set in font 0's own widths (:mod:`labelsvc.labels.font0`). Whatever
else a label holds that changes how it looks is named in :attr:`Preview.unsupported`
(:mod:`labelsvc.labels.preview_support`), never dropped in silence.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace

from PIL import Image, ImageChops, ImageDraw

from labelsvc.gs1.element import parse_hri
from labelsvc.labels import font0, preview_support, symbols
from labelsvc.labels.code128 import decode_zpl
from labelsvc.labels.zpl import unescape

_COMMAND = re.compile(rb"[\^~]")
_QR_MAG = {152: 1, 203: 2, 300: 3, 600: 6}  # ^BQ magnification default by resolution


class PreviewError(ValueError):
    """The ZPL cannot be drawn: a barcode's data is invalid, or a command is malformed."""


@dataclass(frozen=True)
class Field:
    """One drawn field: what it is, where (dots), and the data a printer would use."""

    kind: str  # text, box, datamatrix, gs1-datamatrix, code128, gs1-128, qr
    x: int
    y: int
    width: int
    height: int
    text: str = ""
    reverse: bool = False


@dataclass
class Preview:
    """The drawn label and what was on it."""

    image: Image.Image
    fields: list[Field]
    unsupported: list[str] = field(default_factory=list)  # what was not drawn as printed

    def texts(self) -> list[str]:
        """The text of every text field, in drawing order."""
        return [f.text for f in self.fields if f.kind == "text"]

    def png(self) -> bytes:
        """The image as PNG, one pixel per printer dot."""
        buffer = io.BytesIO()
        self.image.save(buffer, "PNG", compress_level=1)
        return buffer.getvalue()


@dataclass(frozen=True)
class _BoxStyle:
    line: int
    white: bool


@dataclass(frozen=True)
class _TextStyle:
    size: tuple[int, int]  # font 0 height, width (dots)
    block: tuple[int, int, int, str] | None  # ^FB width, lines, spacing, justify


_Payload = _BoxStyle | _TextStyle | Image.Image


@dataclass
class _Format:
    """Interpreter state for one ^XA ... ^XZ format."""

    dpi: int
    width: int = 0
    length: int = 0
    home: tuple[int, int] = (0, 0)
    utf8: bool = False
    font: tuple[int, int] = (9, 5)  # ^CF default: height, width
    by: tuple[int, int] = (2, 10)  # ^BY: module width, bar height
    ops: list[tuple[Field, _Payload]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def note(self, *notes: str | None) -> None:
        """Name what the preview does not draw as printed, once each."""
        for text in notes:
            if text and text not in self.unsupported:
                self.unsupported.append(text)


@dataclass
class _Pending:
    """The field being built between ^FO/^FT and ^FS."""

    x: int = 0
    y: int = 0
    baseline: bool = False
    font: tuple[int, int] | None = None
    hex: str | None = None
    block: tuple[int, int, int, str] | None = None  # ^FB width, lines, spacing, justify
    reverse: bool = False
    barcode: tuple[str, list[str]] | None = None
    box: list[str] | None = None
    data: bytes | None = None


def _int(params: list[str], index: int, default: int) -> int:
    try:
        return int(params[index])
    except (IndexError, ValueError):
        return default


def _param(params: list[str], index: int, default: str) -> str:
    return params[index] if index < len(params) and params[index] != "" else default


def interpret(zpl: bytes | str, dpi: int = 203) -> list[Preview]:
    """Draw every ^XA ... ^XZ format in ``zpl``."""
    raw = zpl.encode("utf-8") if isinstance(zpl, str) else zpl
    raw = raw.replace(b"\r", b"").replace(b"\n", b"")
    previews: list[Preview] = []
    fmt: _Format | None = None
    pending = _Pending()
    for match in _split(raw):
        prefix, name, rest = match
        if name == "XA":
            fmt, pending = _Format(dpi=dpi), _Pending()
        elif fmt is None:
            continue  # outside a format (e.g. ~ commands between labels): not drawn
        elif name == "XZ":
            previews.append(_draw(fmt))
            fmt = None
        elif prefix == b"~":
            fmt.note(preview_support.command("~", name, rest.decode("latin-1").split(",")))
        else:
            pending = _apply(fmt, pending, name, rest)
    return previews


def preview(zpl: bytes | str, dpi: int = 203) -> Preview:
    """Draw the first label in ``zpl``."""
    labels = interpret(zpl, dpi)
    if not labels:
        raise PreviewError("the ZPL has no complete ^XA ... ^XZ label format")
    return labels[0]


def _split(raw: bytes) -> list[tuple[bytes, str, bytes]]:
    starts = [m.start() for m in _COMMAND.finditer(raw)]
    out = []
    for start, end in zip(starts, [*starts[1:], len(raw)], strict=True):
        chunk = raw[start:end]
        name = chunk[1:3].decode("latin-1").upper()
        rest = chunk[3:]
        if name[:1] == "A" and name != "A@":  # ^A0N,30,30: font name is part of the command
            name, rest = "A", chunk[2:]
        out.append((chunk[:1], name, rest))
    return out


def _apply(fmt: _Format, p: _Pending, name: str, rest: bytes) -> _Pending:
    """Apply one ^ command; returns the pending field (a fresh one after ^FS)."""
    text = rest.decode("latin-1")
    params = text.split(",")
    if name in ("FO", "FT"):
        p.x = _int(params, 0, 0) + fmt.home[0]
        p.y = _int(params, 1, 0) + fmt.home[1]
        p.baseline = name == "FT"
    elif name == "A":
        height = _int(params[1:], 0, fmt.font[0]) if len(params) > 1 else fmt.font[0]
        p.font = (height, _int(params, 2, height))
        fmt.note(*preview_support.font(params))
    elif name == "FH":
        p.hex = text[:1] or "_"
    elif name == "FD":
        p.data = rest
    elif name == "FR":
        p.reverse = True
    elif name == "FB":
        p.block = (
            _int(params, 0, 0),
            _int(params, 1, 1),
            _int(params, 2, 0),
            _param(params, 3, "L"),
        )
    elif name in ("BX", "BC", "BQ"):
        p.barcode = (name, params)
        fmt.note(*preview_support.barcode(name, params))
    elif name == "GB":
        p.box = params
    elif name == "FS":
        _finish(fmt, p)
        return _Pending()
    else:
        _set_format(fmt, name, params)
    return p


def _set_format(fmt: _Format, name: str, params: list[str]) -> None:
    if name == "PW":
        fmt.width = _int(params, 0, 0)
    elif name == "LL":
        fmt.length = _int(params, 0, 0)
    elif name == "LH":
        fmt.home = (_int(params, 0, 0), _int(params, 1, 0))
    elif name == "CI":
        fmt.utf8 = _int(params, 0, 0) in (28, 29, 30)
    elif name == "CF":
        fmt.note(*preview_support.font(params[:1]))
        height = _int(params, 1, fmt.font[0])
        fmt.font = (height, _int(params, 2, height))
    elif name == "BY":
        fmt.by = (_int(params, 0, fmt.by[0]), _int(params, 2, fmt.by[1]))
    else:
        fmt.note(preview_support.command("^", name, params))


def _field_text(fmt: _Format, p: _Pending) -> str:
    data = p.data or b""
    if p.hex is not None:
        data = unescape(data, p.hex)
    return data.decode("utf-8", errors="replace") if fmt.utf8 else data.decode("latin-1")


def _finish(fmt: _Format, p: _Pending) -> None:
    """Turn the pending field into one drawing operation."""
    if p.box is not None:
        params = p.box
        t = max(1, _int(params, 2, 1))
        w, h = max(t, _int(params, 0, t)), max(t, _int(params, 1, t))
        white = _param(params, 3, "B").upper() == "W"
        fmt.ops.append((Field("box", p.x, p.y, w, h, reverse=p.reverse), _BoxStyle(t, white)))
        return
    if p.data is None:
        return
    value = _field_text(fmt, p)
    if p.barcode is None:
        size = font0.size(*(p.font or fmt.font))
        fmt.ops.append((_text_field(p, value, size), _TextStyle(size, p.block)))
        return
    name, params = p.barcode
    if name == "BX":
        f, symbol = _datamatrix_op(p, params, value)
    elif name == "BC":
        f, symbol = _code128_op(fmt, p, params, value)
    else:
        f, symbol = _qr_op(fmt, p, params, value)
    if p.baseline:  # ^FT places a barcode by its bottom-left corner
        f = replace(f, y=f.y - f.height)
    fmt.ops.append((f, symbol))


def _text_field(p: _Pending, value: str, size: tuple[int, int]) -> Field:
    """A ^FO origin is the top of the capitals; a ^FT origin is on the baseline."""
    height, width = size
    top = p.y - round(font0.CAP_HEIGHT * height) if p.baseline else p.y
    drawn = font0.text_width(value, width)
    return Field("text", p.x, top, drawn, height, value, p.reverse)


def _datamatrix_op(p: _Pending, params: list[str], value: str) -> tuple[Field, _Payload]:
    """^BXo,h,s,c,r,f,g: quality 200 only; the escape character defaults to ``~``."""
    module = max(1, _int(params, 1, 1))
    if _int(params, 2, 0) != 200:
        raise PreviewError("^BX: only quality 200 (ECC 200) can be previewed; set it explicitly")
    escape_char = _param(params, 6, "~")[:1]
    gs1, data = _dm_unescape(value, escape_char)
    try:
        image = symbols.datamatrix(data, gs1)
    except (symbols.SymbolError, ValueError) as exc:
        raise PreviewError(f"^BX data {value!r} cannot be encoded: {exc}") from exc
    kind = "gs1-datamatrix" if gs1 else "datamatrix"
    f = Field(kind, p.x, p.y, image.width * module, image.height * module, data, p.reverse)
    return f, symbols.scaled(image, module)


def _dm_unescape(value: str, esc: str) -> tuple[bool, str]:
    """Resolve ^BX escape sequences: FNC1 becomes GS, a doubled escape one literal."""
    out: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c != esc:
            out.append(c)
            i += 1
            continue
        nxt = value[i + 1 : i + 2]
        if nxt == "1":
            out.append("\x1d")
            i += 2
        elif nxt == esc:
            out.append(esc)
            i += 2
        elif nxt == "d" and value[i + 2 : i + 5].isdigit():
            out.append(chr(int(value[i + 2 : i + 5])))
            i += 5
        else:
            raise PreviewError(f"^BX: escape sequence {esc}{nxt} is not supported in the preview")
    data = "".join(out)
    if data.startswith("\x1d"):
        return True, data[1:]
    return False, data


def _code128_op(fmt: _Format, p: _Pending, params: list[str], value: str) -> tuple[Field, _Payload]:
    """^BCo,h,f,g,e,m in mode N (invocation codes) or D (parenthesised GS1 text)."""
    height = _int(params, 1, fmt.by[1])
    mode = _param(params, 5, "N").upper()
    try:
        if mode == "D":
            gs1, data = (
                True,
                "".join(f"{ai}{v}\x1d" for ai, v in parse_hri(value.replace(" ", ""))).rstrip(
                    "\x1d"
                ),
            )
        else:
            gs1, data = decode_zpl(value)
        image = symbols.code128(data, gs1)
    except (symbols.SymbolError, ValueError) as exc:
        raise PreviewError(f"^BC data {value!r} cannot be encoded: {exc}") from exc
    module = fmt.by[0]
    kind = "gs1-128" if gs1 else "code128"
    f = Field(kind, p.x, p.y, image.width * module, height, data, p.reverse)
    return f, symbols.scaled(image, module, height)


def _qr_op(fmt: _Format, p: _Pending, params: list[str], value: str) -> tuple[Field, _Payload]:
    """^BQo,model,mag with field data ``<ecl><mode>,<data>`` (e.g. ``MA,https://...``).

    A printer draws a QR code placed with ^FO below its origin by the ^BY bar height (10 dots
    unless ^BY set one): the symbol's top row is at y + that height, not at y.
    """
    mag = max(1, _int(params, 2, _QR_MAG.get(fmt.dpi, 2)))
    ecl, _, data = value.partition(",")
    try:
        image = symbols.qr(data, (ecl[:1] or "M").upper())
    except ValueError as exc:
        raise PreviewError(f"^BQ data cannot be encoded: {exc}") from exc
    top = p.y if p.baseline else p.y + fmt.by[1]
    f = Field("qr", p.x, top, image.width * mag, image.height * mag, data, p.reverse)
    return f, symbols.scaled(image, mag)


def _draw(fmt: _Format) -> Preview:
    width = fmt.width or 4 * fmt.dpi
    length = fmt.length or 6 * fmt.dpi
    canvas = Image.new("1", (width, length), 1)
    fields = []
    for f, payload in fmt.ops:
        target = Image.new("1", canvas.size, 0) if f.reverse else canvas
        ink = 1 if f.reverse else 0
        _draw_op(target, f, payload, ink)
        if f.reverse:
            canvas = ImageChops.logical_xor(canvas, target)
        fields.append(f)
    return Preview(canvas, fields, fmt.unsupported)


def _draw_op(image: Image.Image, f: Field, payload: _Payload, ink: int) -> None:
    draw = ImageDraw.Draw(image)
    if isinstance(payload, _BoxStyle):
        t = payload.line
        colour = 1 - ink if payload.white else ink
        if 2 * t >= min(f.width, f.height):
            draw.rectangle((f.x, f.y, f.x + f.width - 1, f.y + f.height - 1), fill=colour)
        else:
            draw.rectangle(
                (f.x, f.y, f.x + f.width - 1, f.y + f.height - 1), outline=colour, width=t
            )
    elif isinstance(payload, _TextStyle):
        _draw_text(image, f, payload, ink)
    else:
        image.paste(ink, (f.x, f.y, f.x + payload.width, f.y + payload.height), payload)


def _draw_text(image: Image.Image, f: Field, style: _TextStyle, ink: int) -> None:
    (height, width), block = style.size, style.block
    if block is None:
        font0.draw(image, f.x, f.y, f.text, style.size, ink)
        return
    box_width, max_lines, spacing, justify = block
    lines = font0.wrap(f.text, width, box_width)[: max(1, max_lines)]
    for index, line in enumerate(lines):
        offset = 0
        if justify in ("C", "R"):
            room = box_width - font0.text_width(line, width)
            offset = room // 2 if justify == "C" else room
        font0.draw(image, f.x + offset, f.y + index * (height + spacing), line, style.size, ink)
