"""The order, return and flow-metric commands are thin shells over the services."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flows_support import GTIN, hri
from orders_support import stock

from labelsvc.cli import main
from labelsvc.domain.actors import Actor
from labelsvc.services.app import App


@pytest.mark.parametrize("name", ["orders", "returns", "flow-metrics"])
def test_every_order_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_import_pick_ship_return_from_the_command_line(flows: App, operator: Actor) -> None:
    units = stock(flows, operator, 3)
    base = flows.settings.base_dir
    config = base / "config.toml"
    config.write_text(f"[storage]\nurl = {json.dumps(flows.settings.storage.url)}\n")
    (base / "so.csv").write_text(f"reference,customer,line,gtin,quantity\nSO-C,ACME,1,{GTIN},2\n")

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, result.output
        return result.output

    assert "picked=0/2" in run("orders", "import", str(base / "so.csv"))
    assert "1 of 2" in run("orders", "pick", "SO-C", hri(units[0]))
    assert "not complete" in run("orders", "ship", "SO-C", code=2)
    assert "Order complete" in run("orders", "pick", "SO-C", hri(units[1]))
    assert "has all it wants" in run("orders", "pick", "SO-C", hri(units[2]), code=2)
    assert "shipped on TRK" in run("orders", "ship", "SO-C", "--shipment", "TRK")
    assert json.loads(run("orders", "show", "SO-C", "--json"))["state"] == "shipped"
    run("returns", "open", "RMA-C", "--order", "SO-C")
    assert "left on order SO-C" in run("returns", "receive", "RMA-C", hri(units[0]))
    assert "restock" in run("returns", "dispose", "RMA-C", hri(units[0]), "restock")
    assert json.loads(run("returns", "show", "RMA-C", "--json"))["state"] == "resolved"
    run("trace", hri(units[0]))
    metrics = json.loads(run("flow-metrics", "--json"))
    assert metrics["trace_time"]["by_surface"] == {"cli": 1}
    assert metrics["returns_resolution"]["count"] == 1
