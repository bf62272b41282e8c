"""Allocation: all or nothing, idempotent, never the same serial twice."""

from __future__ import annotations

import pytest
from storekit import rows

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.pools import get_pool, save_pool, set_pool_state

GTIN = "09506000134352"


def _rows(app: App, sql: str) -> list[tuple[object, ...]]:
    return rows(app, sql)


def test_allocation_is_stored_counted_and_recorded(app: App, operator: Actor) -> None:
    result = allocate(app.store, "demo-units", 25, actor=operator, station="dock-1")
    assert len(set(result.serials)) == 25
    stored = _rows(app, f"SELECT value, namespace FROM items WHERE allocation_id = {result.id}")
    assert sorted(v for v, _ in stored) == sorted(result.serials)
    assert {ns for _, ns in stored} == {f"01:{GTIN}"}
    assert get_pool(app.store, "demo-units", operator).used == 25
    events = _rows(app, "SELECT type, actor, station, details FROM events WHERE type = "
                        "'serials-allocated'")  # fmt: skip
    assert events[-1][:3] == ("serials-allocated", "user:olga", "dock-1")
    assert '"count": 25' in str(events[-1][3])


def test_same_idempotency_key_returns_same_serials_and_allocates_nothing(
    app: App, operator: Actor
) -> None:
    first = allocate(app.store, "demo-units", 5, actor=operator, idempotency_key="req-1")
    again = allocate(app.store, "demo-units", 5, actor=operator, idempotency_key="req-1")
    assert again.serials == first.serials and again.replayed
    assert get_pool(app.store, "demo-units", operator).used == 5
    with pytest.raises(Conflict, match="Idempotency key"):
        allocate(app.store, "demo-units", 6, actor=operator, idempotency_key="req-1")


def test_exhausted_pool_says_what_remains(app: App, admin: Actor, operator: Actor) -> None:
    save_pool(app.store, PoolSpec("tiny", "custom", pattern="T-{seq:02}", range_start=1,
                                  range_end=10), admin)  # fmt: skip
    assert allocate(app.store, "tiny", 7, actor=operator).serials[-1] == "T-07"
    with pytest.raises(Conflict) as err:
        allocate(app.store, "tiny", 4, actor=operator)
    assert err.value.code == "pool-exhausted" and err.value.fields["remaining"] == 3
    assert get_pool(app.store, "tiny", operator).used == 7  # nothing half-written
    allocate(app.store, "tiny", 3, actor=operator)
    assert get_pool(app.store, "tiny", operator).spec.state == "exhausted"


def test_suspended_pool_refuses(app: App, admin: Actor, operator: Actor) -> None:
    set_pool_state(app.store, "demo-sscc", "suspended", admin)
    with pytest.raises(Conflict, match="suspended") as err:
        allocate(app.store, "demo-sscc", 1, actor=operator)
    assert err.value.fields["remaining"] == 999_999_999


def test_serials_are_unique_per_gtin_across_pools(app: App, admin: Actor, operator: Actor) -> None:
    for name in ("seq-a", "seq-b"):
        save_pool(app.store, PoolSpec(name, "unit", gtins=(GTIN,), range_start=1,
                                      range_end=100), admin)  # fmt: skip
    allocate(app.store, "seq-a", 3, actor=operator)
    with pytest.raises(Conflict, match="already exists") as err:
        allocate(app.store, "seq-b", 2, actor=operator)
    assert err.value.code == "serial-collision"
    assert get_pool(app.store, "seq-b", operator).used == 0


def test_random_pool_redraws_collisions_until_full(app: App, admin: Actor, operator: Actor) -> None:
    save_pool(app.store, PoolSpec("small", "custom", "random", pattern="R{rand}", alphabet="AB",
                                  length=4), admin)  # fmt: skip
    got = allocate(app.store, "small", 16, actor=operator).serials
    assert sorted(got) == sorted({f"R{a}{b}{c}{d}" for a in "AB" for b in "AB" for c in "AB"
                                  for d in "AB"})  # fmt: skip
    with pytest.raises(Conflict, match="small is exhausted"):
        allocate(app.store, "small", 1, actor=operator)
    warnings = _rows(app, "SELECT type FROM events WHERE subject = 'pool:small'")
    assert ("pool-guessable",) in warnings and ("pool-exhausted",) in warnings


def test_low_water_mark_warns_once(app: App, admin: Actor, operator: Actor) -> None:
    save_pool(app.store, PoolSpec("lw", "custom", pattern="L{seq:03}", range_start=1,
                                  range_end=100, low_water=10), admin)  # fmt: skip
    allocate(app.store, "lw", 89, actor=operator)
    assert not _rows(app, "SELECT 1 FROM events WHERE type = 'pool-low-water'")
    allocate(app.store, "lw", 2, actor=operator)
    allocate(app.store, "lw", 2, actor=operator)
    assert len(_rows(app, "SELECT 1 FROM events WHERE type = 'pool-low-water'")) == 1
    assert get_pool(app.store, "lw", operator).low


def test_read_only_client_cannot_allocate(app: App) -> None:
    reader = Actor(name="wms", kind="client", scopes=frozenset({"read"}))
    with pytest.raises(Forbidden, match="scope"):
        allocate(app.store, "demo-units", 1, actor=reader)


def test_count_must_be_positive(app: App, operator: Actor) -> None:
    with pytest.raises(InvalidInput, match="count"):
        allocate(app.store, "demo-units", 0, actor=operator)
