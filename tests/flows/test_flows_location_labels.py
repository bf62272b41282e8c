"""Bin labels through the template system and the print queue to a Zebra emulator, read
back by zxing-cpp: the GS1-128 and the DataMatrix both carry (414) GLN + (254) extension,
and that scan names the bin when an item is put away."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from flows_support import hri
from test_flows_locations import layout, units

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Forbidden, InvalidInput
from labelsvc.domain.locations import LocationKind
from labelsvc.labels.preview import preview
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import putaway
from labelsvc.services.app import App
from labelsvc.services.location_labels import print_location_labels
from labelsvc.services.locations import LocationSpec, save_locations


def scans_of(zpl: bytes) -> list[str]:
    image = preview(zpl).image.convert("L")
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    return sorted(r.symbology_identifier + r.text for r in found)


def test_bin_labels_print_and_their_scan_names_the_bin(
    flows: App, bin_zebra: PrinterEmulator, admin: Actor, operator: Actor, tmp_path: Path
) -> None:
    layout(flows, admin, tmp_path)
    jobs = print_location_labels(flows, ["WH1-A-01", "(414)9506000000008(254)A02"],
                                 actor=operator, printer="bins")  # fmt: skip
    assert len(jobs) == 1
    assert bin_zebra.wait_for_labels(2)
    labels = list(bin_zebra.labels)
    read = [scans_of(z) for z in labels]
    assert read == [["]C14149506000000008254A01", "]d24149506000000008254A01"],
                    ["]C14149506000000008254A02", "]d24149506000000008254A02"]]  # fmt: skip
    assert b"WH1-A-01" in labels[0]

    got = units(flows, operator, 1)
    moved = putaway.move_to(flows, [hri(got[0])], read[1][1], actor=operator)  # as scanned
    assert moved.location.code == "WH1-A-02"


def test_bin_label_refusals(flows: App, admin: Actor, operator: Actor, tmp_path: Path) -> None:
    layout(flows, admin, tmp_path)
    save_locations(flows, [LocationSpec("WH1-A-09", LocationKind.BIN, parent="WH1-A")],
                   actor=admin)  # fmt: skip
    with pytest.raises(InvalidInput) as no_gln:
        print_location_labels(flows, ["WH1-A-09"], actor=operator)
    assert no_gln.value.code == "location-no-gln"
    with pytest.raises(InvalidInput) as kind:
        print_location_labels(flows, ["WH1-A-01"], actor=operator, template="unit")
    assert kind.value.code == "label-template-kind"
    with pytest.raises(Forbidden):
        print_location_labels(flows, ["WH1-A-01"], actor=Actor("x", "client"))
