"""Serial pools: what a pool is, what it can still give, and how its values look.

Pure rules only. How values are stored and kept unique is the store's job (a UNIQUE
constraint); how many were used is counted by the allocation use case.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Literal

from labelsvc.domain.errors import InvalidInput

PoolKind = Literal["unit", "sscc", "custom"]
Strategy = Literal["sequential", "random"]
PoolState = Literal["active", "suspended", "exhausted", "retired"]
KINDS: tuple[PoolKind, ...] = ("unit", "sscc", "custom")
STRATEGIES: tuple[Strategy, ...] = ("sequential", "random")
STATES: tuple[PoolState, ...] = ("active", "suspended", "exhausted", "retired")
SupplyKind = Literal["own", "lease", "list"]  # the values of labelsvc.domain.leases.Supply
SUPPLIES: tuple[SupplyKind, ...] = ("own", "lease", "list")

# GS1 character set 82, the characters allowed in AI (21) and other alphanumeric AIs.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
DEFAULT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud safely
MAX_SERIAL = 20  # AI (21)
MAX_CUSTOM = 48
GUESS_RATIO = 10_000  # a randomized pool stays under 1/10,000 used (EU FMD rule)
_PLACEHOLDER = re.compile(r"\{(seq)(?::0(\d{1,2}))?\}|\{(rand)\}")


@dataclass(frozen=True)
class Pattern:
    """A value pattern with one placeholder: ``SN-{seq:08}``, ``{seq}`` or ``LOT-{rand}``."""

    prefix: str
    placeholder: Literal["seq", "rand"]
    width: int
    suffix: str

    @classmethod
    def parse(cls, text: str, pool: str) -> Pattern:
        """Parse a pattern; it must contain exactly one placeholder."""
        found = list(_PLACEHOLDER.finditer(text))
        if len(found) != 1:
            raise InvalidInput(
                "pool-invalid",
                f"pool {pool}: pattern {text!r} needs exactly one placeholder, "
                "{seq}, {seq:08} or {rand}.",
                key="pattern",
            )
        m = found[0]
        kind: Literal["seq", "rand"] = "seq" if m.group(1) else "rand"
        return cls(text[: m.start()], kind, int(m.group(2) or 0), text[m.end() :])


@dataclass(frozen=True)
class PoolSpec:
    """A pool as an admin defines it (TOML file or CLI)."""

    name: str
    kind: PoolKind
    strategy: Strategy = "sequential"
    gtins: tuple[str, ...] = ()
    company_prefix: str | None = None
    extension_digit: int | None = None
    pattern: str | None = None
    alphabet: str | None = None
    length: int | None = None
    range_start: int | None = None
    range_end: int | None = None
    low_water: int = 0
    state: PoolState = "active"
    description: str = ""
    supply: SupplyKind = "own"
    refill_count: int = 0

    @property
    def supplied(self) -> bool:
        """True when values come from blocks received from elsewhere, not the own range."""
        return self.supply != "own"

    @property
    def sscc_reference_digits(self) -> int:
        """Digits of the serial reference: 16 minus the company prefix length."""
        return 16 - len(self.company_prefix or "")

    @property
    def effective_pattern(self) -> Pattern:
        """The pattern in force, with the defaults for each kind and strategy."""
        default = "{seq}" if self.strategy == "sequential" else "{rand}"
        return Pattern.parse(self.pattern or default, self.name)

    @property
    def effective_alphabet(self) -> str:
        """Characters a randomized pool draws from."""
        if self.kind == "sscc":
            return "0123456789"
        return self.alphabet or DEFAULT_ALPHABET

    @property
    def effective_length(self) -> int:
        """Characters a randomized value has (the reference digits for an SSCC)."""
        if self.kind == "sscc":
            return self.sscc_reference_digits
        return self.length or 12

    @property
    def first(self) -> int:
        """First sequence number of a sequential pool."""
        return self.range_start if self.range_start is not None else 1

    @property
    def last(self) -> int:
        """Last sequence number of a sequential pool."""
        if self.range_end is not None:
            return self.range_end
        if self.kind == "sscc":
            return int(10**self.sscc_reference_digits) - 1
        pattern = self.effective_pattern
        room = (MAX_SERIAL if self.kind == "unit" else MAX_CUSTOM) - len(
            pattern.prefix + pattern.suffix
        )
        return int(10 ** min(room, 18)) - 1

    @property
    def capacity(self) -> int:
        """How many values the pool can ever give."""
        if self.strategy == "sequential":
            return max(0, self.last - self.first + 1)
        return int(len(self.effective_alphabet) ** self.effective_length)

    @property
    def guess_limit(self) -> int:
        """Randomized pools: the use beyond which guessing a valid serial becomes likely."""
        return self.capacity // GUESS_RATIO

    def namespace(self, gtin: str | None) -> str:
        """Where uniqueness is enforced: per GTIN, global for SSCC, per pool for custom."""
        if self.kind == "unit":
            return f"01:{gtin}"
        if self.kind == "sscc":
            return "sscc"
        return f"pool:{self.name}"

    def with_state(self, state: PoolState) -> PoolSpec:
        """The same pool in another state."""
        return replace(self, state=state)


def validate_spec(spec: PoolSpec) -> None:
    """Reject a pool definition that could produce invalid or colliding values."""

    def bad(key: str, why: str) -> InvalidInput:
        return _bad(spec, key, why)

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", spec.name):
        raise bad("name", "must be 1-64 letters, digits, '.', '_' or '-'.")
    if spec.kind not in KINDS:
        raise bad("kind", f"must be one of {', '.join(KINDS)}, not {spec.kind!r}.")
    if spec.strategy not in STRATEGIES:
        raise bad("strategy", f"must be one of {', '.join(STRATEGIES)}, not {spec.strategy!r}.")
    if spec.state not in STATES:
        raise bad("state", f"must be one of {', '.join(STATES)}, not {spec.state!r}.")
    if spec.low_water < 0:
        raise bad("low_water", "must be zero or more.")
    if spec.supply not in SUPPLIES:
        raise bad("supply", f"must be one of {', '.join(SUPPLIES)}, not {spec.supply!r}.")
    if spec.refill_count < 0:
        raise bad("refill_count", "must be zero or more.")
    if spec.kind == "unit" and not spec.gtins:
        raise bad("gtins", "must list at least one GTIN for a unit serial pool.")
    if spec.kind == "sscc":
        _validate_sscc(spec)
    else:
        _validate_pattern(spec)
    if spec.strategy == "sequential" and spec.capacity <= 0:
        raise bad("range_end", "must not be below range_start.")


def _bad(spec: PoolSpec, key: str, why: str) -> InvalidInput:
    return InvalidInput("pool-invalid", f"pool {spec.name}: {key} {why}", key=key)


def _validate_sscc(spec: PoolSpec) -> None:
    def bad(key: str, why: str) -> InvalidInput:
        return _bad(spec, key, why)

    prefix = spec.company_prefix or ""
    if not (prefix.isdigit() and 4 <= len(prefix) <= 12):
        raise bad("company_prefix", "must be 4 to 12 digits for an SSCC pool.")
    if spec.extension_digit is None or not 0 <= spec.extension_digit <= 9:
        raise bad("extension_digit", "must be a digit 0-9 for an SSCC pool.")
    top = 10**spec.sscc_reference_digits - 1
    if spec.strategy == "sequential" and not (spec.first >= 0 and spec.last <= top):
        raise bad("range_end", f"must fit in {spec.sscc_reference_digits} digits (0..{top}).")


def _validate_pattern(spec: PoolSpec) -> None:
    def bad(key: str, why: str) -> InvalidInput:
        return _bad(spec, key, why)

    pattern = spec.effective_pattern
    literal = pattern.prefix + pattern.suffix
    if set(literal) - CSET82:
        raise bad("pattern", "may only use characters of GS1 character set 82.")
    if spec.strategy == "sequential" and pattern.placeholder != "seq":
        raise bad("pattern", "of a sequential pool needs {seq} or {seq:0N}.")
    if spec.strategy == "random":
        if pattern.placeholder != "rand":
            raise bad("pattern", "of a randomized pool needs {rand}.")
        alphabet = spec.effective_alphabet
        if len(set(alphabet)) != len(alphabet) or len(alphabet) < 2:
            raise bad("alphabet", "needs at least two characters, none repeated.")
        if set(alphabet) - CSET82:
            raise bad("alphabet", "may only use characters of GS1 character set 82.")
    limit = MAX_SERIAL if spec.kind == "unit" else MAX_CUSTOM
    longest = len(literal) + (
        max(pattern.width, len(str(spec.last)))
        if spec.strategy == "sequential"
        else spec.effective_length
    )
    if spec.strategy == "random" and not 1 <= spec.effective_length <= limit:
        raise bad("length", f"must be 1 to {limit}.")
    if longest > limit:
        raise bad("pattern", f"makes values of {longest} characters; at most {limit} allowed.")


def sequential_values(spec: PoolSpec, start: int, count: int) -> list[str]:
    """Values for sequence numbers ``start`` .. ``start + count - 1``."""
    if spec.kind == "sscc":
        return [_sscc(spec, n) for n in range(start, start + count)]
    p = spec.effective_pattern
    return [f"{p.prefix}{n:0{p.width}d}{p.suffix}" for n in range(start, start + count)]


def random_values(spec: PoolSpec, count: int) -> list[str]:
    """``count`` values drawn from the OS CSPRNG without modulo bias (may repeat)."""
    alphabet, length = spec.effective_alphabet, spec.effective_length
    raw = _random_text(alphabet, count * length)
    bodies = [raw[i : i + length] for i in range(0, count * length, length)]
    if spec.kind == "sscc":
        return [_sscc(spec, int(body)) for body in bodies]
    p = spec.effective_pattern
    if not p.prefix and not p.suffix:
        return bodies
    return [f"{p.prefix}{body}{p.suffix}" for body in bodies]


def _random_text(alphabet: str, n: int) -> str:
    """``n`` characters uniformly from ``alphabet``: random bytes, rejecting the biased top."""
    k = len(alphabet)
    limit = 256 - 256 % k
    table = bytes(ord(alphabet[b % k]) if b < limit else 0 for b in range(256))
    rejected = bytes(range(limit, 256))
    out = b""
    while len(out) < n:
        chunk = os.urandom(max(64, (n - len(out)) * 256 // limit + 16))
        out += chunk.translate(table, rejected)
    return out[:n].decode("ascii")


def _sscc(spec: PoolSpec, reference: int) -> str:
    body = f"{spec.extension_digit}{spec.company_prefix}{reference:0{spec.sscc_reference_digits}d}"
    return body + _mod10(body)


def _mod10(body: str) -> str:
    """GS1 mod-10 check digit (weights 3,1 from the right); kept here to stay dependency-free."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)
