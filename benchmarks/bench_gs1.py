"""GS1 scan parsing: scans per second for a mixed set of real-shaped scans, beside biip.

biip (PyPI, test extra only) parses the same 10,000 scans in the same run; the two are
interleaved and repeated, and the medians reported. labelsvc does more per scan (every
linter and the association rules of the GS1 Barcode Syntax Dictionary), so the comparison
is what that costs. ``run()`` returns (figure, value) rows for the common runner.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import biip
from biip.gs1_messages import GS1Message

from labelsvc.gs1 import GS, Gs1Error, check_digit, parse_scan

SCANS = 10_000
ROUNDS = 5


def _gtin(rng: random.Random) -> str:
    body = "0950600" + "".join(rng.choices("0123456789", k=6))
    return body + check_digit(body)


def _sscc(rng: random.Random) -> str:
    body = "3950600" + "".join(rng.choices("0123456789", k=10))
    return body + check_digit(body)


def _serial(rng: random.Random) -> str:
    return "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=rng.randint(6, 12)))


def scans(n: int = SCANS, seed: int = 11) -> list[str]:
    """Unit DataMatrix, supplier units with weight and internal data, SSCCs, Digital Links,
    HRI text and case content, in the shares a receiving dock sees."""
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        g, s, lot = _gtin(rng), _serial(rng), f"L{rng.randint(1000, 99999)}"
        kind = rng.random()
        if kind < 0.40:
            out.append(f"]d201{g}21{s}{GS}10{lot}{GS}17{rng.randint(26, 30)}1231")
        elif kind < 0.55:
            weight = f"{rng.randint(100, 99999):06d}"
            out.append(
                f"]d201{g}21{s}{GS}10{lot}{GS}172711003103{weight}91BIN-{rng.randint(1, 99)}"
            )
        elif kind < 0.75:
            out.append(f"]C100{_sscc(rng)}")
        elif kind < 0.85:
            out.append(f"https://id.example.com/01/{g}/10/{lot}/21/{s}?17=271231")
        elif kind < 0.95:
            out.append(f"(01){g}(21){s}(10){lot}")
        else:
            out.append(f"]C100{_sscc(rng)}02{g}3712{GS}10{lot}")
    return out


def _labelsvc(text: str) -> bool:
    try:
        parse_scan(text)
    except Gs1Error:
        return False
    return True


def _biip(text: str) -> bool:
    if text.startswith("("):
        try:
            GS1Message.parse_hri(text)
        except Exception:  # biip raises its own ParseError family
            return False
        return True
    result = biip.parse(text)
    return bool(result.gs1_message or result.gs1_digital_link_uri or result.sscc)


def _rate(parse: Callable[[str], bool], data: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    ok = sum(parse(text) for text in data)
    return len(data) / (time.perf_counter() - start), ok


def run() -> list[tuple[str, str]]:
    """Measure and return the figures as (name, value) rows."""
    data = scans()
    rates: dict[str, list[float]] = {"labelsvc": [], "biip": []}
    parsed: dict[str, int] = {}
    _rate(_labelsvc, data[:500])  # warm caches of both outside the timing
    _rate(_biip, data[:500])
    for _ in range(ROUNDS):
        for name, parse in (("labelsvc", _labelsvc), ("biip", _biip)):
            rate, ok = _rate(parse, data)
            rates[name].append(rate)
            parsed[name] = ok
    rows = []
    for name, call in (("labelsvc", "parse_scan"), ("biip", "biip.parse")):
        rows.append((f"gs1: {name} {call} scans/s (10,000 mixed, median of {ROUNDS})",
                     f"{statistics.median(rates[name]):,.0f}"))  # fmt: skip
        rows.append((f"gs1: {name} scans parsed as GS1", f"{parsed[name]:,} of {SCANS:,}"))
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<62} {value}")
