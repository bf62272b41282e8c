"""Label templates and rendering: ZPL for Zebra printers, PNG previews, ESC/POS.

Depends on ``labelsvc.gs1`` and ``labelsvc.domain`` only; services pick the template and
the printer, this package turns label data into bytes. The names below are imported on
first use (PEP 562): a command that only needs :mod:`labelsvc.labels.data` must not pay
for Jinja2, Pillow and zint at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labelsvc.labels.data import KINDS, Kind, LabelData
    from labelsvc.labels.preview import Field, Preview, PreviewError, interpret
    from labelsvc.labels.render import (
        LabelRenderError,
        TemplateLibrary,
        default_library,
        render_escpos,
        render_png,
        render_zpl,
    )

_WHERE = {
    "KINDS": "data",
    "Kind": "data",
    "LabelData": "data",
    "Field": "preview",
    "Preview": "preview",
    "PreviewError": "preview",
    "interpret": "preview",
    "LabelRenderError": "render",
    "TemplateLibrary": "render",
    "default_library": "render",
    "render_escpos": "render",
    "render_png": "render",
    "render_zpl": "render",
}

# ``preview`` is both a submodule and a function: once anything imports the submodule, the
# import system sets the package attribute to the module, so it cannot be lazy; it is
# imported here and the function put in its place.
from labelsvc.labels.preview import preview  # noqa: E402

__all__ = [
    "KINDS",
    "Field",
    "Kind",
    "LabelData",
    "LabelRenderError",
    "Preview",
    "PreviewError",
    "TemplateLibrary",
    "default_library",
    "interpret",
    "preview",
    "render_escpos",
    "render_png",
    "render_zpl",
]


def __getattr__(name: str) -> Any:
    """Import the submodule that defines ``name`` when it is first asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module 'labelsvc.labels' has no attribute {name!r}")
    return getattr(importlib.import_module(f"labelsvc.labels.{_WHERE[name]}"), name)
