"""A batch renders its template once per label shape and fills each serial in: the bytes
are exactly those of rendering every label in full, and the first piece is small."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.label_render import FIRST_PIECE, BatchRenderer, label_data_for, render_stream
from labelsvc.services.labeling import request_labels

OPERATOR = Actor(name="olga", kind="user", role="operator", station="dock-1")


@pytest.fixture
def service(project: Path, store_url: str) -> Iterator[App]:
    app = App.open(settings_from_dict({"storage": {"url": store_url}}, "test", project))
    initialize(app, demo=True, admin_password="admin-password")
    yield app
    app.store.shutdown()


def _full(app: App, item_ids: list[int], template: str = "unit") -> list[bytes]:
    with app.store.read() as tx:
        items = tx.items.by_ids(item_ids)
        return [app.templates.render_zpl(template, label_data_for(tx, app, i)) for i in items]


def test_a_filled_batch_is_byte_for_byte_the_full_render(service: App) -> None:
    made = request_labels(service, count=300, actor=OPERATOR, product="DEMO-WIDGET",
                          printer="demo-file", lot="L2406", expiry="261231")  # fmt: skip
    with service.store.read() as tx:
        job = tx.jobs.get(made.job_ids[0])
    assert job is not None
    pieces = list(render_stream(service, job))
    full = _full(service, job.item_ids)
    assert b"".join(pieces) == b"".join(full)
    assert pieces[0] == b"".join(full[:FIRST_PIECE])  # the first labels go out first


def test_a_template_that_names_the_serial_is_rendered_in_full(service: App) -> None:
    source = service.templates.source("unit").replace(
        "{% if data.sku %}",
        "{% if data.serial and data.serial[0] == 'Z' %}^FO1,1^FDZ^FS{% endif %}\n{% if data.sku %}",
    )
    service.templates.add("unit-z", source)
    made = request_labels(service, count=40, actor=OPERATOR, product="DEMO-WIDGET",
                          printer="demo-file")  # fmt: skip
    renderer = BatchRenderer(service, "unit-z", language="zpl", dpi=203)
    with service.store.read() as tx:
        datas = [label_data_for(tx, service, i) for i in made.items]
    assert [renderer.render(d) for d in datas] == _full(
        service, [i.id for i in made.items], "unit-z"
    )
    assert renderer.filled == 0


def test_a_printer_with_stored_formats_gets_the_fixed_part_once(service: App) -> None:
    """^DF once per job, then ^XF and the serial's fields per label: the emulator prints
    (fills the format) exactly the labels a full render makes, from far fewer bytes."""
    from labelsvc.printing.emulator import PrinterEmulator
    from labelsvc.services.print_queue import WorkerSet
    from labelsvc.services.printers import sync_printers

    with PrinterEmulator() as emulator:
        folder = service.settings.path(service.settings.paths.printers)
        (folder / "zebra.toml").write_text(
            f'driver = "tcp9100"\naddress = "127.0.0.1:{emulator.port}"\nstored_formats = true\n',
            encoding="utf-8",
        )
        sync_printers(service)
        workers = WorkerSet(service, poll_seconds=0.1).start()
        try:
            made = request_labels(service, count=300, actor=OPERATOR, product="DEMO-WIDGET",
                                  printer="zebra")  # fmt: skip
            assert emulator.wait_for_labels(300)
        finally:
            workers.stop()
        full = _full(service, [i.id for i in made.items])
        assert emulator.labels == [label.rstrip() for label in full]
        assert len(emulator.formats) == 1
        sent = sum(len(r) for r in emulator.received)
        assert sent < 0.6 * len(b"".join(full))
