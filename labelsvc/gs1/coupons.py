"""The North American coupon structures of AIs (8110) and (8112), field by field.

They follow the reference linters ``couponcode`` and ``couponposoffer`` of the GS1 Barcode
Syntax Dictionary (the GS1 US coupon application guideline): a chain of fields, several of
them led by a variable length indicator (VLI) digit, and optional fields that start with
their one-digit code in ascending order.
"""

from __future__ import annotations

from labelsvc.gs1.dates import yymmdd_problem


class _Fault(Exception):
    """A structural fault; the message is the reason."""


class _Reader:
    """A cursor over the digits of a coupon code."""

    def __init__(self, data: str) -> None:
        self.data, self.pos = data, 0

    def more(self) -> bool:
        return self.pos < len(self.data)

    def peek(self) -> str:
        return self.data[self.pos]

    def digit(self, what: str, allowed: str = "0123456789") -> int:
        if not self.more():
            raise _Fault(f"coupon {what} is missing")
        char = self.data[self.pos]
        if char not in allowed:
            raise _Fault(f"coupon {what} {char!r} is not valid")
        self.pos += 1
        return int(char)

    def take(self, size: int, what: str) -> str:
        if len(self.data) - self.pos < size:
            raise _Fault(f"coupon {what} is truncated")
        piece = self.data[self.pos : self.pos + size]
        self.pos += size
        return piece


def _purchase(r: _Reader, nth: str, *, with_gcp: bool) -> None:
    """A purchase requirement: VLI + value, code, family code, optionally a GCP."""
    r.take(r.digit(f"{nth} purchase requirement length", "12345"), f"{nth} purchase requirement")
    r.digit(f"{nth} purchase requirement code", "012349")
    r.take(3, f"{nth} purchase family code")
    if with_gcp:
        vli = r.digit(f"{nth} purchase company prefix length", "01234569")
        if vli != 9:
            r.take(vli + 6, f"{nth} purchase company prefix")


def _date(r: _Reader, what: str) -> str:
    value = r.take(6, what)
    if yymmdd_problem(value, day_zero_ok=False) is not None:
        raise _Fault(f"coupon {what} {value} is not a valid date")
    return value


def _code(r: _Reader) -> None:
    """The fields of AI (8110) in order; optional fields are led by their code 1-9."""
    r.take(r.digit("company prefix length", "0123456") + 6, "company prefix")
    r.take(6, "offer code")
    r.take(r.digit("save value length", "12345"), "save value")
    _purchase(r, "1st", with_gcp=False)
    if r.more() and r.peek() == "1":
        r.pos += 1
        r.digit("additional purchase rules code", "0123")
        _purchase(r, "2nd", with_gcp=True)
    if r.more() and r.peek() == "2":
        r.pos += 1
        _purchase(r, "3rd", with_gcp=True)
    expiry = None
    if r.more() and r.peek() == "3":
        r.pos += 1
        expiry = _date(r, "expiration date")
    if r.more() and r.peek() == "4":
        r.pos += 1
        start = _date(r, "start date")
        if expiry is not None and start > expiry:
            raise _Fault("coupon expires before it starts")
    if r.more() and r.peek() == "5":
        r.pos += 1
        r.take(r.digit("serial number length") + 6, "serial number")
    if r.more() and r.peek() == "6":
        r.pos += 1
        r.take(r.digit("retailer GCP/GLN length", "1234567") + 6, "retailer GCP/GLN")
    if r.more() and r.peek() == "9":
        r.pos += 1
        r.digit("save value code", "01256")
        r.digit("save value applies to item", "012")
        r.digit("store coupon flag")
        r.digit("don't multiply flag", "01")


def _pos_offer(r: _Reader) -> None:
    """The fields of AI (8112): format, funder, offer code, serial number."""
    r.digit("format code", "01")
    r.take(r.digit("funder ID length", "0123456") + 6, "funder ID")
    r.take(6, "offer code")
    r.take(r.digit("serial number length") + 6, "serial number")


def _lint(data: str, parse: object) -> str | None:
    """Digits only, every field present and nothing after the last one."""
    if not (data.isascii() and data.isdigit()):
        return "a coupon code has digits only"
    reader = _Reader(data)
    try:
        parse(reader)  # type: ignore[operator]
    except _Fault as fault:
        return str(fault)
    return None if not reader.more() else "coupon has data after its last field"


def couponcode(data: str) -> str | None:
    """AI (8110): the coupon code identification for use in North America."""
    return _lint(data, _code)


def couponposoffer(data: str) -> str | None:
    """AI (8112): the paperless coupon code identification for use in North America."""
    return _lint(data, _pos_offer)
