"""Cycle counts by serial: a bin or a container is counted by scanning what is there.

Opening a count takes what the record expects (a bin's loose items and top containers, or
a container's children). Each scan counts a serial once; a serial not expected is
``extra``, or ``wrong-place`` when the record has it elsewhere. In blind mode the counter
is never shown the expected list nor whether a scan matched. Closing shows the differences;
a supervisor resolves each one, as an event (and, when the count is taken as right, the
record of where the item is changes with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.locations import CountState, Difference, LocationEvent, Resolution, difference
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App
from labelsvc.services.flow_views import need_item
from labelsvc.services.locations import find_location, sgln_of
from labelsvc.services.lookup import describe
from labelsvc.services.putaway import location_details, place_tree
from labelsvc.store import Tx
from labelsvc.store.counts import CountLine, CountRepo, CountRow
from labelsvc.store.items import Item
from labelsvc.store.locations import Location, LocationRepo

BIZ_STEP = "cycle_counting"


@dataclass(frozen=True)
class CountLineView:
    """One serial of a count as the supervisor sees it."""

    item: str
    difference: str
    recorded: str | None  # the location code the record had, if any
    resolution: str | None


@dataclass(frozen=True)
class CountView:
    """A count; ``lines`` is None while a blind count is open (the counter sees no list)."""

    id: int
    target: str
    blind: bool
    state: str
    counted: int
    expected: int | None
    lines: tuple[CountLineView, ...] | None

    @property
    def differences(self) -> tuple[CountLineView, ...]:
        """The lines that do not match, empty while hidden."""
        return tuple(ln for ln in self.lines or () if ln.difference != Difference.MATCH)


@dataclass(frozen=True)
class CountScan:
    """The answer to one count scan (``difference`` None in blind mode)."""

    count_id: int
    item: str
    counted: int
    difference: str | None
    detail: str


def _need_count(tx: Tx, count_id: int) -> CountRow:
    row = CountRepo(tx).get(count_id)
    if row is None:
        raise NotFound("count-not-found", f"There is no count #{count_id}.")
    return row


def _target(tx: Tx, row: CountRow) -> tuple[str, Location | None]:
    if row.location_id:
        found = LocationRepo(tx).by_id(row.location_id)
        assert found is not None
        return found.code, found
    item = tx.items.get(row.container_id or 0)
    return (describe(item) if item else "?"), None


def start_count(
    app: App, target: str, *, actor: Actor, blind: bool = False, station: str | None = None
) -> CountView:
    """Open a count of a bin (by its code or label) or of a container (by its scan)."""
    require(actor, "count")
    station = station or actor.station
    with app.store.write() as tx:
        repo, places = CountRepo(tx), LocationRepo(tx)
        location = find_location(tx, app, target)
        if location is not None:
            ids = places.top_level(location.id)
            expected = [(i, location.id) for i in ids]
            count_id = repo.open(
                location_id=location.id,
                container_id=None,
                blind=blind,
                station=station,
                by=actor.label,
                expected=expected,
            )
        else:
            container = need_item(tx, app, target)
            if tx.containers.get(container.id) is None:
                raise NotFound("count-target", f"{target!r} is neither a location nor a container.")
            ids = [c.id for c in tx.containers.children(container.id)]
            where = places.of_items(ids)
            count_id = repo.open(
                location_id=None,
                container_id=container.id,
                blind=blind,
                station=station,
                by=actor.label,
                expected=[(i, where.get(i)) for i in ids],
            )
        name, _ = _target(tx, _need_count(tx, count_id))
        tx.events.append(
            LocationEvent.COUNT_STARTED,
            actor=actor.label,
            station=station,
            subject=f"count:{count_id}",
            details={"target": name, "blind": blind, "expected": len(ids)},
        )
        return _view(tx, _need_count(tx, count_id), reveal=not blind)


def count_scan(
    app: App, count_id: int, scan: str, *, actor: Actor, station: str | None = None
) -> CountScan:
    """Count one scanned serial (once); an unexpected one is extra or in the wrong place."""
    require(actor, "count")
    station = station or actor.station
    with app.store.write() as tx:
        row = _need_count(tx, count_id)
        if row.state != CountState.OPEN:
            raise Conflict("count-closed", f"Count #{count_id} is closed.")
        repo, places = CountRepo(tx), LocationRepo(tx)
        item = need_item(tx, app, scan)
        name = describe(item)
        _refuse_contents(tx, row, item)
        recorded = places.of_item(item.id)
        if not repo.mark_found(count_id, item.id, actor.label) and not repo.add_found(
            count_id, item.id, recorded.id if recorded else None, actor.label
        ):
            raise Conflict("already-counted", f"{name} was counted already in this count.")
        line = next(ln for ln in repo.lines(count_id) if ln.item_id == item.id)
        diff = _difference(row, line, item.parent_id)
        target, location = _target(tx, row)
        extra = {"count": count_id, "target": target, "found": diff}
        details = (
            location_details(location, BIZ_STEP, **extra)
            if location
            else {"biz_step": BIZ_STEP, **extra}
        )
        tx.events.append(
            LocationEvent.COUNTED,
            actor=actor.label,
            station=station,
            item_id=item.id,
            details=details,
        )
        counted = sum(1 for ln in repo.lines(count_id) if ln.found)
        shown = None if row.blind else str(diff)
        detail = f"{name} counted ({counted})." + (
            "" if row.blind or diff == "match" else f" {_DIFF_TEXT[diff]}"
        )
        return CountScan(count_id, name, counted, shown, detail)


def _refuse_contents(tx: Tx, row: CountRow, item: Item) -> None:
    """A bin count counts its containers whole: a unit in a counted case is not a line."""
    if not row.location_id or item.parent_id is None:
        return
    listed = {ln.item_id for ln in CountRepo(tx).lines(row.id)}
    outer = next((a for a in tx.containers.ancestors(item.id) if a.id in listed), None)
    if outer is not None:
        raise Conflict(
            "count-the-container",
            f"{describe(item)} is in {describe(outer)}, which this count counts: scan "
            f"{describe(outer)} instead.",
        )


_DIFF_TEXT = {
    Difference.EXTRA: "Not expected here: set it aside for the supervisor.",
    Difference.WRONG_PLACE: "Recorded in another place: set it aside for the supervisor.",
    Difference.MISSING: "Missing.",
}


def _difference(row: CountRow, line: CountLine, parent_id: int | None) -> Difference:
    if row.location_id:
        elsewhere = line.recorded_location_id not in (None, row.location_id)
    else:
        elsewhere = parent_id not in (None, row.container_id)
    return difference(line.expected, line.found, elsewhere)


def _view(tx: Tx, row: CountRow, *, reveal: bool) -> CountView:
    lines = CountRepo(tx).lines(row.id)
    target, _ = _target(tx, row)
    shown: tuple[CountLineView, ...] | None = None
    if reveal:
        items = {i.id: i for i in tx.items.by_ids([ln.item_id for ln in lines])}
        codes = {loc.id: loc.code for loc in LocationRepo(tx).all()}
        shown = tuple(
            CountLineView(
                describe(items[ln.item_id]),
                str(_difference(row, ln, items[ln.item_id].parent_id)),
                codes.get(ln.recorded_location_id or 0),
                ln.resolution,
            )
            for ln in lines
        )
    return CountView(
        id=row.id,
        target=target,
        blind=row.blind,
        state=row.state,
        counted=sum(1 for ln in lines if ln.found),
        expected=sum(1 for ln in lines if ln.expected) if reveal else None,
        lines=shown,
    )


def get_count(app: App, count_id: int, *, actor: Actor) -> CountView:
    """A count; a blind one shows its lines only once closed, or to a supervisor."""
    require(actor, "count")
    with app.store.read() as tx:
        row = _need_count(tx, count_id)
        reveal = not row.blind or row.state == CountState.CLOSED or actor.may("override")
        return _view(tx, row, reveal=reveal)


def close_count(app: App, count_id: int, *, actor: Actor) -> CountView:
    """Close a count: what was not scanned is missing; the differences are shown."""
    require(actor, "count")
    with app.store.write() as tx:
        row = _need_count(tx, count_id)
        if not CountRepo(tx).close(count_id, actor.label):
            raise Conflict("count-closed", f"Count #{count_id} is closed already.")
        view = _view(tx, _need_count(tx, count_id), reveal=True)
        tally = {str(d): 0 for d in Difference}
        for ln in view.lines or ():
            tally[ln.difference] += 1
        tx.events.append(
            LocationEvent.COUNT_CLOSED,
            actor=actor.label,
            station=row.station,
            subject=f"count:{count_id}",
            details={"target": view.target, **tally},
        )
        tx.outbox.add(
            Topic.COUNT_CLOSED,
            {"count": count_id, "target": view.target, **tally},
            subject=f"count:{count_id}",
        )
        return view


def resolve_difference(
    app: App,
    count_id: int,
    scan: str,
    resolution: str,
    *,
    actor: Actor,
    reason: str | None = None,
) -> CountView:
    """A supervisor settles one difference of a closed count.

    ``accept-found`` takes the count as right: a missing item's location is cleared, an
    extra or misplaced one is put in the counted bin. ``keep-record`` changes nothing.
    """
    require(actor, "override")
    if resolution not in set(Resolution):
        raise InvalidInput(
            "resolution-invalid",
            f"resolution must be one of {', '.join(Resolution)}, not {resolution!r}.",
        )
    with app.store.write() as tx:
        row = _need_count(tx, count_id)
        if row.state != CountState.CLOSED:
            raise Conflict("count-open", f"Count #{count_id} must be closed before resolving.")
        item = need_item(tx, app, scan)
        line = next((ln for ln in CountRepo(tx).lines(count_id) if ln.item_id == item.id), None)
        diff = _difference(row, line, item.parent_id) if line else Difference.MATCH
        if line is None or diff == Difference.MATCH:
            raise Conflict("nothing-to-resolve", f"{describe(item)} shows no difference here.")
        if not CountRepo(tx).resolve(count_id, item.id, resolution, actor.label):
            raise Conflict("already-resolved", f"{describe(item)} was resolved already.")
        _apply(tx, row, item.id, diff, Resolution(resolution), actor, reason)
        return _view(tx, row, reveal=True)


def _apply(
    tx: Tx,
    row: CountRow,
    item_id: int,
    diff: Difference,
    resolution: Resolution,
    actor: Actor,
    reason: str | None,
) -> None:
    """Record the resolution as an event; with ``accept-found`` change the record."""
    item = tx.items.get(item_id)
    assert item is not None
    target, location = _target(tx, row)
    details = {
        "count": row.id,
        "target": target,
        "difference": str(diff),
        "resolution": str(resolution),
        **({"reason": reason} if reason else {}),
    }
    if resolution == Resolution.ACCEPT_FOUND and location is not None:
        if diff == Difference.MISSING:
            ids = [item.id, *(d.id for d in tx.containers.descendants(item.id))]
            LocationRepo(tx).remove(ids)
            details["from"] = target
            sgln = sgln_of(location)
            if sgln:  # seen missing there: the read point; it is no longer at a location
                details["read_point"] = sgln
        else:
            place_tree(
                tx,
                item,
                location,
                actor=actor.label,
                station=row.station,
                event=LocationEvent.COUNT_RESOLVED,
                **details,
            )
            return
    tx.events.append(
        LocationEvent.COUNT_RESOLVED,
        actor=actor.label,
        station=row.station,
        item_id=item.id,
        details=details,
    )


def inventory_lines(
    tx: Tx, since: str | None, until: str | None
) -> list[tuple[CountRow, int, int]]:
    """(count, lines, matching lines) of the counts closed in ``[since, until)``."""
    repo = CountRepo(tx)
    found = []
    for row in repo.closed_between(since, until):
        lines = repo.lines(row.id)
        matched = sum(1 for ln in lines if ln.expected and ln.found)
        found.append((row, len(lines), matched))
    return found
