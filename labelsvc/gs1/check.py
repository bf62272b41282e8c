"""GS1 mod-10 check digits and the keys built on them: GTIN, GLN, SSCC."""

from __future__ import annotations

from labelsvc.gs1.errors import GS1_INVALID, Gs1Error, ai_error

GTIN_LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit for ``body`` (the digits before the check digit)."""
    if not body or not body.isascii() or not body.isdigit():
        raise Gs1Error(GS1_INVALID, f"check digit needs a non-empty string of digits, got {body!r}")
    # Weights alternate 3, 1, 3, ... starting from the rightmost digit of the body.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def has_valid_check_digit(number: str) -> bool:
    """True when ``number`` is all digits and its last digit is the right check digit."""
    if len(number) < 2 or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number[:-1]) == number[-1]


def require_check_digit(ai: str, number: str) -> None:
    """Raise a Gs1Error naming ``ai`` and both digits when the check digit is wrong."""
    expected = check_digit(number[:-1])
    if expected != number[-1]:
        raise ai_error(ai, f"check digit should be {expected}, got {number[-1]}")


def _require_digits(ai: str, text: str, lengths: tuple[int, ...], what: str) -> None:
    if not text.isascii() or not text.isdigit():
        raise ai_error(ai, f"{what} must be digits only, got {text!r}")
    if len(text) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise ai_error(ai, f"{what} must be {allowed} digits, got {len(text)}")


def normalize_gtin(text: str) -> str:
    """Accept a GTIN-8/12/13/14, check it, and return the 14-digit form used in AI (01)."""
    gtin = text.strip()
    _require_digits("01", gtin, GTIN_LENGTHS, "GTIN")
    require_check_digit("01", gtin)
    return gtin.zfill(14)


def validate_gln(s: str) -> None:
    """Raise a Gs1Error (AI 414) unless ``s`` is a 13-digit GLN with a valid check digit."""
    _require_digits("414", s, (13,), "GLN")
    require_check_digit("414", s)


def make_sscc(extension_digit: int, company_prefix: str, serial_reference: int | str) -> str:
    """Build an 18-digit SSCC; prefix and reference together must fill exactly 16 digits."""
    if not 0 <= extension_digit <= 9:
        raise ai_error("00", f"extension digit must be 0-9, got {extension_digit}")
    if not company_prefix.isascii() or not company_prefix.isdigit():
        raise ai_error("00", f"company prefix must be digits only, got {company_prefix!r}")
    if not 4 <= len(company_prefix) <= 12:
        raise ai_error("00", f"company prefix must be 4-12 digits, got {len(company_prefix)}")
    width = 16 - len(company_prefix)
    if isinstance(serial_reference, int):
        if serial_reference < 0 or serial_reference >= 10**width:
            raise ai_error(
                "00",
                f"serial reference {serial_reference} does not fit in {width} digits "
                f"after a {len(company_prefix)}-digit company prefix",
            )
        reference = str(serial_reference).zfill(width)
    else:
        reference = serial_reference
        if not reference.isascii() or not reference.isdigit() or len(reference) != width:
            raise ai_error(
                "00",
                f"serial reference must be {width} digits after a "
                f"{len(company_prefix)}-digit company prefix, got {reference!r}",
            )
    body = f"{extension_digit}{company_prefix}{reference}"
    return body + check_digit(body)


def is_valid_sscc(s: str) -> bool:
    """True for 18 digits with a valid check digit."""
    return len(s) == 18 and has_valid_check_digit(s)
