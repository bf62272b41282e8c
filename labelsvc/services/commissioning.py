"""Every new serial is commissioned in EPCIS once, when its first label is printed.

Whichever path printed it (CLI, API, pages, receiving, packing), the print worker settles
the job through :func:`commission_first_labels`, and receiving calls :func:`commission`
when it labels units on the spot. ``epcis_commissions`` has one row per item, so a serial
is commissioned once even when two paths race. The event carries the lot master data of
that moment (lot, expiry, the other AIs), so its ILMD never changes later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from labelsvc.store import Tx
from labelsvc.store.items import Item
from labelsvc.store.jobs import Job

COMMISSIONED = "commissioned"


def commission(
    tx: Tx, items: Iterable[Item], *, actor: str, station: str | None,
    details: dict[str, Any] | None = None,
) -> list[int]:  # fmt: skip
    """Commission the items not commissioned before (one event per lot, expiry and AIs);
    return their ids. A container's SSCC is commissioned when it opens, so it only counts."""
    wanted = list(items)
    fresh = set(tx.identity.commission([i.id for i in wanted]))
    groups: dict[str, list[int]] = {}
    for item in wanted:
        if item.id not in fresh or (item.kind == "sscc" and tx.containers.get(item.id)):
            continue
        ilmd = {"lot": item.lot, "expiry": item.expiry, "ais": tx.items.extra_ais(item.id)}
        groups.setdefault(json.dumps(ilmd, sort_keys=True), []).append(item.id)
    for key, ids in groups.items():
        ilmd = {k: v for k, v in json.loads(key).items() if v}
        tx.events.append_many(COMMISSIONED, ids, actor=actor, station=station,
                              details={**ilmd, **(details or {})})  # fmt: skip
    return sorted(fresh)


def commission_first_labels(
    tx: Tx, job: Job, actor: str, item_ids: list[int] | None = None
) -> list[int]:
    """Before a job counts its labels: commission the items this is the first label of
    (``item_ids``: the ones the printer confirmed; None: all of the job's)."""
    confirmed = job.item_ids if item_ids is None else item_ids
    if job.reprint or not confirmed:
        return []
    first = [i for i in tx.items.by_ids(confirmed) if i.print_count == 0]
    return commission(tx, first, actor=actor, station=job.station, details={"job": job.id})
