"""GS1 dates: the century window, validity, and day 00 as a calendar date."""

from __future__ import annotations

import calendar
import datetime as dt

from labelsvc.gs1.errors import GS1_INVALID, Gs1Error


def century(yy: int, today: dt.date | None = None) -> int:
    """The year of ``YY`` in GS1's sliding window (General Specifications 7.12): 49 years
    back, 50 ahead of ``today``."""
    current = (today or dt.date.today()).year
    diff = yy - current % 100
    base = current - current % 100
    if diff >= 51:
        return base - 100 + yy
    if diff > -50:
        return base + yy
    return base + 100 + yy


def real_date_problem(yyyy: int, mm: int, dd: int, day_zero_ok: bool) -> str | None:
    """Why year, month and day are no date (day 00 allowed where GS1 allows it), or None."""
    if not 1 <= mm <= 12:
        return f"invalid month {mm:02d}"
    if dd == 0 and day_zero_ok:
        return None
    if not 1 <= dd <= calendar.monthrange(yyyy, mm)[1]:
        return f"invalid day {dd:02d}"
    return None


def yymmdd_problem(s: str, *, day_zero_ok: bool) -> str | None:
    """Why ``s`` is not a GS1 date YYMMDD, or None."""
    if len(s) != 6 or not (s.isascii() and s.isdigit()):
        return "a date must be 6 digits YYMMDD"
    return real_date_problem(century(int(s[:2])), int(s[2:4]), int(s[4:]), day_zero_ok)


def calendar_date(yymmdd: str, today: dt.date | None = None) -> dt.date:
    """``271100`` -> 2027-11-30: day 00 means the last day of the month (GS1 GenSpecs 7.12).

    The century follows GS1's sliding window around ``today``.
    """
    problem = yymmdd_problem(yymmdd[:6], day_zero_ok=True) if len(yymmdd) >= 6 else "short"
    if problem is not None:
        raise Gs1Error(GS1_INVALID, f"not a GS1 date YYMMDD: {yymmdd!r} ({problem})")
    year = century(int(yymmdd[:2]), today)
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])
