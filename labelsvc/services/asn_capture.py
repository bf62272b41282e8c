"""A supplier's captured shipping event is an ASN with its expected hierarchy.

A captured ObjectEvent with bizStep ``shipping`` and a ``desadv`` business transaction
becomes a receipt (reference: the despatch advice number) whose lines list every unit the
captured aggregation puts under its pallets and cases. A pre-labelled pallet is then
received by scanning its SSCC alone (:func:`receive_container`): the pallet, its cases and
their units are received as the aggregation says. Any scan on such a receipt of an item the
shipment does not hold is refused with the reason (:func:`foreign_refusal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.receipts import Outcome
from labelsvc.gs1.event_hash import canonical_uri, dl_escape
from labelsvc.services.app import App
from labelsvc.services.epcis import epc_escape
from labelsvc.services.receipt_files import LineSpec, ReceiptSpec
from labelsvc.services.receipt_identity import Identity
from labelsvc.store import Tx
from labelsvc.store.captured import Captured
from labelsvc.store.items import Item

if TYPE_CHECKING:
    from labelsvc.services.receiving import ScanResult

DL = "https://id.gs1.org/"
FOREIGN = "foreign"  # the outcome code of a scan the captured shipment does not hold
WRONG_CONTAINER = "not-in-that-container"  # held by the shipment, but under another parent


def _is(value: Any, term: str, vocabulary: str) -> bool:
    text = str(value or "")
    return text in (term, f"https://ref.gs1.org/cbv/{vocabulary}-{term}",
                    f"urn:epcglobal:cbv:{vocabulary.lower()}:{term}")  # fmt: skip


def _reference(event: dict[str, Any]) -> str | None:
    for bt in event.get("bizTransactionList", []):
        if _is(bt.get("type"), "desadv", "BTT"):
            return str(bt["bizTransaction"]).rsplit(":", 1)[-1].rsplit("/", 1)[-1] or None
    return None


def children(tx: Tx, parent: str) -> list[str]:
    """What the captured aggregation holds under ``parent`` now (latest event wins)."""
    latest: dict[str, str] = {}
    for child, body in tx.captured.aggregation_of(parent):
        latest.setdefault(child, str(body.get("action")))
    return sorted(c for c, action in latest.items() if action != "DELETE" and c != parent)


def tree(tx: Tx, root: str) -> list[tuple[str, str | None]]:
    """(epc, parent) for ``root`` and everything under it, top down."""
    out: list[tuple[str, str | None]] = [(root, None)]
    index = 0
    while index < len(out):
        epc = out[index][0]
        out.extend((c, epc) for c in children(tx, epc) if all(c != e for e, _ in out))
        index += 1
    return out


def _spec(
    tx: Tx, reference: str, supplier: str, roots: Sequence[str]
) -> tuple[ReceiptSpec, set[str]]:
    members = {epc for root in roots for epc, _ in tree(tx, root)}
    serials: dict[str, list[str]] = {}
    ssccs = []
    for epc in sorted(members):
        parts = epc[len(DL) :].split("/")
        if parts[0] == "00":
            ssccs.append(parts[1])
        elif parts[0] == "01" and len(parts) >= 4 and parts[2] == "21":
            serials.setdefault(parts[1], []).append(unquote(parts[3]))
    lines = tuple(LineSpec(n, len(s), gtin=g, serials=tuple(s))
                  for n, (g, s) in enumerate(sorted(serials.items()), 1))  # fmt: skip
    return ReceiptSpec(reference, "asn", supplier, lines, tuple(ssccs)), members


def _supplier(tx: Tx, event: dict[str, Any]) -> str:
    for source in event.get("sourceList", []):
        if _is(source.get("type"), "owning_party", "SDT"):
            party = canonical_uri(str(source.get("source")))
            gln = party.rsplit("/", 1)[-1]
            named = [p.name for p in tx.identity.partners() if p.gln == gln]
            return named[0] if named else gln
    return ""


def receipts_from(tx: Tx, actor: Actor, job: int, events: Sequence[Captured]) -> list[str]:
    """Receipts for the captured shipping events that name a despatch advice."""
    from labelsvc.services.receiving import load_receipt_in

    made = []
    for e in events:
        reference = _reference(e.body)
        if (
            e.event_type != "ObjectEvent"
            or not _is(e.biz_step, "shipping", "BizStep")
            or not reference
        ):
            continue
        roots = [canonical_uri(x) for x in e.body.get("epcList", [])]
        spec, members = _spec(tx, reference, _supplier(tx, e.body), roots)
        if not spec.lines and not spec.ssccs:
            continue
        load_receipt_in(tx, spec, actor)
        tx.captured.link_receipt(reference, job, roots, sorted(members))
        made.append(reference)
    return made


def digital_link(kind: str, gtin: str | None, value: str) -> str:
    """The canonical GS1 Digital Link URI of an SSCC or an SGTIN (as captured EPCs are kept)."""
    if kind == "sscc":
        return f"{DL}00/{value}"
    return f"{DL}01/{gtin}/21/{dl_escape(epc_escape(value))}"


def foreign_refusal(
    tx: Tx, reference: str, who: Identity, parent: Item | None = None
) -> Outcome | None:
    """Refuse a scan on a captured receipt of something its shipment does not hold, or that
    the captured aggregation puts in another container than the one it was scanned into."""
    members = tx.captured.receipt_members(reference)
    if members is None:
        return None
    me = digital_link(who.kind, who.gtin, who.value)
    if me not in members:
        return Outcome(FOREIGN, f"{who.name} is not in the shipment the supplier sent for "
                       f"{reference}; set it aside and tell the supplier.", False)  # fmt: skip
    if parent is not None:
        theirs = digital_link("sscc", None, parent.value)
        if me not in children(tx, theirs):
            return Outcome(WRONG_CONTAINER, f"{who.name} is not in SSCC {parent.value} in the "
                           "supplier's shipment; scan it into the container it came in.",
                           False)  # fmt: skip
    return None


@dataclass(frozen=True)
class ContainerReceipt:
    """What receiving a pre-labelled container by its SSCC did."""

    reference: str
    sscc: str
    received: int
    refused: tuple[tuple[str, str], ...]  # (name, why)


def _scan_of(epc: str) -> str:
    parts = epc[len(DL) :].split("/")
    if parts[0] == "00":
        return f"(00){parts[1]}"
    return f"(01){parts[1]}(21){unquote(parts[3])}"


def receive_container(
    app: App, reference: str, sscc: str, *, actor: Actor, station: str | None = None
) -> ContainerReceipt:
    """Receive a pre-labelled pallet (or case) and all the captured aggregation holds under
    it, each child checked by receiving as if scanned in its place."""
    from labelsvc.services.receiving import receive_scan

    require(actor, "receive")
    root = canonical_uri(f"{DL}00/{sscc.strip().removeprefix('(00)').removeprefix('00')}")
    with app.store.read() as tx:
        members = tx.captured.receipt_members(reference)
        nodes = tree(tx, root) if members and root in members else []
    if not nodes:
        from labelsvc.domain.errors import NotFound

        raise NotFound("container-not-captured",
                       f"SSCC {sscc} is in no shipment captured for {reference}.")  # fmt: skip
    received, refused = 0, []
    for epc, parent in nodes:
        level = None
        if epc.startswith(f"{DL}00/"):
            level = "case" if parent else "pallet"
        result = receive_scan(app, reference, _scan_of(epc), actor=actor, station=station,
                              parent=_scan_of(parent) if parent else None, level=level)  # fmt: skip
        if result.accepted:
            received += 1
        else:
            refused.append((_scan_of(epc), result.detail))
    return ContainerReceipt(reference, sscc, received, tuple(refused))


def _captured_root(app: App, reference: str, scan: str) -> str | None:
    """The SSCC a scan names when it is a container of this receipt's captured shipment
    that holds something and was not received yet (else None)."""
    from labelsvc.services.lookup import resolve, scan_of

    parsed = scan_of(scan, app.settings)
    if not parsed.sscc:
        return None
    with app.store.read() as tx:
        members = tx.captured.receipt_members(reference)
        me = digital_link("sscc", None, parsed.sscc)
        if not members or me not in members or not children(tx, me):
            return None
        item = resolve(tx, parsed)
        if item is not None and reference in tx.receipts.receipts_of(item.id):
            return None
    return parsed.sscc


def receive_station_scan(
    app: App, reference: str, scan: str, *, actor: Actor, station: str | None = None,
    scan_id: str | None = None,
) -> ScanResult:  # fmt: skip
    """A receiving station's scan: the SSCC of a pre-labelled container of a captured
    shipment receives it and everything under it; any other scan is one scan."""
    from labelsvc.services.receiving import ScanResult, receive_scan

    sscc = _captured_root(app, reference, scan)
    if sscc is None:
        return receive_scan(app, reference, scan, actor=actor, station=station, scan_id=scan_id)
    done = receive_container(app, reference, sscc, actor=actor, station=station)
    if done.refused:
        why = done.refused[0][1]
        detail = f"SSCC {sscc}: {done.received} received, {len(done.refused)} refused: {why}"
        return ScanResult(FOREIGN, detail, False, None, None)
    return ScanResult("expected", f"SSCC {sscc} and the {done.received - 1} item(s) the "
                      "supplier shipped in it received.", True, None, None)  # fmt: skip
