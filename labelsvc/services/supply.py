"""Receive blocks of values from elsewhere into a pool's supply.

One entry for every way values arrive (a lease granted by the authority, an imported
file, an issuer's answer, values sites gave back), so each is checked the same way: the
pool must take supply, every value must fit the pool, and no value may be one this store
has issued already or holds in another block.
"""

from __future__ import annotations

from collections.abc import Sequence

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import CSET82, MAX_CUSTOM, MAX_SERIAL, PoolSpec
from labelsvc.gs1.check import is_valid_sscc
from labelsvc.store import Tx
from labelsvc.store.pools import PoolRow
from labelsvc.store.supply import BlockRow

CHECK_BATCH = 500  # values looked up per query when checking a block against the store


def receive_block(
    tx: Tx, *, pool: str, gtin: str | None, origin: BlockOrigin, reference: str,
    values: Sequence[str], actor: Actor, expires_at: str | None = None,
    checksum: str | None = None,
) -> BlockRow:  # fmt: skip
    """Store a block in ``pool``'s supply inside the caller's transaction; refuse it whole
    when a value is malformed, repeated, already issued here or already supplied.

    The pool's low-water warning is cleared, so running low again warns again.
    """
    row = tx.pools.get(pool)
    if row is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {pool!r}.", pool=pool)
    spec = row.spec
    if spec.kind == "unit" and gtin not in spec.gtins:
        raise InvalidInput(
            "gtin-not-in-pool",
            f"GTIN {gtin} is not served by pool {pool} (it serves {', '.join(spec.gtins)}).",
            field="gtin",
        )
    if not values:
        raise InvalidInput("block-empty", f"A block for pool {pool} must hold values.")
    if tx.supply.block_by_reference(str(origin), reference) is not None:
        raise Conflict(
            "block-exists",
            f"Pool {pool} already received {origin} {reference!r}; nothing was added again.",
            reference=reference,
        )
    check_values(tx, spec, gtin, values)
    block = tx.supply.add_block(
        pool=pool, gtin=gtin, origin=str(origin), reference=reference, values=values,
        created_by=actor.label, expires_at=expires_at, checksum=checksum,
    )  # fmt: skip
    tx.pools.set_warned(pool, low_water=False)
    if row.spec.state == "exhausted":
        tx.pools.set_state(pool, "active")
    tx.events.append(
        "supply-received", actor=actor.label, subject=f"pool:{pool}",
        details={"block": block.id, "origin": str(origin), "reference": reference,
                 "count": len(values), "gtin": gtin, "first": values[0], "last": values[-1],
                 "expires_at": expires_at},
    )  # fmt: skip
    return block


def check_values(tx: Tx, spec: PoolSpec, gtin: str | None, values: Sequence[str]) -> None:
    """Refuse values that do not fit the pool or that this store knows already."""
    seen: set[str] = set()
    for n, value in enumerate(values, start=1):
        problem = _malformed(spec, value)
        if problem is None and value in seen:
            problem = "appears twice"
        if problem is not None:
            raise InvalidInput(
                "serial-invalid",
                f"Value {n} ({value!r}) for pool {spec.name} {problem}; nothing was added.",
                position=n,
            )
        seen.add(value)
    namespace = spec.namespace(gtin)
    for start in range(0, len(values), CHECK_BATCH):
        part = values[start : start + CHECK_BATCH]
        issued = tx.supply.first_issued(namespace, part)
        supplied = None if issued else tx.supply.first_waiting(spec.name, part)
        if issued or supplied:
            where = "was issued here already" if issued else "waits in another block"
            raise Conflict(
                "serial-duplicate",
                f"Value {issued or supplied!r} for pool {spec.name} {where}; nothing was added.",
                value=issued or supplied,
            )


def _malformed(spec: PoolSpec, value: str) -> str | None:
    if spec.kind == "sscc":
        prefix = f"{spec.extension_digit}{spec.company_prefix}"
        if not is_valid_sscc(value):
            return "is not an SSCC with a valid check digit"
        return None if value.startswith(prefix) else f"does not start with {prefix}"
    limit = MAX_SERIAL if spec.kind == "unit" else MAX_CUSTOM
    if not 1 <= len(value) <= limit:
        return f"is not 1 to {limit} characters long"
    if set(value) - CSET82:
        return "uses characters outside GS1 character set 82"
    return None


def list_pool(tx: Tx, pool: str, *, doing: str, lock: bool = False) -> PoolRow:
    """The list pool named ``pool`` (one whose serials are issued elsewhere), or a refusal
    saying what ``doing`` needs."""
    row = tx.pools.get(pool, lock=lock)
    if row is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {pool!r}.", pool=pool)
    if row.spec.supply != "list":
        raise Conflict(
            "pool-not-list",
            f"Pool {pool} has supply {row.spec.supply!r}; only a pool with supply 'list' {doing}.",
            pool=pool,
        )
    return row
