"""Supply: pools whose values came from elsewhere, and the authority granting leases."""

from __future__ import annotations

import pytest
from storekit import rows, scalar

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden
from labelsvc.domain.leases import BlockOrigin
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.allocation import allocate, recover_abandoned
from labelsvc.services.app import App
from labelsvc.services.lease_grant import register_site, request_lease
from labelsvc.services.pools import get_pool, save_pool
from labelsvc.services.supply import receive_block

LISTED = PoolSpec(name="listed", kind="custom", supply="list", description="issued elsewhere")


def _listed(app: App, admin: Actor, values: list[str], reference: str = "file-1") -> None:
    save_pool(app.store, LISTED, admin)
    with app.store.write() as tx:
        receive_block(tx, pool="listed", gtin=None, origin=BlockOrigin.FILE,
                      reference=reference, values=values, actor=admin)  # fmt: skip


def test_a_supplied_pool_issues_its_values_in_order_once_then_says_it_is_used_up(
    app: App, admin: Actor, operator: Actor
) -> None:
    _listed(app, admin, [f"EXT-{n:04}" for n in range(10)])
    first = allocate(app.store, "listed", 4, actor=operator)
    second = allocate(app.store, "listed", 6, actor=operator)
    assert first.serials + second.serials == [f"EXT-{n:04}" for n in range(10)]
    assert get_pool(app.store, "listed", admin).remaining == 0
    with pytest.raises(Conflict) as refused:
        allocate(app.store, "listed", 1, actor=operator)
    assert refused.value.code == "list-exhausted"
    assert "Import the issuer's next list" in refused.value.detail


def test_a_block_with_a_value_already_issued_is_refused_whole(
    app: App, admin: Actor, operator: Actor
) -> None:
    _listed(app, admin, ["A1", "A2"])
    allocate(app.store, "listed", 1, actor=operator)
    with pytest.raises(Conflict) as refused, app.store.write() as tx:
        receive_block(tx, pool="listed", gtin=None, origin=BlockOrigin.FILE,
                      reference="file-2", values=["B1", "A1"], actor=admin)  # fmt: skip
    assert refused.value.code == "serial-duplicate"
    assert scalar(app, "SELECT COUNT(*) FROM supply_blocks") == 1


def test_a_large_supplied_allocation_is_chunked_and_an_abandoned_one_gives_values_back(
    app: App, admin: Actor, operator: Actor
) -> None:
    values = [f"V{n:06}" for n in range(12_000)]
    _listed(app, admin, values)
    result = allocate(app.store, "listed", 11_000, actor=operator)
    assert result.serials == values[:11_000]
    with app.store.write() as tx:  # a pending allocation whose owner died mid-way
        record = tx.pools.add_allocation(
            pool="listed", gtin=None, count=500, idempotency_key=None, actor="user:olga",
            station=None, state="pending", owner="gone-host:1", lease_until="2000-01-01",
            source="supply",
        )  # fmt: skip
        assert tx.supply.take("listed", None, 500, record.id) == 500
        tx.pools.advance("listed", 500, None)
    assert get_pool(app.store, "listed", admin).remaining == 500
    assert recover_abandoned(app.store, admin) == [record.id]
    assert get_pool(app.store, "listed", admin).remaining == 1_000
    rest = allocate(app.store, "listed", 1_000, actor=operator)
    assert rest.serials == values[11_000:]


def test_the_authority_grants_in_full_in_part_or_refuses_and_answers_a_retry_the_same(
    app: App, admin: Actor
) -> None:
    save_pool(app.store, PoolSpec(name="small", kind="custom", pattern="S-{seq}",
                                  range_start=1, range_end=150), admin)  # fmt: skip
    _, token = register_site(app.store, "north", admin)
    north = Actor(name=token.name, kind="client", scopes=frozenset({"lease"}))
    full = request_lease(app.store, actor=north, pool="small", count=100, collection_id="c1")
    assert (full.lease.outcome, full.lease.granted) == ("granted", 100)
    assert full.serials == [f"S-{n}" for n in range(1, 101)]
    again = request_lease(app.store, actor=north, pool="small", count=100, collection_id="c1")
    assert again.serials == full.serials and again.lease.id == full.lease.id
    part = request_lease(app.store, actor=north, pool="small", count=100, collection_id="c2")
    assert (part.lease.outcome, part.lease.granted) == ("partial", 50)
    assert "50 serials left" in (part.lease.reason or "")
    none = request_lease(app.store, actor=north, pool="small", count=1, collection_id="c3")
    assert none.lease.outcome == "refused" and none.serials == []
    # the authority itself can no longer issue a leased serial
    owned = rows(app, "SELECT COUNT(*), COUNT(DISTINCT value) FROM items WHERE pool = 'small'")
    assert owned == [(150, 150)]


def test_only_a_registered_site_may_lease(app: App, admin: Actor) -> None:
    wms = Actor(name="wms", kind="client", scopes=frozenset({"lease"}))
    with pytest.raises(Forbidden) as refused:
        request_lease(app.store, actor=wms, pool="demo-custom", count=1, collection_id="x")
    assert refused.value.code == "not-a-site"


def test_two_threads_asking_for_the_same_large_lease_never_write_it_twice(
    app: App, admin: Actor
) -> None:
    import threading

    _, token = register_site(app.store, "west", admin)
    west = Actor(name=token.name, kind="client", scopes=frozenset({"lease"}))
    outcomes: list[str] = []

    def ask() -> None:
        try:
            answer = request_lease(app.store, actor=west, pool="demo-custom", count=30_000,
                                   collection_id="same")  # fmt: skip
            outcomes.append(answer.lease.outcome)
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "granted" in outcomes
    assert set(outcomes) <= {"granted", "allocation-in-progress", "integrity-conflict"}
    assert rows(app, "SELECT outcome, granted FROM leases") == [("granted", 30_000)]
    assert scalar(app, "SELECT COUNT(*) FROM items WHERE pool = 'demo-custom'") == 30_000
