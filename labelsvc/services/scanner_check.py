"""The scanner set-up check of a station: what its scanner really types.

A wedge scanner is configured by scanning set-up codes, and a dock rarely knows how: does
it send GS (ASCII 29) between variable-length AIs, or a substitute, or nothing; does it
prefix a symbology identifier (``]d2``); does it end with Enter; does the keyboard layout
of the workstation match the scanner's (a German layout types ``z`` for ``y``)? The check
symbol holds data that tells all four apart. The result is stored with the station, and
receiving refuses variable-length values that may have swallowed an AI when the station's
scanner is known not to send GS.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.gs1.element import GS
from labelsvc.services.app import App
from labelsvc.store.stations import StationRepo

CHECK_GTIN = "09506000134352"
#: Characters that move between keyboard layouts: y/z (QWERTZ), '-', '/', '.', digits.
CHECK_SERIAL = "Zy-9/.Q"
CHECK_LOT = "LAYOUT1"
CHECK_ELEMENTS = f"01{CHECK_GTIN}21{CHECK_SERIAL}{GS}10{CHECK_LOT}"
SUFFIXES = ("enter", "tab", "none")


@dataclass(frozen=True)
class ScannerCheck:
    """What one scan of the check symbol showed, with what to change."""

    gs: str  # yes, substitute, no
    aim: str  # yes, no
    suffix: str  # enter, tab, none
    layout: str  # ok, wrong
    advice: tuple[str, ...]
    prefix: str = ""  # typed before the code (the scanner's configured prefix)

    @property
    def ready(self) -> bool:
        """True when the station can be trusted with GS1 scans as configured."""
        return self.gs in ("yes", "substitute") and self.layout == "ok" and self.suffix != "none"


def analyze(raw: str, *, suffix: str, substitute: str = "") -> ScannerCheck:
    """Compare what the scanner typed for the check symbol with what the symbol holds."""
    if suffix not in SUFFIXES:
        raise InvalidInput("form-invalid", f"suffix must be one of {', '.join(SUFFIXES)}.")
    text = raw.strip("\r\n")
    if not text:
        raise InvalidInput("scan-empty", "Scan the check symbol on this page with the scanner.")
    start = text.find("]d2")
    if start < 0:
        start = max(text.find("01" + CHECK_GTIN), 0)
    prefix, text = text[:start], text[start:]
    aim = "yes" if text.startswith("]d2") else "no"
    data = text[3:] if aim == "yes" else text
    if GS in data:
        gs = "yes"
    elif substitute and substitute in data:
        gs, data = "substitute", data.replace(substitute, GS)
    else:
        gs = "no"
    wanted = CHECK_ELEMENTS if gs != "no" else CHECK_ELEMENTS.replace(GS, "")
    layout = "ok" if data.removeprefix(GS) == wanted else "wrong"
    advice = []
    if gs == "no":
        advice.append(
            "The scanner sends no GS separator: program it to transmit GS (ASCII 29) or "
            "Ctrl+], or set a substitute character (gs1.gs_substitute). Until then "
            "receiving refuses serials and lots it cannot split safely."
        )
    if aim == "no":
        advice.append("The scanner sends no symbology identifier: enable the AIM prefix (]d2).")
    if suffix == "none":
        advice.append("Program the scanner to end every scan with Enter (or Tab).")
    if layout == "wrong":
        advice.append(
            f"The scan read {data!r} instead of the symbol's data: the scanner's keyboard "
            "layout does not match this workstation's. Set both to the same layout."
        )
    return ScannerCheck(gs, aim, suffix, layout, tuple(advice), prefix)


def scanner_prefix(app: App, station: str | None) -> str:
    """The prefix this station's scanner types before every code ('' when none or unknown)."""
    if not station:
        return ""
    with app.store.read() as tx:
        row = StationRepo(tx).get(station)
    return row.scanner_prefix if row else ""


def record_scanner_check(
    app: App, actor: Actor, station: str, raw: str, *, suffix: str
) -> ScannerCheck:
    """Check one scan of the check symbol and store the result with the station."""
    require(actor, "read")
    found = analyze(raw, suffix=suffix, substitute=app.settings.gs1.gs_substitute)
    with app.store.write() as tx:
        if not StationRepo(tx).set_scanner(station, gs=found.gs, aim=found.aim,
                                           suffix=found.suffix, layout=found.layout,
                                           prefix=found.prefix, actor=actor.label):  # fmt: skip
            raise NotFound(
                "station-not-found", f"There is no station {station!r}; choose one first."
            )
        tx.events.append(
            "scanner-checked", actor=actor.label, station=station, subject=f"station:{station}",
            details={"gs": found.gs, "aim": found.aim, "suffix": found.suffix,
                     "layout": found.layout, "prefix": found.prefix},
        )  # fmt: skip
    return found
