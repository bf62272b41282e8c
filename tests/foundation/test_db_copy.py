"""``labelsvc db copy``: a SQLite site moves into PostgreSQL with every row, and traces the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from labelsvc.cli import main
from labelsvc.services.app import App
from labelsvc.services.printers import sync_printers

GTIN = "09506000134352"


def _cli(config: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.sqlite_only
def test_the_demo_walk_moves_into_postgresql_with_the_same_counts_and_traces(
    app: App, postgres_url: str, tmp_path: Path
) -> None:
    sync_printers(app)
    base = app.settings.base_dir
    config = base / "config.toml"
    config.write_text("", encoding="utf-8")
    asn = base / "asn.json"
    asn.write_text(json.dumps({"reference": "ASN-COPY", "lines": [
        {"gtin": GTIN, "quantity": 12, "lot": "L1", "expiry": "271130"}]}))  # fmt: skip
    _cli(config, "receipts", "load", str(asn))
    units = json.loads(_cli(config, "receipts", "receive", "ASN-COPY", "--line", "1",
                            "--count", "12", "--json"))  # fmt: skip
    scans = [f"(01){GTIN}(21){u['value']}" for u in units["items"]]
    case = _cli(config, "pack", "open-case", "--gtin", GTIN).split()[1].rstrip(":")
    _cli(config, "pack", "add", case, *scans)
    _cli(config, "pack", "close", case)
    _cli(config, "receipts", "close", "ASN-COPY")
    before = {code: _cli(config, "trace", code) for code in (case, scans[0])}

    copied = _cli(config, "db", "copy", "--to", postgres_url)
    assert "verified" in copied and "every serial unique" in copied
    counts = {line.split()[0]: line.split()[1] for line in copied.splitlines()[:-1]}
    assert counts["items"] == "13" and int(counts["events"].replace(",", "")) > 13

    moved = base / "moved.toml"
    moved.write_text(f"[storage]\nurl = {json.dumps(postgres_url)}\n", encoding="utf-8")
    after = {code: _cli(moved, "trace", code) for code in (case, scans[0])}
    assert after == before
    # the moved site goes on: new ids continue after the copied ones, nothing repeats
    next_case = _cli(moved, "pack", "open-case", "--gtin", GTIN).split()[1].rstrip(":")
    assert next_case != case
    again = CliRunner().invoke(main, ["--config", str(config), "db", "copy", "--to",
                                      postgres_url])  # fmt: skip
    assert again.exit_code == 2 and "only into an empty database" in again.output
