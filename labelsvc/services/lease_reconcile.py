"""At the authority: apply what sites report about their leased serials, and returns.

A ``lease.usage`` report sets each serial's state as its site reported it (only when the
report is newer than the last one applied for that serial), counts use on its lease, and
imports the site's events, so trace and EPCIS here show every site. A ``lease.returned``
report takes back serials that were never used: they are deleted here and wait in a block
of returned values for a later lease. What cannot be right (a serial of another site, one
never leased, a return of a printed one) is refused serial by serial as a discrepancy for
an admin; a refusal never fails the delivery. A report is applied once per envelope id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.leases import BlockOrigin, DiscrepancyKind
from labelsvc.domain.reconcile import ReconcileEvent
from labelsvc.domain.topics import Topic
from labelsvc.services.lease_grant import site_of
from labelsvc.services.supply import receive_block
from labelsvc.store import Store, Tx
from labelsvc.store.lease_reports import AuthorityItem, AuthorityReports, Key, LeaseOwner
from labelsvc.store.leases import LeaseRepo

Mine = Callable[[Key | None], AuthorityItem | None]  # the reporting site's item of a key
VOIDED = "voided"
UNUSED = "allocated"  # the state of a leased serial nobody reported using


@dataclass(frozen=True)
class Applied:
    """What one report did: serials applied, serials refused, or nothing (seen before)."""

    applied: int
    refused: int
    duplicate: bool = False


@dataclass
class _Report:
    """One report being applied: its site, envelope id and the refusals it collects."""

    tx: Tx
    site: str
    message_id: str | None
    refusals: list[tuple[Any, ...]]

    def refuse(self, kind: DiscrepancyKind, key: Key, lease: int | None, detail: str) -> None:
        self.refusals.append((str(kind), self.site, lease, key[0], key[1], detail,
                              self.message_id))  # fmt: skip


def apply_report(store: Store, envelope: dict[str, Any], *, actor: Actor) -> Applied:
    """Apply one outbox envelope a site's dispatcher sent (``lease.usage`` or
    ``lease.returned``); a redelivered one is answered ``duplicate`` and changes nothing."""
    require(actor, "lease")
    topic, data = envelope.get("topic"), envelope.get("data")
    if topic not in (Topic.LEASE_USAGE, Topic.LEASE_RETURNED) or not isinstance(data, dict):
        raise InvalidInput(
            "report-invalid",
            f"A report is a {Topic.LEASE_USAGE} or {Topic.LEASE_RETURNED} envelope with data; "
            f"got topic {topic!r}.",
            field="topic",
        )
    message_id = str(envelope["id"])
    with store.write() as tx:
        site = site_of(tx, actor).name
        LeaseRepo(tx).seen(site)
        seq = data.get("seq") if topic == Topic.LEASE_USAGE else None
        if not AuthorityReports(tx).receive(message_id, site, str(topic), seq):
            return Applied(0, 0, duplicate=True)
        report = _Report(tx, site, message_id, [])
        if topic == Topic.LEASE_USAGE:
            applied = _apply_usage(report, int(seq or 0), data)
        else:
            values = [str(v) for v in data.get("serials") or []]
            lease_id = int(data.get("lease") or 0)
            applied = _apply_return(report, lease_id, values, str(data.get("reason")))
        _finish(report, applied)
        return Applied(applied, len(report.refusals))


def return_serials(
    store: Store, lease_id: int, serials: Sequence[str], *, actor: Actor, reason: str = "on-demand"
) -> Applied:
    """The same return, asked for directly by the lease's site (``POST /leases/{id}/returns``)."""
    require(actor, "lease")
    with store.write() as tx:
        site = site_of(tx, actor).name
        report = _Report(tx, site, None, [])
        applied = _apply_return(report, lease_id, list(serials), reason)
        _finish(report, applied)
        return Applied(applied, len(report.refusals))


def _finish(report: _Report, applied: int) -> None:
    repo = AuthorityReports(report.tx)
    repo.add_discrepancies(report.refusals)
    if report.message_id is not None:
        repo.counted(report.message_id, applied, len(report.refusals))


# -- lease.usage --------------------------------------------------------------------------


def _key(ref: Any) -> Key | None:
    if not isinstance(ref, dict) or "namespace" not in ref or "value" not in ref:
        return None
    return str(ref["namespace"]), str(ref["value"])


def _apply_usage(report: _Report, seq: int, data: dict[str, Any]) -> int:
    """Apply a usage report in a few batched statements; return how many serials applied."""
    repo = AuthorityReports(report.tx)
    serials = [s for s in data.get("serials") or [] if _key(s)]
    events = list(data.get("events") or [])
    keys = {_key(s) for s in serials}
    keys |= {_key(s.get("parent")) for s in serials}
    keys |= {_key(e.get(x)) for e in events for x in ("item", "parent")}
    keys.discard(None)
    found = repo.items(k for k in keys if k)
    owners = repo.owners(i.allocation_id for i in found.values() if i.allocation_id)

    def ours(key: Key | None) -> AuthorityItem | None:
        item = found.get(key) if key else None
        owner = owners.get(item.allocation_id or 0) if item else None
        return item if owner is not None and owner.site == report.site else None

    back = repo.waiting_returned(k for k in (_key(s) for s in serials) if k and k not in found)
    accepted: list[tuple[dict[str, Any], AuthorityItem]] = []
    for s in serials:
        key = _key(s)
        assert key is not None
        item = found.get(key)
        owner = owners.get(item.allocation_id or 0) if item else None
        if item is None and key in back:
            report.refuse(DiscrepancyKind.USED_AFTER_RETURN, key, s.get("lease"),
                          f"{report.site} reported {key[1]} ({s.get('state')}) after it was "
                          "returned; it waits to be leased again.")  # fmt: skip
        elif owner is None:
            report.refuse(DiscrepancyKind.NEVER_LEASED, key, s.get("lease"),
                          f"{report.site} reported {key[1]} ({s.get('state')}), which was "
                          "never leased to any site.")  # fmt: skip
        elif owner.site != report.site:
            report.refuse(DiscrepancyKind.LEASED_ELSEWHERE, key, owner.lease_id,
                          f"{report.site} reported {key[1]} ({s.get('state')}), which is "
                          f"leased to {owner.site} (lease {owner.lease_id}).")  # fmt: skip
        elif item is not None:
            accepted.append((s, item))
    accepted.sort(key=lambda pair: pair[1].id)  # rows locked in one order by every report
    _set_states(report, seq, accepted, owners, ours)
    _import_events(report, events, ours)
    return len(accepted)


def _set_states(report: _Report, seq: int, accepted: list[tuple[dict[str, Any], AuthorityItem]],
                owners: dict[int, LeaseOwner], ours: Mine) -> None:  # fmt: skip
    """Newer reports set item state and nesting; first reports and voids count on leases."""
    repo = AuthorityReports(report.tx)
    before = repo.usage(i.id for _, i in accepted)
    rows, parents, usage = [], [], []
    counts: dict[int, list[int]] = {}
    levels = {i.id: i.level for _, i in accepted}
    for s, item in accepted:
        last = before.get(item.id)
        if last is not None and last[0] >= seq:
            continue
        lease = owners[item.allocation_id or 0].lease_id
        tally = counts.setdefault(lease, [0, 0])
        tally[0] += last is None
        tally[1] += s.get("state") == VOIDED and (last is None or last[1] != VOIDED)
        rows.append((s.get("state") or item.state, s.get("hold"), s.get("level"), s.get("lot"),
                     s.get("expiry"), int(s.get("print_count") or 0), item.id))  # fmt: skip
        levels[item.id] = s.get("level")
        usage.append((item.id, lease, seq, str(s.get("state") or item.state)))
        parents.append((s, item))
    repo.set_items(rows)
    nest = []
    for s, item in parents:
        parent = ours(_key(s.get("parent")))
        fits = parent is not None and _above(levels.get(parent.id, parent.level), s.get("level"))
        nest.append((parent.id if parent is not None and fits else None, item.id))
    repo.set_parents(nest)
    repo.put_usage(usage)
    leases = LeaseRepo(report.tx)
    for lease_id, (used, voided) in sorted(counts.items()):
        if used or voided:
            leases.count_use(lease_id, used=used, voided=voided)


def _above(parent: str | None, child: str | None) -> bool:
    """True when a parent of level ``parent`` may hold a child of level ``child``."""
    rank = {"case": 1, "pallet": 2}
    return rank.get(parent or "", 0) > rank.get(child or "", 0)


def _import_events(report: _Report, events: list[dict[str, Any]], ours: Mine) -> None:
    """The site's events about its accepted serials, once each, as the site recorded them."""
    rows = []
    for e in events:
        item, parent = ours(_key(e.get("item"))), ours(_key(e.get("parent")))
        if item is None and parent is None:
            continue
        station = e.get("station")
        rows.append({
            "type": str(e["type"]), "item_id": item.id if item else None,
            "parent_id": parent.id if parent else None, "subject": None,
            "actor": str(e.get("actor") or report.site),
            "station": f"{report.site}/{station}" if station else report.site,
            "at": str(e["at"]), "details": {**(e.get("details") or {}), "site": report.site},
            "read_point": e.get("read_point"), "biz_location": e.get("biz_location"),
            "tz_offset": e.get("tz_offset"), "batch": e.get("batch"),
            "origin": report.site, "origin_id": int(e["id"]),
        })  # fmt: skip
    AuthorityReports(report.tx).import_events(rows)
    report.tx.events.append(
        ReconcileEvent.USAGE_APPLIED, actor=f"site:{report.site}", subject=f"site:{report.site}",
        details={"message": report.message_id, "events": len(rows),
                 "refused": len(report.refusals)},
    )  # fmt: skip


# -- lease.returned -----------------------------------------------------------------------


def _apply_return(report: _Report, lease_id: int, values: list[str], reason: str) -> int:
    """Take back never-used serials of a lease into a block of returned values."""
    tx, repo = report.tx, AuthorityReports(report.tx)
    lease = LeaseRepo(tx).get(lease_id)
    if lease is None or lease.allocation_id is None or lease.site != report.site:
        kind = (DiscrepancyKind.UNKNOWN_LEASE if lease is None or lease.allocation_id is None
                else DiscrepancyKind.LEASED_ELSEWHERE)  # fmt: skip
        whose = "not a granted lease" if kind == DiscrepancyKind.UNKNOWN_LEASE else "another site's"
        for value in values:
            detail = f"{report.site} returned {value} under lease {lease_id}: {whose}."
            report.refuse(kind, ("", str(value)), lease_id, detail)
        return 0
    pool = tx.pools.get(lease.pool, lock=False)
    if pool is None:
        raise NotFound("pool-not-found", f"There is no serial pool named {lease.pool!r}.")
    namespace = pool.spec.namespace(lease.gtin)
    found = repo.items((namespace, str(v)) for v in values)
    used = repo.usage(i.id for i in found.values())
    again = repo.returned_already(lease.pool, [v for v in values if (namespace, v) not in found])
    back: list[str] = []
    gone: list[int] = []
    for value in dict.fromkeys(str(v) for v in values):
        item = found.get((namespace, value))
        if item is None and value in again:
            continue  # returned before: nothing to do
        if item is None or item.allocation_id != lease.allocation_id:
            report.refuse(DiscrepancyKind.NEVER_LEASED, (namespace, value), lease.id,
                          f"{report.site} returned {value}, which lease {lease.id} never "
                          "granted.")  # fmt: skip
        elif item.state != UNUSED or item.id in used:
            state = used[item.id][1] if item.id in used else item.state
            report.refuse(DiscrepancyKind.RETURN_OF_USED, (namespace, value), lease.id,
                          f"{report.site} returned {value}, which was reported {state}; "
                          "a used serial is never issued again.")  # fmt: skip
        else:
            back.append(value)
            gone.append(item.id)
    if back:
        repo.delete_items(gone)
        receive_block(tx, pool=lease.pool, gtin=lease.gtin, origin=BlockOrigin.RETURNED,
                      reference=f"lease-{lease.id}:{report.message_id or uuid.uuid4()}",
                      values=back, actor=Actor(name=report.site, kind="client"))  # fmt: skip
        LeaseRepo(tx).count_use(lease.id, returned=len(back))
    tx.events.append(
        ReconcileEvent.RETURN_APPLIED, actor=f"site:{report.site}", subject=f"lease:{lease.id}",
        details={"message": report.message_id, "returned": len(back), "reason": reason,
                 "refused": len(report.refusals)},
    )  # fmt: skip
    return len(back)
