"""Label requests, governed reprints and voids, printed through the spool-folder printer."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import zxingcpp
from storekit import rows

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden, InvalidInput
from labelsvc.gs1.scan import parse_scan
from labelsvc.labels.preview import interpret
from labelsvc.services.allocation import allocate
from labelsvc.services.app import App
from labelsvc.services.labeling import reprint, request_labels, void
from labelsvc.services.packing import add_to_container, open_case
from labelsvc.services.print_queue import WorkerSet

GTIN = "09506000134352"


def _spooled(app: App, expected_labels: int) -> list[bytes]:
    """Run the workers until the demo-file printer's folder holds the expected labels."""
    folder = app.settings.path(app.settings.paths.spool) / "demo-file"
    workers = WorkerSet(app, poll_seconds=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            labels = [
                label + b"^XZ"
                for file in sorted(folder.glob("*.zpl"))
                for label in file.read_bytes().split(b"^XZ")
                if b"^XA" in label
            ]
            if len(labels) >= expected_labels:
                return labels
            time.sleep(0.05)
    finally:
        workers.stop()
    raise AssertionError(f"only {len(labels)} of {expected_labels} labels arrived")


def _decoded(zpl: bytes) -> str:
    image = interpret(zpl)[0].image
    results = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    found = [r for r in results if r.symbology_identifier == "]d2"]
    assert found, "no GS1 DataMatrix on the label"
    return found[0].text


def test_request_prints_one_label_per_serial_with_lot(app: App, operator: Actor) -> None:
    result = request_labels(app, count=3, actor=operator, product="DEMO-WIDGET", lot="L7",
                            expiry="271231", idempotency_key="wms-1")  # fmt: skip
    labels = _spooled(app, 3)
    scans = [parse_scan("]d2" + _decoded(z)) for z in labels]
    assert [s.serial for s in scans] == [i.value for i in result.items]
    assert {(s.gtin, s.get("10"), s.get("17")) for s in scans} == {(GTIN, "L7", "271231")}
    again = request_labels(app, count=3, actor=operator, product="DEMO-WIDGET", lot="L7",
                           expiry="271231", idempotency_key="wms-1")  # fmt: skip
    assert again.job_ids == result.job_ids and again.allocation and again.allocation.replayed


def test_reprint_is_governed_counted_and_marked(
    app: App, operator: Actor, supervisor: Actor
) -> None:
    unit = request_labels(app, count=1, actor=operator, product=GTIN).items[0]
    scan = f"(01){GTIN}(21){unit.value}"
    with pytest.raises(Forbidden):
        reprint(app, scan, reason="smudged", actor=operator)
    with pytest.raises(InvalidInput, match="why"):
        reprint(app, scan, reason=" ", actor=supervisor)
    reprint(app, scan, reason="smudged", actor=supervisor)
    first, second = _spooled(app, 2)
    assert parse_scan("]d2" + _decoded(second)).serial == unit.value  # the same serial
    assert b"REPRINT" not in first and b"REPRINT" in second
    count = rows(app, "SELECT print_count FROM items WHERE id = ?", (unit.id,))[0]
    assert count == (2,)
    events = rows(
        app, "SELECT type, actor, details FROM events WHERE item_id = ? ORDER BY id", (unit.id,)
    )
    requested = [e for e in events if e[0] == "reprint-requested"]
    assert len(requested) == 1 and requested[0][1] == "user:sam" and "smudged" in requested[0][2]
    assert [e[0] for e in events if e[0] in ("printed", "reprinted")] == ["printed", "reprinted"]


def test_voided_serial_is_never_issued_or_printed_again(
    app: App, admin: Actor, supervisor: Actor, tmp_path: Path
) -> None:
    unit = allocate(app.store, "demo-custom", 1, actor=admin)
    serial = unit.serials[0]
    voided = void(app, serial, reason="label torn", actor=supervisor)
    assert voided.state == "voided"
    with pytest.raises(Conflict, match="voided"):
        reprint(app, serial, reason="again", actor=supervisor)
    later = allocate(app.store, "demo-custom", 50, actor=admin).serials
    assert serial not in later


def test_a_container_with_contents_cannot_be_voided(
    app: App, operator: Actor, supervisor: Actor
) -> None:
    unit = request_labels(app, count=1, actor=operator, product=GTIN).items[0]
    case = open_case(app, actor=operator)
    add_to_container(app, case.sscc, f"(01){GTIN}(21){unit.value}", actor=operator)
    with pytest.raises(Conflict, match="still holds 1") as err:
        void(app, case.sscc, reason="label torn", actor=supervisor)
    assert err.value.code == "container-not-empty"
