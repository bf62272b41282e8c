"""The location commands are thin shells: layout, putaway, move, find --location, trace,
touchpoint scans and a count, from the command line on both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flows_support import GTIN
from test_flows_locations import LAYOUT

from labelsvc.cli import main
from labelsvc.services.app import App


@pytest.mark.parametrize("name", ["locations", "move", "touchpoints", "count"])
def test_every_location_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_layout_putaway_move_find_trace_count(flows: App, tmp_path: Path) -> None:
    base = flows.settings.base_dir
    url = flows.settings.storage.url
    (base / "config.toml").write_text(f"[storage]\nurl = {json.dumps(url)}\n", encoding="utf-8")

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(base / "config.toml"), *args])
        assert result.exit_code == code, result.output
        return result.stdout if code == 0 else result.output

    (base / "layout.toml").write_text(LAYOUT, encoding="utf-8")
    assert "4 added, 0 updated" in run("locations", "load", str(base / "layout.toml"))
    assert "urn:epc:id:sgln:9506000.00000.A01" in run("locations", "list")
    assert "2 label(s) queued: job #" in run("locations", "label", "WH1-A-01", "WH1-A-02")
    assert "has no GLN" in run("locations", "label", "WH1-A", code=2)
    (base / "asn.json").write_text(json.dumps({"reference": "ASN-LC", "lines": [
        {"gtin": GTIN, "quantity": 3}]}))  # fmt: skip
    run("receipts", "load", str(base / "asn.json"))
    received = json.loads(run("receipts", "receive", "ASN-LC", "--line", "1", "--count", "3",
                              "--json"))  # fmt: skip
    scans = [f"(01){i['gtin']}(21){i['value']}" for i in received["items"]]
    case = json.loads(run("pack", "open-case", "--gtin", GTIN, "--json"))["sscc"]
    run("pack", "add", case, scans[0], scans[1])

    assert "-> WH1-A-01 (3)" in run("move", "WH1-A-01", case)
    assert "- -> WH1-A-01 (1)" in run("move", "WH1-A-01", scans[2])
    assert "WH1-A-01 -> WH1-A-02 (1)" in run("move", "WH1-A-02", scans[2])
    refused = run("move", "WH1-A-02", scans[0], code=2)
    assert "move SSCC" in refused and "or unpack it first" in refused
    assert len(json.loads(run("find", "--location", "WH1-A-01", "--json"))) == 3
    assert scans[2] in run("locations", "contents", "WH1-A-02")
    shown = run("trace", scans[2])
    assert "at WH1-A-02 (bin)" in shown and "moved: WH1-A-01 -> WH1-A-02" in shown

    assert "3 item(s)) scanned at customs (inspecting)" in run(
        "touchpoints", "scan", "customs", case, "--location", "WH1-A-01"
    )
    run("touchpoints", "require", GTIN, "receive", "customs")
    assert f"{GTIN} requires receive, customs" in run("touchpoints", "list")

    started = run("count", "start", "WH1-A-01", "--blind")
    count_id = started.split("#")[1].split()[0]
    assert "expected hidden (blind)" in started
    assert "counted (1)" in run("count", "scan", count_id, case)
    assert "counted already" in run("count", "scan", count_id, case, code=2)
    closed = run("count", "close", count_id)
    assert "counted 1, expected 1" in closed
