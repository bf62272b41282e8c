"""How a unit entered a case is recorded, and the dashboard's scanned-vs-typed card counts it
(this is not scan compliance by touchpoint: see metrics_touchpoints)."""

from __future__ import annotations

from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.dashboard import dashboard
from labelsvc.services.labeling import request_labels
from labelsvc.services.packing import add_to_container, open_case

GTIN = "09506000134352"


def test_scanned_and_typed_units_give_the_scanned_share(
    app: App, operator: Actor, admin: Actor
) -> None:
    units = request_labels(app, count=4, actor=operator, product=GTIN).items
    case = open_case(app, actor=operator)
    entries = ["scan", "scan", "scan", "typed"]
    views = [
        add_to_container(app, case.sscc, f"(01){GTIN}(21){u.value}", actor=operator, entry=e)
        for u, e in zip(units, entries, strict=True)
    ]
    assert views[0].capacity == 12  # the first unit fixed the case's product and capacity
    board = dashboard(app, admin)
    assert board.pack_entries == {"scan": 3, "typed": 1}
    assert board.scanned_share == 75.0
