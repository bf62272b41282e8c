"""GS1 location and party identities as EPC URIs: SGLN (a GLN with extension) and PGLN."""

from __future__ import annotations

import re

from labelsvc.gs1.check import validate_gln

SGLN = re.compile(r"urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.([!'()*+,.0-9:;=A-Za-z_%-]{1,20})")
#: What a GLN extension (AI 254) may be in an SGLN: GS1 character set 82 minus a few, 1-20.
EXTENSION = re.compile(r"[!'()*+,.0-9:;=A-Za-z_-]{1,20}")


def sgln_uri(gln: str, prefix_length: int, extension: str = "0") -> str:
    """``urn:epc:id:sgln:CompanyPrefix.LocationReference.Extension`` of a 13-digit GLN."""
    validate_gln(gln)
    if not 6 <= prefix_length <= 12:
        raise ValueError(f"a GS1 company prefix has 6 to 12 digits, not {prefix_length}")
    if not EXTENSION.fullmatch(extension):
        raise ValueError(f"a GLN extension is 1-20 characters of GS1 set 82, not {extension!r}")
    return f"urn:epc:id:sgln:{gln[:prefix_length]}.{gln[prefix_length:12]}.{extension}"


def pgln_uri(gln: str, prefix_length: int) -> str:
    """``urn:epc:id:pgln:CompanyPrefix.PartyReference`` (a GLN naming a party)."""
    validate_gln(gln)
    return f"urn:epc:id:pgln:{gln[:prefix_length]}.{gln[prefix_length:12]}"


def is_sgln(text: str) -> bool:
    """True for an SGLN EPC URI whose company prefix and location reference make 12 digits."""
    m = SGLN.fullmatch(text)
    return bool(m) and len(m.group(1)) + len(m.group(2)) == 12  # type: ignore[union-attr]
