"""The flow commands are thin shells: a whole receive-pack-ship run from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flows_support import GTIN, epcis_errors

from labelsvc.cli import main
from labelsvc.services.app import App

COMMANDS = ["receipts", "pack", "ship", "unship", "trace", "find", "quarantine", "release",
            "export"]  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_every_flow_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_receive_pack_trace_export_ship(flows: App, tmp_path: Path) -> None:
    base = flows.settings.base_dir
    url = flows.settings.storage.url
    (base / "config.toml").write_text(f"[storage]\nurl = {json.dumps(url)}\n", encoding="utf-8")
    asn = base / "asn.json"
    asn.write_text(json.dumps({"reference": "ASN-CLI", "lines": [
        {"gtin": GTIN, "quantity": 12, "lot": "L1"}]}))  # fmt: skip

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(base / "config.toml"), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    run("receipts", "load", str(asn))
    received = json.loads(run("receipts", "receive", "ASN-CLI", "--line", "1", "--count", "12",
                              "--json"))  # fmt: skip
    scans = [f"(01){i['gtin']}(21){i['value']}" for i in received["items"]]
    case = json.loads(run("pack", "open-case", "--gtin", GTIN, "--json"))["sscc"]
    assert "12/12" in run("pack", "add", case, *scans)
    assert "closed" in run("pack", "close", case)
    assert "no discrepancies" in run("receipts", "show", "ASN-CLI")
    run("receipts", "close", "ASN-CLI")

    traced = json.loads(run("trace", scans[0], "--json"))
    assert [a["value"] for a in traced["ancestors"]] == [case]
    assert "12 unit(s)" in run("trace", case)
    assert "quarantined 13 of 13" in run("quarantine", case, "--reason", "check")
    assert "released 13 of 13" in run("release", case, "--reason", "ok")
    out = tmp_path / "epcis.json"
    run("export", "epcis", "--container", case, "-o", str(out))
    assert epcis_errors(json.loads(out.read_text())) == []
    assert "13 item(s)" in run("ship", case, "--ref", "SO-7")
    assert len(json.loads(run("find", "--gtin", GTIN, "--lot", "L1", "--json"))) == 12

    refused = CliRunner().invoke(main, ["--config", str(base / "config.toml"), "ship", case,
                                        "--ref", "SO-8"])  # fmt: skip
    assert refused.exit_code == 2 and "shipped already" in refused.output


def test_supplier_weight_is_received_and_traced_from_the_command_line(flows: App) -> None:
    base = flows.settings.base_dir
    url = flows.settings.storage.url
    (base / "config.toml").write_text(f"[storage]\nurl = {json.dumps(url)}\n", encoding="utf-8")
    asn = base / "asn-w.json"
    asn.write_text(json.dumps({"reference": "ASN-W", "lines": [{"gtin": GTIN, "quantity": 1}]}))

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(base / "config.toml"), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    run("receipts", "load", str(asn))
    unit = f"(01){GTIN}(21)W7(10)L1(17)271100(3103)001250(91)BIN-42"
    [scanned] = json.loads(run("receipts", "scan", "ASN-W", unit, "--json"))
    assert scanned["accepted"] is True, scanned
    shown = run("trace", unit)
    assert "(3103) NET WEIGHT (kg): 001250" in shown
    assert "(91) INTERNAL: BIN-42" in shown
