"""Fixtures of the flow tests; shared constants and helpers live in ``flows_support``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flows_support import OTHER_GTIN, THIRD_GTIN

from labelsvc.domain.actors import SYSTEM
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services.app import App
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.printers import sync_printers
from labelsvc.services.products import save_products
from labelsvc.store.products import Product


@pytest.fixture
def flows(app: App) -> Iterator[App]:
    """The demo service with its printer definitions loaded and two more products."""
    sync_printers(app)
    save_products(
        app.store,
        [
            Product(gtin=OTHER_GTIN, description="Other thing", company_prefix_length=7,
                    units_per_case=6, cases_per_pallet=4),
            Product(gtin=THIRD_GTIN, description="Third thing", company_prefix_length=7),
        ],
        SYSTEM,
    )  # fmt: skip
    yield app
    app.store.close()


@contextmanager
def _emulated_printer(
    flows: App, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[PrinterEmulator]:
    """A Zebra emulator on a free port, defined as printer ``name``, with workers running."""
    with PrinterEmulator(out_dir=tmp_path_factory.mktemp(name)) as emu:
        folder = flows.settings.path(flows.settings.paths.printers)
        (folder / f"{name}.toml").write_text(
            f'driver = "tcp9100"\naddress = "127.0.0.1:{emu.port}"\nlanguage = "zpl"\n',
            encoding="utf-8",
        )
        sync_printers(flows)
        workers = WorkerSet(flows, poll_seconds=0.1).start()
        try:
            yield emu
        finally:
            workers.stop()


@pytest.fixture
def zebra(flows: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrinterEmulator]:
    """The printer ``zebra``: an emulator the flows print their labels on."""
    with _emulated_printer(flows, tmp_path_factory, "zebra") as emu:
        yield emu


@pytest.fixture
def bin_zebra(flows: App, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrinterEmulator]:
    """The printer ``bins``: an emulator for bin labels."""
    with _emulated_printer(flows, tmp_path_factory, "bins") as emu:
        yield emu
