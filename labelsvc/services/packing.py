"""Packing: open cases and pallets, add and remove by scan, close (the label prints).

Every function takes the app, scans as typed, and the actor; it checks the actor's
permission, runs in one ``BEGIN IMMEDIATE`` transaction that appends an event per change,
and wakes the printers only after the commit. Two packing stations adding the same unit
at once are serialized by the write lock and the guarded ``parent_id`` update: the second
gets ``in-another-container`` naming the case that holds the unit.
"""

from __future__ import annotations

from typing import Literal

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.lifecycle import pack_refusal, state_after_unpack
from labelsvc.domain.nesting import add_refusal, capacity_for, close_refusal, is_early, nest_refusal
from labelsvc.services import labeling, order_hooks, outbound, scan_once
from labelsvc.services.allocation import allocate_in
from labelsvc.services.app import App
from labelsvc.services.flow_views import (
    ContainerView,
    ItemView,
    container_view,
    need_container,
    need_item,
    refuse,
    view_of,
)
from labelsvc.services.lookup import describe, extra_ais, scan_of
from labelsvc.services.putaway import follow_container
from labelsvc.store import Tx
from labelsvc.store.containers import ContainerRow
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.items import Item

Level = Literal["case", "pallet"]


def default_sscc_pool(tx: Tx, pool: str | None = None) -> str:
    """The SSCC pool to draw from: the one named, else the first active SSCC pool by name."""
    if pool:
        return pool
    for row in tx.pools.all():
        if row.spec.kind == "sscc" and row.spec.state == "active":
            return row.spec.name
    raise NotFound("sscc-pool-missing", "No active SSCC pool exists; ask an admin to add one.")


def open_container(
    app: App, level: Level, *, actor: Actor, gtin: str | None = None, pool: str | None = None,
    station: str | None = None, scan_id: str | None = None,
) -> ContainerView:  # fmt: skip
    """Open a case or pallet with a new SSCC; its capacity comes from the product.

    Without ``gtin`` the product (and capacity) is fixed by the first thing added. With
    ``scan_id`` (a scanned OPEN command) a repeat raises the first outcome instead.
    """
    require(actor, "pack")
    station = station or actor.station
    with app.store.write() as tx:
        scan_once.claim(tx, scan_id, page="packing", code=f"OPEN {level}", actor=actor.label,
                        station=station)  # fmt: skip
        capacity = None
        if gtin:
            product = tx.products.get(gtin)
            if product is None:
                raise NotFound("product-not-found", f"No product has GTIN {gtin}.")
            capacity = capacity_for(level, product.units_per_case, product.cases_per_pallet)
        allocation = allocate_in(tx, default_sscc_pool(tx, pool), 1, actor=actor, station=station)
        row = tx.containers.create(
            allocation.first_item_id, level=level, capacity=capacity, gtin=gtin,
            station=station, opened_by=actor.label,
        )  # fmt: skip
        tx.events.append(
            "container-opened", actor=actor.label, station=station, item_id=row.item_id,
            details={"level": level, "capacity": capacity, "gtin": gtin},
        )  # fmt: skip
        view = container_view(tx, row)
        scan_once.finish(tx, scan_id, ok=True, outcome="opened", detail=opened_detail(view),
                         subject=view.sscc)  # fmt: skip
        return view


def opened_detail(view: ContainerView) -> str:
    """What the operator reads when a container was opened."""
    return f"{view.level.title()} SSCC {view.sscc} opened; scan what goes in."


def packed_detail(view: ContainerView) -> str:
    """What the operator reads when an item went in: the count, and whether it is full."""
    full = view.capacity is not None and view.count >= view.capacity
    of = f" of {view.capacity}" if view.capacity else ""
    return f"Packed into SSCC {view.sscc}: {view.count}{of}.{' Full: close it.' if full else ''}"


def closed_detail(view: ContainerView) -> str:
    """What the operator reads when a container closed and its label was queued."""
    jobs = ", ".join(f"#{j}" for j in view.job_ids)
    return (
        f"{view.level.title()} SSCC {view.sscc} closed with {view.count}; "
        f"its label is queued (job {jobs})."
    )


def open_case(app: App, *, actor: Actor, gtin: str | None = None, pool: str | None = None,
              station: str | None = None) -> ContainerView:  # fmt: skip
    """Open a case (capacity: the product's units per case)."""
    return open_container(app, "case", actor=actor, gtin=gtin, pool=pool, station=station)


def open_pallet(app: App, *, actor: Actor, gtin: str | None = None, pool: str | None = None,
                station: str | None = None) -> ContainerView:  # fmt: skip
    """Open a pallet (capacity: the product's cases per pallet)."""
    return open_container(app, "pallet", actor=actor, gtin=gtin, pool=pool, station=station)


def get_container(app: App, scan: str, *, actor: Actor) -> ContainerView:
    """A container by its scan, with its count."""
    require(actor, "read")
    with app.store.read() as tx:
        _, row = need_container(tx, app, scan)
        return container_view(tx, row)


def list_open_containers(
    app: App, *, actor: Actor, station: str | None = None
) -> list[ContainerView]:
    """Containers still open (at one station, if named)."""
    require(actor, "read")
    with app.store.read() as tx:
        return [container_view(tx, r) for r in tx.containers.open_containers(station)]


def add_to_container(
    app: App, container: str, child: str, *, actor: Actor, station: str | None = None,
    move: bool = False, reason: str | None = None, entry: str | None = None,
    scan_id: str | None = None,
) -> ContainerView:  # fmt: skip
    """Put a scanned unit (or closed case) into an open container.

    ``entry`` says how the code arrived (``scan`` or ``typed``); the dashboard's scan
    compliance counts it. With ``move`` a child already in another open container is taken
    out of it first (re-pack, one ``unpacked`` and one ``packed`` event naming both parents);
    without it, such a child is refused with ``in-another-container`` naming its container.
    """
    require(actor, "pack")
    station = station or actor.station
    with app.store.write() as tx:
        scan_once.claim(tx, scan_id, page="packing", code=child, actor=actor.label,
                        station=station)  # fmt: skip
        parent, row = need_container(tx, app, container)
        item = need_item(tx, app, child)
        _check_add(tx, app, parent, row, item)
        previous = _take_out_for_move(tx, item, actor, station, parent, reason) if move else None
        if item.parent_id is not None and previous is None:
            _refuse_held(tx, item, parent)
        _fix_product(tx, row, item)
        extra = extra_ais(scan_of(child, app.settings))  # need_item parsed it already
        tx.items.set_extra_ais(item.id, extra)
        try:
            attached = tx.containers.attach(item.id, parent.id)
        except IntegrityViolation as exc:  # the levels trigger: the last word on cycles
            raise Conflict(
                "nest-level", f"{describe(item)} cannot go into {describe(parent)}."
            ) from exc
        if not attached:
            fresh = tx.items.get(item.id)
            assert fresh is not None
            _refuse_held(tx, fresh, parent)
        tx.events.append(
            "packed", actor=actor.label, station=station, item_id=item.id, parent_id=parent.id,
            details={"from": previous and describe(previous), "to": describe(parent),
                     **({"reason": reason} if reason else {}),
                     **({"entry": entry} if entry else {}),
                     **({"ais": extra} if extra else {})},
        )  # fmt: skip
        follow_container(tx, item, parent, actor=actor.label, station=station)
        fresh_row = tx.containers.get(parent.id)  # the first unit may have set the capacity
        view = container_view(tx, fresh_row or row)
        scan_once.finish(tx, scan_id, ok=True, outcome="packed", detail=packed_detail(view),
                         subject=view.sscc)  # fmt: skip
        return view


def _check_add(tx: Tx, app: App, parent: Item, row: ContainerRow, item: Item) -> None:
    """Every rule for putting ``item`` into ``parent``, each refusal with its reason."""
    name, pname = describe(item), describe(parent)
    if item.id == parent.id:
        raise InvalidInput("nest-self", f"{pname} cannot go into itself.")
    found = pack_refusal(name, item.state, item.hold) or pack_refusal(
        pname, parent.state, parent.hold
    )
    found = found or nest_refusal(
        name, item.level, pname, row.level,
        loose_units_on_pallets=app.settings.packing.loose_units_on_pallets,
    )  # fmt: skip
    if found:
        refuse(found)
    if item.parent_id == parent.id:
        raise Conflict("already-in-container", f"{name} is in {pname} already.")
    child_row = tx.containers.get(item.id)
    if child_row is not None and child_row.state == "open":
        raise Conflict("container-open", f"{name} is still open; close it before stacking it.")
    if row.gtin and item.kind == "unit" and row.level == "case" and item.gtin != row.gtin:
        raise Conflict(
            "wrong-product", f"{name} is GTIN {item.gtin}; {pname} holds GTIN {row.gtin}."
        )
    full = add_refusal(pname, row.state, tx.containers.child_count(parent.id), row.capacity)
    if full:
        refuse(full)
    order_hooks.check_pack(tx, item, parent)


def _refuse_held(tx: Tx, item: Item, wanted: Item) -> None:
    holder = tx.items.get(item.parent_id or 0)
    holder_name = describe(holder) if holder else "another container"
    raise Conflict(
        "in-another-container",
        f"{describe(item)} is in {holder_name} already; take it out there first "
        f"(or move it) before adding it to {describe(wanted)}.",
        container=holder.value if holder else None,
    )


def _fix_product(tx: Tx, row: ContainerRow, item: Item) -> None:
    """The first thing in a container without a product fixes its product and capacity."""
    gtin = item.gtin if item.kind == "unit" else (tx.containers.get(item.id) or row).gtin
    if row.gtin or not gtin:
        return
    product = tx.products.get(gtin)
    capacity = None
    if product is not None:
        capacity = capacity_for(row.level, product.units_per_case, product.cases_per_pallet)
    tx.containers.set_product(row.item_id, gtin, capacity)


def _take_out_for_move(
    tx: Tx, item: Item, actor: Actor, station: str | None, to: Item, reason: str | None
) -> Item | None:
    """Detach ``item`` from its open parent for a re-pack; return the old parent."""
    if item.parent_id is None:
        return None
    old, old_row = _parent_of(tx, item)
    _detach(tx, item, old, old_row, actor, station, to=to, reason=reason)
    return old


def _parent_of(tx: Tx, item: Item) -> tuple[Item, ContainerRow]:
    parent = tx.items.get(item.parent_id or 0)
    row = tx.containers.get(parent.id) if parent else None
    if parent is None or row is None:
        raise Conflict("not-in-container", f"{describe(item)} is not in a container here.")
    return parent, row


def _detach(
    tx: Tx, item: Item, parent: Item, row: ContainerRow, actor: Actor, station: str | None,
    *, to: Item | None = None, reason: str | None = None,
) -> None:  # fmt: skip
    """Take ``item`` out of ``parent`` (open) and record where it came from and went."""
    if row.state != "open":
        raise Conflict(
            "container-closed",
            f"{describe(parent)} is closed; a supervisor must reopen it before anything is "
            "taken out.",
        )
    if not tx.containers.detach(item.id, parent.id, state_after_unpack(item.state)):
        raise Conflict("not-in-container", f"{describe(item)} is not in {describe(parent)}.")
    tx.events.append(
        "unpacked", actor=actor.label, station=station, item_id=item.id, parent_id=parent.id,
        details={"from": describe(parent), "to": to and describe(to),
                 **({"reason": reason} if reason else {})},
    )  # fmt: skip


def remove_from_container(
    app: App, child: str, *, actor: Actor, station: str | None = None, reason: str | None = None
) -> ContainerView:
    """Take a scanned item out of its (open) container; returns that container."""
    require(actor, "pack")
    station = station or actor.station
    with app.store.write() as tx:
        item = need_item(tx, app, child)
        if item.state == "shipped":
            raise Conflict("item-shipped", f"{describe(item)} was shipped; unship it first.")
        parent, row = _parent_of(tx, item)
        _detach(tx, item, parent, row, actor, station, reason=reason)
        return container_view(tx, row)


def close_container(
    app: App, container: str, *, actor: Actor, reason: str | None = None,
    station: str | None = None, printer: str | None = None, template: str | None = None,
    scan_id: str | None = None,
) -> ContainerView:  # fmt: skip
    """Close a case or pallet and queue its SSCC label; closing early needs a reason.

    With ``scan_id`` (a scanned CLOSE) a repeat raises the first outcome: no second label.
    """
    require(actor, "pack")
    station = station or actor.station
    with app.store.write() as tx:
        scan_once.claim(tx, scan_id, page="packing", code="CLOSE", actor=actor.label,
                        station=station)  # fmt: skip
        parent, row = need_container(tx, app, container)
        count = tx.containers.child_count(parent.id)
        found = close_refusal(describe(parent), row.state, count, row.capacity, reason)
        if found:
            refuse(found, count=count, capacity=row.capacity)
        if not tx.containers.close(parent.id, by=actor.label, reason=reason):
            raise Conflict("container-closed", f"{describe(parent)} is closed already.")
        tx.events.append(
            "container-closed", actor=actor.label, station=station, item_id=parent.id,
            details={"count": count, "capacity": row.capacity,
                     "early": is_early(count, row.capacity),
                     **({"reason": reason} if reason else {})},
        )  # fmt: skip
        fresh = tx.items.get(parent.id)
        assert fresh is not None
        outbound.container_closed(tx, fresh, count=count, capacity=row.capacity,
                                  by=actor.label, reason=reason)  # fmt: skip
        jobs = labeling.enqueue_item_labels(
            tx, app, [fresh], actor=actor, station=station, template=template, printer=printer
        )
        closed = tx.containers.get(parent.id)
        assert closed is not None
        view = container_view(tx, closed, jobs)
        scan_once.finish(tx, scan_id, ok=True, outcome="closed", detail=closed_detail(view),
                         subject=view.sscc)  # fmt: skip
    labeling.wake_printers(app, printer)
    return view


def reopen_container(
    app: App, container: str, *, actor: Actor, reason: str, station: str | None = None
) -> ContainerView:
    """Open a closed container again (supervisor, with a reason)."""
    require(actor, "override")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the container is reopened.", field="reason")
    with app.store.write() as tx:
        parent, row = need_container(tx, app, container)
        _reopen(tx, parent, actor, station or actor.station, reason)
        fresh = tx.containers.get(row.item_id)
        assert fresh is not None
        return container_view(tx, fresh)


def _reopen(tx: Tx, parent: Item, actor: Actor, station: str | None, reason: str) -> None:
    if parent.state == "shipped":
        raise Conflict("item-shipped", f"{describe(parent)} was shipped; unship it first.")
    if not tx.containers.reopen(parent.id):
        raise Conflict("container-open", f"{describe(parent)} is open already.")
    tx.events.append(
        "container-reopened", actor=actor.label, station=station, item_id=parent.id,
        details={"reason": reason},
    )  # fmt: skip


def unpack_container(
    app: App, container: str, *, actor: Actor, reason: str, station: str | None = None
) -> list[ItemView]:
    """Empty a container: every child comes out with an ``unpacked`` event.

    A closed container is reopened first, which needs a supervisor. Returns the children.
    """
    require(actor, "pack")
    if not reason.strip():
        raise InvalidInput("reason-required", "Say why the container is unpacked.", field="reason")
    station = station or actor.station
    with app.store.write() as tx:
        parent, row = need_container(tx, app, container)
        if row.state == "closed":
            require(actor, "override")
            _reopen(tx, parent, actor, station, reason)
            row = tx.containers.get(parent.id) or row
        children = tx.containers.children(parent.id)
        for child in children:
            _detach(tx, child, parent, row, actor, station, reason=reason)
        return [view_of(tx, c) for c in tx.items.by_ids([c.id for c in children])]
