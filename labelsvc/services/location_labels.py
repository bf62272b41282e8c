"""Bin labels: a location's GLN (414) and extension (254) printed from the template system
through the print queue.

The labels are rendered from committed rows before the write (a location label reads no
item), then queued as one job in a short transaction; the workers send it after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.domain.locations import LocationEvent
from labelsvc.labels.data import LabelData
from labelsvc.services.app import App
from labelsvc.services.labeling import wake_printers
from labelsvc.services.locations import need_location
from labelsvc.services.print_queue import enqueue_labels
from labelsvc.store.locations import Location

DEFAULT_TEMPLATE = "location"


def location_label_data(location: Location) -> LabelData:
    """What a bin label carries; a location without a GLN has no GS1 identity to print."""
    if not location.gln:
        raise InvalidInput(
            "location-no-gln",
            f"{location.code} has no GLN: give it a GLN (and an extension) to print its label.",
        )
    return LabelData(kind="location", gln=location.gln, gln_extension=location.gln_extension,
                     location=location.code, description=location.name)  # fmt: skip


def print_location_labels(
    app: App, codes: Sequence[str], *, actor: Actor, printer: str | None = None,
    template: str = DEFAULT_TEMPLATE, station: str | None = None,
) -> list[int]:  # fmt: skip
    """Queue one label per location named (by code or scanned label); the job ids."""
    require(actor, "label")
    if not codes:
        raise InvalidInput("locations-missing", "Name at least one location to label.")
    chosen = printer or app.settings.printing.default_printer
    if app.templates.kind_of(template) != "location":
        raise InvalidInput("label-template-kind", f"template {template} does not print bins.")
    with app.store.read() as tx:
        target = tx.printers.get(chosen)
        if target is None:
            raise NotFound("printer-not-found", f"There is no printer named {chosen!r}.")
        if target.language != "zpl":
            raise InvalidInput("label-language", f"{chosen} is not a ZPL printer.")
        places = [need_location(tx, app, code) for code in codes]
    labels = [app.templates.render_zpl(template, location_label_data(p), target.dpi)
              for p in places]  # fmt: skip
    with app.store.write() as tx:
        jobs = enqueue_labels(tx, printer=target.name, template=template, labels=labels,
                              item_ids=[[] for _ in labels], requested_by=actor.label,
                              station=station or actor.station, batch=uuid.uuid4().hex)  # fmt: skip
        for place in places:
            tx.events.append(LocationEvent.LOCATION_LABELS_QUEUED, actor=actor.label,
                             station=station or actor.station, subject=f"location:{place.code}",
                             details={"jobs": jobs, "printer": target.name})  # fmt: skip
    wake_printers(app, target.name)
    return jobs
