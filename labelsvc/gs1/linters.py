"""The GS1 Barcode Syntax Tests ("linters") the dictionary names, in plain Python.

Each linter takes one component of an AI value and returns None when it passes, or a short
reason an operator can act on. They follow the published reference procedures
(gs1/gs1-syntax-dictionary ``src/lint_*.c``, Apache-2.0), rewritten here, not translated.
"""

from __future__ import annotations

from collections.abc import Callable

from labelsvc.gs1.coupons import couponcode, couponposoffer
from labelsvc.gs1.dates import real_date_problem, yymmdd_problem
from labelsvc.gs1.dictionary import code_lists

Linter = Callable[[str], str | None]

#: GS1 character set 82 (General Specifications figure 7.11-1), in its published order.
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CSET64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PRIMES = [p for p in range(2, 510) if all(p % d for d in range(2, int(p**0.5) + 1))]
_CSET82_SET, _CSET39_SET, _CSET64_SET = frozenset(CSET82), frozenset(CSET39), frozenset(CSET64)
#: Shortest GS1 Company Prefix: a key must start with at least this many digits.
GCP_MIN_LENGTH = 4


def _digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def mod10(body: str) -> str:
    """GS1 mod-10 check digit of ``body``: weights 3, 1, 3, ... from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def csum(s: str) -> str | None:
    """The GS1 mod-10 check digit in the last position (GTIN, SSCC, GLN...)."""
    if not _digits(s):
        return "the check digit needs digits only"
    expected = mod10(s[:-1])
    return None if s[-1] == expected else f"check digit should be {expected}, got {s[-1]}"


def csumalpha(s: str) -> str | None:
    """The alphanumeric check character pair of GMN and CPID-style keys."""
    if len(s) < 2:
        return "too short for a check character pair"
    if len(s) > len(_PRIMES) + 2:
        return "too long for a check character pair"
    if any(c not in _CSET82_SET for c in s[:-2]):
        return "check character pair needs GS1 character set 82"
    body = s[:-2]
    total = sum(CSET82.index(c) * _PRIMES[len(body) - 1 - i] for i, c in enumerate(body)) % 1021
    expected = _CSET32[total >> 5] + _CSET32[total & 31]
    return None if s[-2:] == expected else f"check characters should be {expected}"


def gcppos1(s: str) -> str | None:
    """A key starts with a GS1 Company Prefix: at least its 4 shortest digits."""
    if len(s) < GCP_MIN_LENGTH:
        return "too short to hold a GS1 Company Prefix"
    return None if _digits(s[:GCP_MIN_LENGTH]) else "must start with a GS1 Company Prefix"


def gcppos2(s: str) -> str | None:
    """As ``gcppos1`` after one leading digit (the indicator of a GTIN or SSCC)."""
    return "too short to hold a GS1 Company Prefix" if len(s) < 2 else gcppos1(s[1:])


def _yymmdd(s: str, day_zero_ok: bool) -> str | None:
    return yymmdd_problem(s, day_zero_ok=day_zero_ok)


def _yyyymmdd(s: str, day_zero_ok: bool) -> str | None:
    if len(s) != 8 or not _digits(s):
        return "a date must be 8 digits YYYYMMDD"
    return real_date_problem(int(s[:4]), int(s[4:6]), int(s[6:]), day_zero_ok)


def _in_range(s: str, size: int, top: int, what: str) -> str | None:
    if len(s) != size or not _digits(s):
        return f"{what} must be {size} digits"
    return None if int(s) <= top else f"invalid {what} {s}"


def hhmi(s: str) -> str | None:
    """A time of day HHMM."""
    if len(s) != 4:
        return "a time must be 4 digits HHMM"
    return _in_range(s[:2], 2, 23, "hour") or _in_range(s[2:], 2, 59, "minute")


def _in_list(name: str, what: str) -> Linter:
    def lint(s: str) -> str | None:
        return None if s in code_lists()[name] else f"{s!r} is not {what}"

    return lint


def iso3166999(s: str) -> str | None:
    """An ISO 3166 numeric country code, or 999 for "not known"."""
    return None if s == "999" else _in_list("iso3166", "an ISO 3166 country code or 999")(s)


def iban(s: str) -> str | None:
    """An IBAN: ISO 3166 alpha-2 country, then mod-97 check digits over the whole."""
    if len(s) < 5 or len(s) > 34:
        return "an IBAN has 5 to 34 characters"
    if s[:2] not in code_lists()["iso3166alpha2"]:
        return f"IBAN country code {s[:2]!r} is not ISO 3166 alpha-2"
    if not (s.isascii() and s.isalnum() and s == s.upper()):
        return "an IBAN has digits and capital letters only"
    number = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return None if int(number) % 97 == 1 else "IBAN check digits are wrong"


def pieceoftotal(s: str) -> str | None:
    """Piece number and total of the same width, neither zero, piece <= total."""
    if not s or len(s) % 2 or not _digits(s):
        return "piece and total must be two numbers of the same length"
    piece, total = int(s[: len(s) // 2]), int(s[len(s) // 2 :])
    if piece == 0 or total == 0:
        return "piece number and total must not be zero"
    return None if piece <= total else "piece number exceeds the total"


def posinseqslash(s: str) -> str | None:
    """``position/end`` of a sequence, neither with a leading zero, position <= end."""
    position, slash, end = s.partition("/")
    if not slash or not _digits(position) or not _digits(end):
        return "must be <position>/<end>"
    if position[0] == "0" or end[0] == "0":
        return "numbers must not start with 0"
    return None if int(position) <= int(end) else "position exceeds the end of the sequence"


def pcenc(s: str) -> str | None:
    """Every ``%`` starts a two-hex-digit escape (AIs that carry percent-encoded text)."""
    for pos, char in enumerate(s):
        if char == "%":
            pair = s[pos + 1 : pos + 3]
            if len(pair) < 2 or not all(c in "0123456789abcdefABCDEF" for c in pair):
                return f"invalid percent-encoding at position {pos + 1}"
    return None


def cset(allowed: frozenset[str], what: str) -> Linter:
    """A linter that accepts only characters of ``allowed``."""

    def lint(s: str) -> str | None:
        for pos, char in enumerate(s, start=1):
            if char not in allowed:
                return f"character {char!r} at position {pos} is not in {what}"
        return None

    return lint


def cset64(s: str) -> str | None:
    """base64url characters with at most two ``=`` of padding."""
    pads = len(s) - len(s.rstrip("="))
    if pads > 2 or (pads and len(s) % 3):
        return "invalid base64url padding"
    return cset(_CSET64_SET, "the base64url character set")(s.rstrip("="))


def _numeric(s: str) -> str | None:
    for pos, char in enumerate(s, start=1):
        if not ("0" <= char <= "9"):
            return f"must be digits only, found {char!r} at position {pos}"
    return None


def _check(test: Callable[[str], bool], problem: str) -> Linter:
    return lambda s: None if test(s) else problem


LINTERS: dict[str, Linter] = {
    "csum": csum,
    "csumalpha": csumalpha,
    "gcppos1": gcppos1,
    "gcppos2": gcppos2,
    "yymmdd": lambda s: _yymmdd(s, False),
    "yymmd0": lambda s: _yymmdd(s, True),
    "yyyymmdd": lambda s: _yyyymmdd(s, False),
    "yyyymmd0": lambda s: _yyyymmdd(s, True),
    "hh": lambda s: _in_range(s, 2, 23, "hour"),
    "mi": lambda s: _in_range(s, 2, 59, "minute"),
    "ss": lambda s: _in_range(s, 2, 59, "second"),
    "hhmi": hhmi,
    "iso3166": _in_list("iso3166", "an ISO 3166 numeric country code"),
    "iso3166999": iso3166999,
    "iso3166alpha2": _in_list("iso3166alpha2", "an ISO 3166 alpha-2 country code"),
    "iso4217": _in_list("iso4217", "an ISO 4217 numeric currency code"),
    "mediatype": _in_list("mediatype", "a GS1 AIDC media type"),
    "packagetype": _in_list("packagetype", "a UN/ECE recommendation 21 package type"),
    "iso5218": _check(lambda s: s in ("0", "1", "2", "9"), "must be an ISO 5218 sex code"),
    "yesno": _check(lambda s: s in ("0", "1"), "must be 0 (no) or 1 (yes)"),
    "winding": _check(lambda s: s in ("0", "1", "9"), "must be a winding direction 0, 1 or 9"),
    "zero": _check(lambda s: bool(s) and set(s) == {"0"}, "must be 0"),
    "nonzero": _check(lambda s: _digits(s) and set(s) != {"0"}, "must not be zero"),
    "nozeroprefix": _check(
        lambda s: (_digits(s) and not s.startswith("0")) or not s, "must not start with 0"
    ),
    "hasnondigit": _check(
        lambda s: any(not "0" <= c <= "9" for c in s), "must contain a non-digit"
    ),
    "hyphen": _check(lambda s: bool(s) and set(s) == {"-"}, "must be a hyphen"),
    "importeridx": _check(
        lambda s: len(s) == 1 and s in _CSET64_SET, "must be one importer index character"
    ),
    "latitude": lambda s: _in_range(s, 10, 1800000000, "latitude"),
    "longitude": lambda s: _in_range(s, 10, 3600000000, "longitude"),
    "iban": iban,
    "pcenc": pcenc,
    "pieceoftotal": pieceoftotal,
    "posinseqslash": posinseqslash,
    "couponcode": couponcode,
    "couponposoffer": couponposoffer,
    "cset82": cset(_CSET82_SET, "GS1 character set 82"),
    "cset39": cset(_CSET39_SET, "GS1 character set 39"),
    "cset64": cset64,
    "csetnumeric": _numeric,
}

#: The linter that checks each component type's character set.
TYPE_LINTERS = {"N": "csetnumeric", "X": "cset82", "Y": "cset39", "Z": "cset64"}
