"""How a PNG preview says what it could not draw: one header, the same on the API and the pages."""

from __future__ import annotations

from labelsvc.labels import Preview

UNSUPPORTED_HEADER = "Labelsvc-Preview-Unsupported"


def preview_headers(drawn: Preview) -> dict[str, str]:
    """The header naming what ``drawn`` did not draw as printed (none when it drew it all)."""
    if not drawn.unsupported:
        return {}
    text = "; ".join(drawn.unsupported)
    return {UNSUPPORTED_HEADER: text.encode("ascii", "backslashreplace").decode("ascii")}
