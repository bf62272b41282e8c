"""What a Zebra printer says beyond ``~HS``: its label counter, ``~HQES``, ``~HI``, head life.

Produced here for the emulator and parsed here for the transport, so both sides agree:

- label counter: SGD ``! U1 getvar "odometer.total_label_count"`` → ``"1234"``: every label
  the printer has printed, kept across power cycles. Read before and after a job, it says
  how many of the job's labels printed (the job's labels print in order).
- ``~HQES`` extended status: ``ERRORS: 1 00000000 <hex>`` and ``WARNINGS: 1 00000000 <hex>``
  lines; the flags below (ZPL guide for errors and the first four warnings).
- ``~HI`` identity: ``<STX>model,firmware,dots per mm,memory<ETX>``; 8/12/24 dots per mm is
  203/300/600 dpi.
- ``~HQPH`` print-head life: the distance (inches) of the current head on its first line.

An answer that is there but cannot be read is a :class:`PrinterGarbage`: a printer fault,
not "no answer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import ETX, STX, split_frames

COUNTER_VAR = "odometer.total_label_count"
WIDTH_VAR = "ezpl.print_width"  # the print width in dots (the loaded media's width)


def getvar_command(name: str) -> bytes:
    """An SGD query for one variable."""
    return f'! U1 getvar "{name}"\r\n'.encode()


COUNTER_COMMAND = getvar_command(COUNTER_VAR)
WIDTH_COMMAND = getvar_command(WIDTH_VAR)
HQES_COMMAND = b"~HQES"
HI_COMMAND = b"~HI"
HEAD_COMMAND = b"~HQPH"

ERROR_FLAGS: dict[int, str] = {
    0x1: "media out",
    0x2: "ribbon out",
    0x4: "head open",
    0x8: "cutter fault",
    0x10: "print head over temperature",
    0x20: "motor over temperature",
    0x40: "bad print head element",
    0x80: "print head not detected",
}
WARNING_FLAGS: dict[int, str] = {
    0x1: "media needs calibration",
    0x2: "clean the print head",
    0x4: "replace the print head",
    0x8: "paper near end",
    0x10: "ribbon low",
}
DOTS_PER_MM_DPI = {6: 152, 8: 203, 12: 300, 24: 600}
_QUOTED = re.compile(rb'^\s*"(?P<value>[^"]*)"\s*$')
_HQES = re.compile(rb"(ERRORS|WARNINGS):\s*\d\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})")
_NUMBER = re.compile(rb"(\d+)")


class PrinterGarbage(TransportError):
    """The printer answered, but not in its protocol: a fault of the printer or the line."""

    def __init__(self, detail: str, *, printer: str = "") -> None:
        super().__init__(detail, partial=False, printer=printer, code="printer-garbage")


@dataclass(frozen=True)
class ExtendedStatus:
    """``~HQES``: current errors and warnings as words an operator reads."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Identity:
    """``~HI``: what the printer says it is."""

    model: str
    firmware: str
    dpi: int
    memory: str = ""


def _flags(table: dict[int, str], value: int) -> list[str]:
    return [name for bit, name in table.items() if value & bit]


# -- answers (the emulator) ------------------------------------------------------------
def getvar_answer(value: str) -> bytes:
    """The SGD answer for one variable: its value in double quotes."""
    return f'"{value}"'.encode()


def hqes_answer(errors: list[str], warnings: list[str]) -> bytes:
    """``~HQES`` for the named errors and warnings."""

    def bits(table: dict[int, str], names: list[str]) -> int:
        return sum(bit for bit, name in table.items() if name in names)

    e, w = bits(ERROR_FLAGS, errors), bits(WARNING_FLAGS, warnings)
    body = (
        "\r\n  PRINTER STATUS\r\n"
        f"   ERRORS:         {int(bool(e))} 00000000 {e:08X}\r\n"
        f"   WARNINGS:       {int(bool(w))} 00000000 {w:08X}\r\n"
    )
    return STX + body.encode() + ETX


def hi_answer(model: str, firmware: str, dpi: int) -> bytes:
    """``~HI`` for a printer of ``dpi``."""
    dots = {v: k for k, v in DOTS_PER_MM_DPI.items()}[dpi]
    return STX + f"{model},{firmware},{dots},8192KB".encode() + ETX + b"\r\n"


def head_answer(inches: int) -> bytes:
    """``~HQPH`` with the current head's distance."""
    return STX + f'\r\n  PRINTHEAD LIFE HISTORY\r\n  1: {inches} "\r\n'.encode() + ETX


# -- parsing (the transport) -----------------------------------------------------------
def complete(command: bytes, data: bytes) -> bool:
    """True once ``data`` holds the whole answer to ``command``."""
    if command.startswith(b"! U1 getvar"):
        return data.count(b'"') >= 2
    return ETX in data


def parse_number(data: bytes, printer: str = "", what: str = "label counter") -> int:
    """A number from an SGD answer (the label counter, the print width)."""
    found = _QUOTED.match(data)
    if found is None or not found["value"].isdigit():
        raise PrinterGarbage(
            f"printer {printer} answered the {what} query with {data[:60]!r}", printer=printer
        )
    return int(found["value"])


def parse_hqes(data: bytes, printer: str = "") -> ExtendedStatus:
    """Errors and warnings from a ``~HQES`` answer."""
    found = {m[1]: int(m[3], 16) for m in _HQES.finditer(data)}
    if set(found) != {b"ERRORS", b"WARNINGS"}:
        raise PrinterGarbage(
            f"printer {printer} answered ~HQES with {data[:60]!r}", printer=printer
        )
    return ExtendedStatus(
        _flags(ERROR_FLAGS, found[b"ERRORS"]), _flags(WARNING_FLAGS, found[b"WARNINGS"])
    )


def parse_hi(data: bytes, printer: str = "") -> Identity:
    """Model, firmware and dpi from a ``~HI`` answer."""
    frames = split_frames(data)
    parts = frames[0].decode("ascii", "replace").split(",") if frames else []
    dots = parts[2].strip() if len(parts) >= 3 else ""
    if not dots.isdigit() or int(dots) not in DOTS_PER_MM_DPI:
        raise PrinterGarbage(f"printer {printer} answered ~HI with {data[:60]!r}", printer=printer)
    memory = parts[3].strip() if len(parts) > 3 else ""
    return Identity(parts[0].strip(), parts[1].strip(), DOTS_PER_MM_DPI[int(dots)], memory)


def parse_head(data: bytes, printer: str = "") -> int:
    """The current print head's distance in inches from ``~HQPH``."""
    frames = split_frames(data)
    line = frames[0].split(b"\n")[2:3] if frames else []
    found = _NUMBER.findall(line[0]) if line else []
    if len(found) < 2:
        raise PrinterGarbage(
            f"printer {printer} answered ~HQPH with {data[:60]!r}", printer=printer
        )
    return int(found[1])
