"""What the preview cannot draw as the printer prints it, in words a template author can act on.

The preview draws a subset of ZPL. A command outside it is never dropped in silence: it is
named on the preview (the PNG's ``Labelsvc-Preview-Unsupported`` header, the template pages),
unless it only sets the printer (speed, darkness, media, quantity) and so cannot change what
the label looks like.
"""

from __future__ import annotations

#: Commands that set the printer, not the picture: a label looks the same with or without them.
PRINTER_ONLY = frozenset(
    {"FX", "PQ", "MM", "MN", "MT", "PR", "MD", "JZ", "JU", "JS", "SD", "TA", "PF", "PP", "PH"}
)

#: Commands the preview draws only at the value a label has without them.
DEFAULT_ONLY: dict[str, tuple[str, str]] = {
    "PO": ("N", "print orientation"),
    "LR": ("N", "reverse print of the whole label"),
    "PM": ("N", "mirror image"),
    "FW": ("N", "default field orientation"),
    "JM": ("A", "dot density"),
    "LS": ("0", "label shift"),
    "LT": ("0", "label top"),
}

#: What common commands outside the preview's subset draw, to name them on the preview.
NAMES: dict[str, str] = {
    "GC": "circle",
    "GD": "diagonal line",
    "GE": "ellipse",
    "GF": "graphic field",
    "GS": "graphic symbol",
    "XG": "stored graphic",
    "IM": "stored image",
    "FN": "stored-format field",
    "XF": "stored format",
    "DF": "stored format",
    "FP": "field direction",
    "TB": "text block",
    "SN": "serialized field",
    "SF": "serialized field",
    "FV": "field variable",
    "B3": "Code 39",
    "BE": "EAN-13",
    "BU": "UPC-A",
    "B7": "PDF417",
    "BO": "Aztec",
    "B0": "Aztec",
    "BD": "MaxiCode",
    "BR": "GS1 DataBar",
    "CC": "caret change",
    "CT": "tilde change",
    "CD": "delimiter change",
    "CW": "font identifier",
    "A@": "font by name",
}


def command(prefix: str, name: str, params: list[str]) -> str | None:
    """Why the preview differs from the print for one command, or None if it does not."""
    if name in PRINTER_ONLY:
        return None
    code = prefix + name
    if name in DEFAULT_ONLY:
        default, what = DEFAULT_ONLY[name]
        given = params[0].strip().upper() if params and params[0].strip() else default
        if given == default:
            return None
        return f"{code}{given} ({what}): drawn as {code}{default}"
    named = NAMES.get(name)
    return f"{code} ({named}): not drawn" if named else f"{code}: not drawn"


def font(params: list[str]) -> list[str]:
    """``^A`` parameters (font name + orientation first) the preview draws differently."""
    head = params[0].upper() if params else "0"
    name, orientation = head[:1] or "0", head[1:2] or "N"
    notes = []
    if name != "0":
        notes.append(f"^A{name}: font {name} drawn as font 0")
    if orientation != "N":
        notes.append(f"^A{name}{orientation}: rotated text drawn upright")
    return notes


def barcode(name: str, params: list[str]) -> list[str]:
    """Barcode parameters the preview draws differently (rotation, interpretation line)."""
    orientation = (params[0][:1].upper() if params and params[0] else "N") or "N"
    notes = []
    if orientation != "N":
        notes.append(f"^{name}{orientation}: rotated symbol drawn upright")
    line = params[2].strip().upper() if len(params) > 2 else ""
    if name == "BC" and line in ("", "Y"):  # ^BC prints its interpretation line by default
        notes.append("^BC interpretation line: not drawn")
    return notes
