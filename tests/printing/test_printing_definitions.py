"""Printer files: the shipped ones load, mistakes name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelsvc.domain.errors import InvalidInput
from labelsvc.printing.definitions import load_printer_dir, load_printer_file
from labelsvc.services.app import App
from labelsvc.services.printers import sync_printers

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_demo_printers_load() -> None:
    found = {p.name: p for p in load_printer_dir(ROOT / "printers")}
    assert found["demo-file"].driver == "file"
    assert found["demo-file"].address == "demo-file"
    assert (found["demo-emulator"].driver, found["demo-emulator"].address) == (
        "tcp9100",
        "127.0.0.1:9100",
    )


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('driver = "laser"\naddress = "x"', "driver", "must be one of tcp9100"),
        ('address = "x"', "driver", "is missing"),
        ('driver = "tcp9100"', "address", "is missing"),
        ('driver = "tcp9100"\naddress = "x"\ndpi = 250', "dpi", "203, 300, 600"),
        (
            'driver = "tcp9100"\naddress = "x"\nsend_timeout = "soon"',
            "send_timeout",
            "must be float",
        ),
        ('driver = "tcp9100"\naddress = "x"\ncolour = "red"', "colour", "is unknown"),
        ('driver = "tcp9100"\naddress = "x"\nname = "a b"', "name", "letters, digits"),
    ],
)
def test_a_mistake_names_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    path = tmp_path / "dock-1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_printer_file(path)
    assert str(path) in err.value.detail
    assert f"'{key}'" in err.value.detail
    assert words in err.value.detail
    assert err.value.fields["key"] == key


def test_sync_upserts_and_keeps_status(app: App) -> None:
    folder = app.settings.path(app.settings.paths.printers)
    (folder / "dock.toml").write_text('driver = "tcp9100"\naddress = "10.0.0.5"\n')
    sync_printers(app)
    with app.store.write() as tx:
        tx.printers.set_status("dock", "problem", "paper out")
    (folder / "dock.toml").write_text('driver = "tcp9100"\naddress = "10.0.0.6:6101"\ndpi = 300\n')
    sync_printers(app)
    with app.store.read() as tx:
        row = tx.printers.get("dock")
    assert row is not None
    assert (row.address, row.dpi, row.status) == ("10.0.0.6:6101", 300, "problem")
