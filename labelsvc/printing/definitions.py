"""Printer definitions: one TOML file per printer in the ``printers/`` folder.

    # printers/dock-1.toml   (name = file stem unless ``name`` is given)
    driver = "tcp9100"         # tcp9100 | cups | escpos-network | escpos-usb |
                               # escpos-serial | escpos-file | file
    address = "10.0.0.21:9100" # host[:port], CUPS queue, "0xVVVV:0xPPPP", device or folder
    language = "zpl"           # zpl | escpos
    dpi = 203                  # 203 | 300 | 600
    connect_timeout = 3.0      # seconds; default: printing.connect_timeout_seconds
    send_timeout = 30.0        # seconds one blocked write may take
    status_timeout = 2.0       # seconds to wait for the ~HS answer
    check_status = true        # tcp9100: ask ~HS before each job and hold it on a problem
    media_width_mm = 101.6     # the labels loaded; a printer set up otherwise stops printing
    stored_formats = false     # zpl: send a batch's fixed part once (^DF), then ^XF + fields
    server = "localhost:631"   # cups: the CUPS server (default: the system's)
    baudrate = 9600            # escpos-serial
    description = "Dock 1, 4x6 labels"

A mistake stops start-up with the file and the key named.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labelsvc.domain.errors import InvalidInput

DRIVERS = (
    "tcp9100",
    "cups",
    "escpos-network",
    "escpos-usb",
    "escpos-serial",
    "escpos-file",
    "file",
)
LANGUAGES = ("zpl", "escpos")
DPIS = (203, 300, 600)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# optional key -> (type, default); they are stored in the printers table as ``options``
OPTIONS: dict[str, tuple[type, Any]] = {
    "connect_timeout": (float, None),
    "send_timeout": (float, 30.0),
    "status_timeout": (float, 2.0),
    "check_status": (bool, True),
    "media_width_mm": (float, 0.0),
    "stored_formats": (bool, False),
    "server": (str, ""),
    "baudrate": (int, 9600),
    "description": (str, ""),
}
KNOWN = {"name", "driver", "address", "language", "dpi", *OPTIONS}


@dataclass(frozen=True)
class PrinterDef:
    """A printer as defined in its file (or read back from the table)."""

    name: str
    driver: str
    address: str
    language: str = "zpl"
    dpi: int = 203
    options: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def option(self, key: str) -> Any:
        """An option's value, or its declared default."""
        return self.options.get(key, OPTIONS[key][1])


def _bad(source: str, key: str, why: str) -> InvalidInput:
    return InvalidInput("printer-invalid", f"{source}: key '{key}' {why}.", file=source, key=key)


def _typed(source: str, key: str, value: Any, expected: type) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
        raise _bad(source, key, f"must be {expected.__name__}, got {value!r}")
    return value


def _choice(source: str, key: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    if value not in allowed:
        raise _bad(source, key, f"must be one of {', '.join(map(str, allowed))}, got {value!r}")
    return value


def printer_from_dict(
    data: dict[str, Any], *, source: str, default_name: str, default_dpi: int = 203
) -> PrinterDef:
    """Validate one definition; every error names ``source`` and the key."""
    for key in data:
        if key not in KNOWN:
            raise _bad(source, key, f"is unknown; known keys: {', '.join(sorted(KNOWN))}")
    name = _typed(source, "name", data.get("name", default_name), str)
    if not NAME.match(name):
        raise _bad(source, "name", f"must be letters, digits, '.', '_' or '-', got {name!r}")
    if "driver" not in data:
        raise _bad(source, "driver", f"is missing; one of {', '.join(DRIVERS)}")
    driver = _choice(source, "driver", data["driver"], DRIVERS)
    address = _typed(source, "address", data.get("address", ""), str)
    if not address:
        raise _bad(source, "address", "is missing (host:port, queue, device or folder)")
    default_language = "escpos" if driver.startswith("escpos") else "zpl"
    language = _choice(source, "language", data.get("language", default_language), LANGUAGES)
    dpi = _choice(source, "dpi", data.get("dpi", default_dpi), DPIS)
    options = {}
    for key, (expected, _) in OPTIONS.items():
        if key in data:
            options[key] = _typed(source, key, data[key], expected)
            if expected is float and options[key] <= 0:
                raise _bad(source, key, "must be a positive number")
    return PrinterDef(name, driver, address, language, dpi, options, source)


def load_printer_file(path: Path, default_dpi: int = 203) -> PrinterDef:
    """Read and validate one ``*.toml`` printer file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            "printer-invalid", f"{path}: not valid TOML: {exc}.", file=str(path)
        ) from exc
    return printer_from_dict(
        data, source=str(path), default_name=path.stem, default_dpi=default_dpi
    )


def load_printer_dir(folder: Path, default_dpi: int = 203) -> list[PrinterDef]:
    """Every printer file in ``folder`` (sorted by file name); names must be unique."""
    found: dict[str, PrinterDef] = {}
    for path in sorted(folder.glob("*.toml")):
        printer = load_printer_file(path, default_dpi)
        if printer.name in found:
            raise _bad(
                str(path), "name", f"repeats {printer.name!r} of {found[printer.name].source}"
            )
        found[printer.name] = printer
    return list(found.values())
