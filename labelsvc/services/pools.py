"""Manage serial pools: load definitions from TOML, create, change state, report usage."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.pools import PoolSpec, PoolState, validate_spec
from labelsvc.gs1.check import normalize_gtin
from labelsvc.store import Store
from labelsvc.store.pools import PoolRow

SPEC_KEYS = {f.name for f in fields(PoolSpec)}
INT_KEYS = {"extension_digit", "length", "range_start", "range_end", "low_water", "refill_count"}
TRANSITIONS: dict[str, set[str]] = {
    "active": {"suspended", "retired"},
    "suspended": {"active", "retired"},
    "exhausted": {"retired"},
    "retired": set(),
}


@dataclass(frozen=True)
class PoolStatus:
    """A pool with its capacity and use, as admins see it."""

    spec: PoolSpec
    used: int
    capacity: int
    remaining: int
    low: bool
    guessable: bool
    source: str | None

    @property
    def percent_used(self) -> float:
        """Share of the capacity used, in percent."""
        return 100.0 * self.used / self.capacity if self.capacity else 100.0


def status_of(row: PoolRow) -> PoolStatus:
    """Counters of a stored pool."""
    spec = row.spec
    remaining = row.remaining
    return PoolStatus(
        spec=spec,
        used=row.used,
        capacity=row.capacity,
        remaining=remaining,
        low=bool(spec.low_water) and remaining <= spec.low_water,
        guessable=spec.strategy == "random" and row.used > spec.guess_limit,
        source=row.source,
    )


def spec_from_mapping(data: dict[str, Any], source: str, name: str | None = None) -> PoolSpec:
    """Build and validate a pool from TOML/JSON data; errors name the source and key."""
    values = dict(data)
    if name is not None:
        values.setdefault("name", name)
    for key, value in values.items():
        if key not in SPEC_KEYS:
            raise InvalidInput(
                "pool-invalid",
                f"{source}: unknown key '{key}'; known: {', '.join(sorted(SPEC_KEYS))}.",
                key=key,
            )
        if key in INT_KEYS and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidInput(
                "pool-invalid", f"{source}: '{key}' must be an integer, got {value!r}.", key=key
            )
    for key in ("name", "kind"):
        if key not in values:
            raise InvalidInput("pool-invalid", f"{source}: '{key}' is missing.", key=key)
    gtins = values.get("gtins", [])
    if not isinstance(gtins, list):
        raise InvalidInput("pool-invalid", f"{source}: 'gtins' must be a list.", key="gtins")
    try:
        values["gtins"] = tuple(normalize_gtin(str(g)) for g in gtins)
        spec = PoolSpec(**values)
        validate_spec(spec)
    except InvalidInput as exc:
        raise InvalidInput(exc.code, f"{source}: {exc.detail}", **exc.fields) from exc
    return spec


@dataclass(frozen=True)
class Imported:
    """What an import did with one definition file, to tell the person who ran it."""

    name: str
    outcome: str  # created, updated, unchanged, kept (an admin's change wins)
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.outcome}{': ' + self.detail if self.detail else ''})"


def load_pool_files(
    store: Store, folder: Path, actor: Actor, *, force: bool = False
) -> list[Imported]:
    """Import every ``*.toml`` in ``folder`` into the database, the one source of truth.

    A file that did not change since its last import changes nothing; a pool an admin
    changed since is kept as the admin left it (and said so) unless ``force``. Nothing is
    written when any file is wrong.
    """
    require(actor, "manage")
    specs = []
    for file in sorted(folder.glob("*.toml")):
        text = file.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput("pool-invalid", f"{file}: not valid TOML: {exc}.") from exc
        digest = hashlib.sha256(text.encode()).hexdigest()
        specs.append((spec_from_mapping(data, str(file), name=file.stem), str(file), digest))
    report = []
    with store.write() as tx:
        for spec, source, digest in specs:
            stored = tx.pools.get(spec.name)
            if stored is not None and stored.edited_by and not force:
                report.append(Imported(
                    spec.name, "kept",
                    f"changed by {stored.edited_by} since it was imported; the file was not "
                    "applied (pools load --force applies it)",
                ))  # fmt: skip
                continue
            if stored is not None and stored.file_hash == digest and not force:
                report.append(Imported(spec.name, "unchanged"))
                continue
            _check_change(stored, spec, source)
            if stored is not None and stored.spec.state != "active":
                spec = replace(spec, state=stored.spec.state)  # a file never revives a pool
            created = tx.pools.upsert(spec, source, file_hash=digest)
            tx.events.append(
                "pool-created" if created else "pool-updated", actor=actor.label,
                subject=f"pool:{spec.name}", details={"source": source},
            )  # fmt: skip
            report.append(Imported(spec.name, "created" if created else "updated"))
    return report


def save_pool(store: Store, spec: PoolSpec, actor: Actor) -> PoolStatus:
    """Create or change a pool from the CLI or the admin page."""
    require(actor, "manage")
    validate_spec(spec)
    with store.write() as tx:
        stored = tx.pools.get(spec.name)
        _check_change(stored, spec, "admin")
        created = tx.pools.upsert(spec, stored.source if stored else "admin", edited_by=actor.label)
        tx.events.append(
            "pool-created" if created else "pool-updated", actor=actor.label,
            subject=f"pool:{spec.name}",
        )  # fmt: skip
        row = tx.pools.get(spec.name)
        assert row is not None
        return status_of(row)


def _check_change(stored: PoolRow | None, spec: PoolSpec, source: str) -> None:
    """Once a pool has issued serials, what shapes its values may not change."""
    if stored is not None and stored.used and _identity(stored.spec) != _identity(spec):
        raise InvalidInput(
            "pool-in-use",
            f"{source}: pool {spec.name} has issued {stored.used:,} serials; its kind, prefix, "
            "pattern and range start can no longer change. Create a new pool instead.",
            pool=spec.name,
        )


def _identity(spec: PoolSpec) -> tuple[object, ...]:
    return (spec.kind, spec.strategy, spec.company_prefix, spec.extension_digit, spec.pattern,
            spec.alphabet, spec.length, spec.range_start)  # fmt: skip


def set_pool_state(store: Store, name: str, state: PoolState, actor: Actor) -> PoolStatus:
    """Suspend, resume or retire a pool."""
    require(actor, "manage")
    with store.write() as tx:
        row = tx.pools.get(name)
        if row is None:
            raise NotFound("pool-not-found", f"There is no serial pool named {name!r}.")
        current = row.spec.state
        if state != current and state not in TRANSITIONS[current]:
            raise InvalidInput(
                "pool-state",
                f"Pool {name} is {current}; it cannot become {state}.",
                state=current,
            )
        tx.pools.set_state(name, state)
        tx.pools.mark_edited(name, actor.label)
        tx.events.append(
            "pool-state-changed", actor=actor.label, subject=f"pool:{name}",
            details={"from": current, "to": state},
        )  # fmt: skip
        updated = tx.pools.get(name)
        assert updated is not None
        return status_of(updated)


def list_pools(store: Store, actor: Actor) -> list[PoolStatus]:
    """Every pool with its usage."""
    require(actor, "read")
    with store.read() as tx:
        return [status_of(r) for r in tx.pools.all()]


def get_pool(store: Store, name: str, actor: Actor) -> PoolStatus:
    """One pool with its usage."""
    require(actor, "read")
    with store.read() as tx:
        row = tx.pools.get(name)
    if row is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {name!r}.", pool=name)
    return status_of(row)
