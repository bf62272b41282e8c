"""Label templates and rendering: ZPL for Zebra printers, PNG previews, ESC/POS.

Depends on ``labelsvc.gs1`` and ``labelsvc.domain`` only; services pick the template and
the printer, this package turns label data into bytes.
"""

from labelsvc.labels.data import KINDS, Kind, LabelData
from labelsvc.labels.preview import Field, Preview, PreviewError, interpret, preview
from labelsvc.labels.render import (
    LabelRenderError,
    TemplateLibrary,
    default_library,
    render_escpos,
    render_png,
    render_zpl,
)

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
