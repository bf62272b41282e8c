"""EPCIS 2.0 event query (``GET /epcis/events``) over our events and the captured ones.

Our events come first, in the order they were written, then captured events in the order
they arrived; ``nextPageToken`` says where a page stopped (``o<row id>`` or ``c<id>``). An
EPC's history is read through the item's own index (ours) and ``captured_epcs`` (theirs),
so it costs the same however many events the store holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput
from labelsvc.domain.instants import stored_instant
from labelsvc.gs1.event_hash import CBV, canonical_uri
from labelsvc.services import epcis
from labelsvc.services.app import App
from labelsvc.store import Tx
from labelsvc.store.captured import CapturedFilter
from labelsvc.store.events import EventRow

MAX_PER_PAGE = 1000
SCAN = 2000  # our event rows read per round while filling a page


@dataclass(frozen=True)
class EventQuery:
    """The standard query parameters we answer (lists: any of the values matches)."""

    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    ge_time: str | None = None
    lt_time: str | None = None
    epcs: tuple[str, ...] = ()
    any_epc: bool = False
    read_points: tuple[str, ...] = ()
    biz_locations: tuple[str, ...] = ()
    per_page: int = 30
    token: str | None = None


@dataclass
class Page:
    """One page of events and the token of the next (None: this was the last)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    next_token: str | None = None


def _bare(value: str, vocabulary: str) -> str:
    return value.removeprefix(f"{CBV}{vocabulary}-")


def _matches(event: dict[str, Any], q: EventQuery) -> bool:
    checks = (
        (q.biz_steps, _bare(str(event.get("bizStep", "")), "BizStep")),
        (q.dispositions, _bare(str(event.get("disposition", "")), "Disp")),
        (q.read_points, (event.get("readPoint") or {}).get("id")),
        (q.biz_locations, (event.get("bizLocation") or {}).get("id")),
    )
    return all(not wanted or value in wanted for wanted, value in checks)


def _item_ids(tx: Tx, epcs: tuple[str, ...]) -> list[int]:
    found = []
    for epc in epcs:
        parts = canonical_uri(epc).removeprefix("https://id.gs1.org/").split("/")
        item = None
        if parts[0] == "00" and len(parts) == 2:
            item = tx.items.find("sscc", parts[1])
        elif parts[0] == "01" and len(parts) == 4 and parts[2] == "21":
            item = tx.items.find(f"01:{parts[1]}", unquote(parts[3]))
        if item:
            found.append(item.id)
    return found


def _our_rows(tx: Tx, q: EventQuery, after: int) -> list[EventRow]:
    if q.epcs:
        ids = _item_ids(tx, q.epcs)
        rows = {r.id: r for i in ids for r in tx.events.for_item(i)
                if r.id > after and (q.any_epc or r.item_id == i)}  # fmt: skip
        picked = [rows[k] for k in sorted(rows) if epcis.exported(rows[k])]
        return [r for r in picked if (not q.ge_time or r.at >= q.ge_time)
                and (not q.lt_time or r.at < q.lt_time)][:SCAN]  # fmt: skip
    return tx.events.query(since=q.ge_time, until=q.lt_time,
                           after_id=after, limit=SCAN)  # fmt: skip


def _heads(tx: Tx, rows: list[EventRow], start: int) -> list[EventRow]:
    """Rows of groups not emitted on an earlier page (a batch is emitted with its first row)."""
    batches = {r.batch for r in rows if r.batch}
    first: dict[str, int] = {}
    for r in tx.events.of_batches(b for b in batches if b):
        first[r.batch or ""] = min(first.get(r.batch or "", r.id), r.id)
    return [r for r in rows if not r.batch or first.get(r.batch, r.id) > start]


def _parse_token(token: str | None) -> tuple[str, int]:
    if not token:
        return "o", 0
    if token[:1] in ("o", "c") and token[1:].isdigit():
        return token[0], int(token[1:])
    raise InvalidInput("page-token-invalid", f"{token!r} is not a nextPageToken we gave.",
                       field="nextPageToken")  # fmt: skip


def _key(event: dict[str, Any]) -> str:
    """An event once, and its error declarations (same eventID) each once beside it."""
    return f"{event['eventID']} {json.dumps(event.get('errorDeclaration'), sort_keys=True)}"


def _ours(tx: Tx, q: EventQuery, page: Page, cursor: int) -> int | None:
    """Fill the page from our events; the cursor to go on from, or None when they ran out.
    A group of rows (one event and the declarations it makes) never spans two pages."""
    while len(page.events) < q.per_page:
        rows = _our_rows(tx, q, cursor)
        if not rows:
            return None
        start, seen = cursor, {_key(e) for e in page.events}
        for head, events in epcis.epcis_groups(tx, _heads(tx, rows, start)):
            fresh = [e for e in events if _matches(e, q) and _key(e) not in seen]
            if page.events and len(page.events) + len(fresh) > q.per_page:
                return cursor  # the last group on this page: the next page starts after it
            page.events.extend(fresh)
            seen.update(_key(e) for e in fresh)
            cursor = head
        cursor = rows[-1].id
    return cursor


def query_events(app: App, actor: Actor, q: EventQuery) -> Page:
    """One page of events matching every given parameter."""
    require(actor, "read")
    if not 1 <= q.per_page <= MAX_PER_PAGE:
        raise InvalidInput("per-page-invalid", f"perPage is 1 to {MAX_PER_PAGE}.", field="perPage")
    q = EventQuery(**{**q.__dict__, "ge_time": stored_instant(q.ge_time, "GE_eventTime"),
                      "lt_time": stored_instant(q.lt_time, "LT_eventTime")})  # fmt: skip
    phase, cursor = _parse_token(q.token)
    page = Page()
    with app.store.read() as tx:
        if phase == "o":
            stopped = _ours(tx, q, page, cursor)
            if stopped is not None:
                page.next_token = f"o{stopped}"
                return page
            cursor = 0
        wanted = CapturedFilter(
            biz_steps=[v for s in q.biz_steps for v in (s, f"{CBV}BizStep-{s}")] or None,
            dispositions=[v for s in q.dispositions for v in (s, f"{CBV}Disp-{s}")] or None,
            since=q.ge_time, until=q.lt_time, read_points=list(q.read_points) or None,
            biz_locations=list(q.biz_locations) or None,
            epcs=[canonical_uri(e) for e in q.epcs] or None, any_epc=q.any_epc,
        )  # fmt: skip
        left = q.per_page - len(page.events)
        found = tx.captured.query(wanted, cursor, left + 1)
        page.events.extend(body for _, body in found[:left])
        if len(found) > left:
            page.next_token = f"c{found[left - 1][0]}" if left else f"c{cursor}"
    return page


def query_document(page: Page) -> dict[str, Any]:
    """An EPCISQueryDocument holding one page."""
    return {
        "@context": epcis.CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery",
                                       "resultsBody": {"eventList": page.events}}},
    }  # fmt: skip
