"""Run zplkit, the second independent ZPL renderer the preview is compared with.

zplkit (PyPI, OSL-3.0, test extra only, pinned in pyproject.toml) is a Python binding of the
Rust ``zpl`` renderer. Its ``zd621`` profile draws resident fonts from bitmap strikes captured
on a Zebra ZD621, so its font 0 is a real printer's; it shares no code with labelsvc or with
Zebrash.
"""

from __future__ import annotations

import importlib.util
import re

from livekit import need_tool
from PIL import Image
from zebrash_driver import label_size

PROFILE = "zd621"
# Printer settings that change nothing on the label and that zplkit refuses as unknown
# (``^JZ``: reprint after an error). Only these are taken out before zplkit draws a label.
_SETTINGS_ZPLKIT_REFUSES = re.compile(rb"\^JZ[YN]?")


def require() -> str:
    """Skip (fail under CI=true) without zplkit; the renderer's name."""
    need_tool(
        importlib.util.find_spec("zplkit") is not None,
        "zplkit is not installed: scripts/install-venv test",
    )
    import zplkit

    return f"zplkit {zplkit.__version__} ({zplkit.library_version}, profile {PROFILE})"


def render(zpl: bytes, dpi: int) -> list[Image.Image]:
    """Each label of ``zpl`` drawn on a canvas of ^PW x ^LL dots (grey levels, 0 black)."""
    from zplkit import Options
    from zplkit import render as draw

    width, height = label_size(zpl)
    zpl = _SETTINGS_ZPLKIT_REFUSES.sub(b"", zpl)
    document = draw(zpl, Options(profile=PROFILE, width=width, height=height, dpi=dpi))
    out = []
    for scene in document.labels:
        raster = scene.rasterize()
        out.append(Image.frombytes("L", (raster.width, raster.height), raster.pixels))
    return out
