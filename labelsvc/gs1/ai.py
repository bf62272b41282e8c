"""The Application Identifiers labelsvc knows, and how one AI's value is checked.

Formats follow the GS1 General Specifications section 3.2: ``N18`` is exactly 18 digits,
``N..8`` up to 8 digits, ``X..20`` up to 20 characters of GS1 character set 82.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass

from labelsvc.gs1.check import require_check_digit
from labelsvc.gs1.errors import ai_error

#: GS1 character set 82 (General Specifications figure 7.11-1).
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

#: First two digits of the AIs whose length is predefined, so no FNC1 separator follows them
#: (General Specifications figure 7.8.5-2). The list is fixed by GS1 and never grows.
PREDEFINED_LENGTH_PREFIXES = frozenset(
    f"{n:02d}" for n in (0, 1, 2, 3, 4, *range(11, 21), *range(31, 37), 41)
)

_FORMAT = re.compile(r"^(?P<kind>[NX])(?P<var>\.\.)?(?P<n>\d+)$")


@dataclass(frozen=True)
class AIDef:
    """One AI: its data title and the shape its value must have."""

    code: str
    title: str
    length: int | None  # fixed data length, None when variable
    max_length: int
    numeric: bool
    check_digit: bool
    date: bool
    fnc1_required: bool  # a separator must follow it unless it is the last element


def _define(code: str, title: str, fmt: str, *, check: bool = False, date: bool = False) -> AIDef:
    match = _FORMAT.match(fmt)
    assert match, fmt
    size = int(match["n"])
    return AIDef(
        code=code,
        title=title,
        length=None if match["var"] else size,
        max_length=size,
        numeric=match["kind"] == "N",
        check_digit=check,
        date=date,
        fnc1_required=code[:2] not in PREDEFINED_LENGTH_PREFIXES,
    )


_DEFS = [
    _define("00", "SSCC", "N18", check=True),
    _define("01", "GTIN", "N14", check=True),
    _define("02", "CONTENT", "N14", check=True),
    _define("10", "BATCH/LOT", "X..20"),
    _define("11", "PROD DATE", "N6", date=True),
    _define("12", "DUE DATE", "N6", date=True),
    _define("13", "PACK DATE", "N6", date=True),
    _define("15", "BEST BEFORE or BEST BY", "N6", date=True),
    _define("16", "SELL BY", "N6", date=True),
    _define("17", "USE BY OR EXPIRY", "N6", date=True),
    _define("20", "VARIANT", "N2"),
    _define("21", "SERIAL", "X..20"),
    _define("22", "CPV", "X..20"),
    _define("30", "VAR. COUNT", "N..8"),
    _define("37", "COUNT", "N..8"),
    _define("240", "ADDITIONAL ID", "X..30"),
    _define("241", "CUST. PART No.", "X..30"),
    _define("250", "SECONDARY SERIAL", "X..30"),
    _define("254", "GLN EXTENSION COMPONENT", "X..20"),
    _define("400", "ORDER NUMBER", "X..30"),
    _define("401", "GINC", "X..30"),
    _define("402", "GSIN", "N17", check=True),
    _define("410", "SHIP TO LOC", "N13", check=True),
    _define("411", "BILL TO", "N13", check=True),
    _define("412", "PURCHASE FROM", "N13", check=True),
    _define("413", "SHIP FOR LOC", "N13", check=True),
    _define("414", "LOC No.", "N13", check=True),
    _define("415", "PAY TO", "N13", check=True),
    _define("420", "SHIP TO POST", "X..20"),
    _define("421", "SHIP TO POST", "X..12"),  # N3 ISO country code + X..9
    _define("422", "ORIGIN", "N3"),
    *(_define(f"310{d}", "NET WEIGHT (kg)", "N6") for d in range(6)),
    _define("7003", "EXPIRY TIME", "N10", date=True),  # YYMMDDHHMM
    _define("8003", "GRAI", "X..30", check=True),  # N14 (0 + GRAI-13) + X..16
    _define("8004", "GIAI", "X..30"),
]

AI_TABLE: dict[str, AIDef] = {d.code: d for d in _DEFS}


def lookup(code: str) -> AIDef:
    """Return the definition of ``code``; an unknown AI is a Gs1Error naming it."""
    try:
        return AI_TABLE[code]
    except KeyError:
        raise ai_error(code, "unknown application identifier") from None


def validate_value(ai: str, value: str) -> None:
    """Raise a Gs1Error naming ``ai`` and the fault unless ``value`` is valid data for it."""
    d = lookup(ai)
    if not value:
        raise ai_error(ai, "value is empty")
    if d.length is not None and len(value) != d.length:
        raise ai_error(ai, f"value must be exactly {d.length} characters, got {len(value)}")
    if len(value) > d.max_length:
        raise ai_error(ai, f"value is {len(value)} characters, at most {d.max_length} allowed")
    for position, char in enumerate(value, start=1):
        if char not in CSET82:
            raise ai_error(
                ai, f"character {char!r} at position {position} is not in GS1 character set 82"
            )
        if d.numeric and not ("0" <= char <= "9"):
            raise ai_error(ai, f"must be digits only, found {char!r} at position {position}")
    special = _SPECIAL.get(ai)
    if special is not None:
        special(ai, value)
        return
    if d.check_digit:
        require_check_digit(ai, value)
    if d.date:
        _check_date(ai, value, day_zero_ok=True)


def _check_date(ai: str, value: str, *, day_zero_ok: bool) -> None:
    """YYMMDD; DD 00 means "end of month" where GS1 allows it.

    Leap years use ``YY % 4 == 0``, which matches the GS1 sliding century window for every
    year it can produce until 2050 (2000 is a leap year).
    """
    yy, mm, dd = int(value[0:2]), int(value[2:4]), int(value[4:6])
    if not 1 <= mm <= 12:
        raise ai_error(ai, f"date {value[:6]} has invalid month {value[2:4]}")
    if dd == 0 and day_zero_ok:
        return
    last_day = calendar.monthrange(2000 + yy if yy % 4 == 0 else 2001, mm)[1]
    if not 1 <= dd <= last_day:
        raise ai_error(ai, f"date {value[:6]} has invalid day {value[4:6]}")


def _check_expiry_time(ai: str, value: str) -> None:
    _check_date(ai, value, day_zero_ok=False)
    if int(value[6:8]) > 23 or int(value[8:10]) > 59:
        raise ai_error(ai, f"time {value[6:8]}:{value[8:10]} is not a valid HHMM")


def _check_ship_to_post_iso(ai: str, value: str) -> None:
    if len(value) < 4 or not value[:3].isdigit():
        raise ai_error(ai, "must start with a 3-digit ISO country code followed by a postal code")


def _check_grai(ai: str, value: str) -> None:
    if len(value) < 14 or not value[:14].isdigit():
        raise ai_error(ai, "must start with 14 digits (0 + GRAI-13) before the serial component")
    if value[0] != "0":
        raise ai_error(ai, f"first digit must be 0, got {value[0]}")
    require_check_digit(ai, value[:14])


_SPECIAL: dict[str, Callable[[str, str], None]] = {
    "7003": _check_expiry_time,
    "421": _check_ship_to_post_iso,
    "8003": _check_grai,
}
