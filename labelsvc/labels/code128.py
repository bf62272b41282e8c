"""GS1-128 as ZPL ``^BC`` field data in mode N, with every subset switch written out.

Automatic modes differ between firmware versions; explicit invocation codes do not. Codes
(ZPL II guide, table "Code 128 Invocation Characters"): ``>;`` start C, ``>:`` start B,
``>8`` FNC1 in every subset, ``>5`` to C (from B), ``>6`` to B (from C only: in subset B
``>6`` is FNC4), ``><`` a literal ``>`` in subset B. The reverse direction lives here too,
so the preview reads exactly what a printer would encode.
"""

from __future__ import annotations

GS = "\x1d"

#: Modules of one Code 128 symbol character, and of the stop pattern.
_CHAR_MODULES = 11
_STOP_MODULES = 13
#: Quiet zone required on each side, in modules.
QUIET_MODULES = 10


def _digit_run(data: str, pos: int) -> int:
    end = pos
    while end < len(data) and "0" <= data[end] <= "9":
        end += 1
    return end - pos


def encode_gs1(element_string: str) -> tuple[str, int]:
    """ZPL field data and symbol width in modules for ``element_string`` (GS = FNC1)."""
    out: list[str] = []
    run = _digit_run(element_string, 0)
    subset = "C" if run >= 2 else "B"
    out.append(">;>8" if subset == "C" else ">:>8")
    chars = 1  # the leading FNC1
    pos = 0
    while pos < len(element_string):
        char = element_string[pos]
        if char == GS:
            out.append(">8")
            pos += 1
        elif subset == "C":
            run = _digit_run(element_string, pos)
            if run >= 2:
                out.append(element_string[pos : pos + 2])
                pos += 2
            else:
                out.append(">6")
                subset = "B"
        else:
            run = _digit_run(element_string, pos)
            end = pos + run
            at_end = end == len(element_string) or element_string[end] == GS
            if run % 2 == 0 and (run >= 6 or (run >= 4 and at_end)):
                out.append(">5")
                subset = "C"
            else:
                out.append("><" if char == ">" else char)
                pos += 1
        chars += 1
    modules = _CHAR_MODULES * (chars + 2) + _STOP_MODULES  # + start and check characters
    return "".join(out), modules


def decode_zpl(field_data: str) -> tuple[bool, str]:
    """Read mode-N ``^BC`` field data back: (starts with FNC1, data with GS for FNC1)."""
    subset = "B"
    pos = 0
    out: list[str] = []
    starts = {">9": "A", ">:": "B", ">;": "C"}
    if field_data[:2] in starts:
        subset = starts[field_data[:2]]
        pos = 2
    while pos < len(field_data):
        two = field_data[pos : pos + 2]
        if two[:1] == ">" and len(two) == 2:
            pos += 2
            if two == ">8":
                out.append(GS)
            elif two == "><":
                out.append(">")
            elif two == ">=":
                out.append("~")
            elif two == ">5":
                subset = "C"
            elif two == ">6" and subset != "B":
                subset = "B"
            elif two == ">7" and subset != "A":
                subset = "A"
            else:
                raise ValueError(f"invocation code {two!r} is not supported in subset {subset}")
        elif subset == "C":
            if not (two.isdigit() and len(two) == 2):
                raise ValueError(f"subset C needs digit pairs, got {two!r}")
            out.append(two)
            pos += 2
        else:
            out.append(field_data[pos])
            pos += 1
    text = "".join(out)
    fnc1_first = text.startswith(GS)
    return fnc1_first, text[1:] if fnc1_first else text
