"""Barcode symbols as one-pixel-per-module bitmaps (mode "1", 1 = dark), drawn by zint.

The preview and the ESC/POS output scale these; they never draw bars themselves.
"""

from __future__ import annotations

from functools import lru_cache

import zint
from PIL import Image

from labelsvc.gs1.element import parse_element_string

_ROW_BYTES = 144  # zint keeps rows of 1152 modules, 8 per byte, least significant bit first

_QR_ECL = {"L": 1, "M": 2, "Q": 3, "H": 4}  # zint option_1


class SymbolError(ValueError):
    """The data cannot be encoded in the requested symbol."""


def zint_gs1(element_string: str) -> str:
    """``01095...21ABC`` (GS between AIs) as zint's GS1 input ``[01]095...[21]ABC``."""
    elements = parse_element_string(element_string, associations=False)  # one symbol of a label
    return "".join(f"[{ai}]{value}" for ai, value in elements)


def _zint_bitmap(
    symbology: zint.Symbology,
    data: str,
    gs1: bool,
    option_1: int | None = None,
    option_3: int | None = None,
) -> Image.Image:
    symbol = zint.Symbol()
    symbol.symbology = symbology
    if option_1 is not None:
        symbol.option_1 = option_1
    if option_3 is not None:
        symbol.option_3 = option_3
    if gs1:
        symbol.input_mode = zint.InputMode.GS1
        text = zint_gs1(data)
    else:
        symbol.input_mode = zint.InputMode.UNICODE
        text = data
    try:
        symbol.encode(text)
    except Exception as exc:  # zint raises RuntimeError with its own message
        raise SymbolError(f"{symbology.name}: {exc}") from exc
    rows, width = symbol.rows, symbol.width
    raw = bytes(symbol.encoded_data)[: rows * _ROW_BYTES]
    image = Image.frombytes("1", (_ROW_BYTES * 8, rows), raw, "raw", "1;R")
    return image.crop((0, 0, width, rows))


@lru_cache(maxsize=256)
def datamatrix(data: str, gs1: bool) -> Image.Image:
    """DataMatrix ECC 200 of ``data``; ``gs1`` starts it with FNC1 (GS between AIs)."""
    # Square sizes only, as ^BX prints by default (aspect ratio parameter 1).
    return _zint_bitmap(
        zint.Symbology.DATAMATRIX, data, gs1, option_3=zint.DataMatrixOptions.SQUARE
    )


@lru_cache(maxsize=256)
def code128(data: str, gs1: bool) -> Image.Image:
    """Code 128 (one row); ``gs1`` makes it GS1-128."""
    return _zint_bitmap(zint.Symbology.GS1_128 if gs1 else zint.Symbology.CODE128, data, gs1)


@lru_cache(maxsize=256)
def qr(data: str, ecl: str = "M") -> Image.Image:
    """QR code model 2 of ``data`` with error correction ``ecl`` (L, M, Q or H).

    zint rather than the pure-Python ``qrcode``: its mask search costs ~10 ms a symbol.
    """
    return _zint_bitmap(zint.Symbology.QRCODE, data, gs1=False, option_1=_QR_ECL.get(ecl, 2))


def scaled(symbol: Image.Image, module: int, height: int | None = None) -> Image.Image:
    """``symbol`` with ``module`` dots per module; a one-row symbol is stretched to ``height``."""
    width = symbol.width * module
    rows = height if height is not None and symbol.height == 1 else symbol.height * module
    return symbol.resize((width, rows), Image.Resampling.NEAREST)
