"""GS1 dates as calendar dates: the century window and day 00."""

from __future__ import annotations

import calendar
import datetime as dt

from labelsvc.gs1.errors import GS1_INVALID, Gs1Error
from labelsvc.gs1.linters import century


def calendar_date(yymmdd: str, today: dt.date | None = None) -> dt.date:
    """``271100`` -> 2027-11-30: day 00 means the last day of the month (GS1 GenSpecs 7.12).

    The century follows GS1's sliding window around ``today``.
    """
    if len(yymmdd) < 6 or not yymmdd[:6].isdigit():
        raise Gs1Error(GS1_INVALID, f"not a GS1 date YYMMDD: {yymmdd!r}")
    year = century(int(yymmdd[:2]), today)
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if not 1 <= month <= 12:
        raise Gs1Error(GS1_INVALID, f"not a GS1 date YYMMDD: {yymmdd!r}")
    return dt.date(year, month, day or calendar.monthrange(year, month)[1])
