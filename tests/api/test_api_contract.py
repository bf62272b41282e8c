"""Scopes refused server-side, the packing race, and the one problem shape of every failure."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from apikit import GTIN, Api, Resp, Stack, assert_problem

from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.pools import save_pool
from labelsvc.services.users import create_token
from labelsvc.web import create_app


def _used(api: Api) -> int:
    return int(api.get("/pools/demo-units", token="read").json["used"])


def _unit(api: Api) -> str:
    serial = api.post("/pools/demo-units/allocations", {"count": 1}, token="label").json
    return f"(01){GTIN}(21){serial['serials'][0]}"


@pytest.mark.parametrize(
    ("token", "method", "path", "body"),
    [
        ("read", "POST", "/pools/demo-units/allocations", {"count": 1}),
        ("read", "POST", "/labels", {"product": GTIN, "count": 1}),
        ("pack", "POST", "/labels", {"product": GTIN, "count": 1}),
        ("receive", "POST", "/containers/{unit}/items", {"item": "{unit}"}),
        ("label", "PUT", f"/products/{GTIN}", {"description": "x", "company_prefix_length": 7}),
        ("label", "POST", "/serials/{unit}/quarantine", {"reason": "hold"}),
        ("pack", "POST", "/serials/{unit}/void", {"reason": "torn"}),
        ("pack", "POST", "/serials/{unit}/release", {"reason": "ok"}),
        ("read", "POST", "/receipts", {"reference": "R-x", "lines": [{"gtin": GTIN,
                                                                      "quantity": 1}]}),
        ("pack", "POST", "/jobs/1/confirm", {"printed": True}),
    ],
)  # fmt: skip
def test_each_scope_boundary_is_refused_server_side(
    stack: Stack, token: str, method: str, path: str, body: dict[str, Any]
) -> None:
    api, unit = stack.api, _unit(stack.api)
    filled = {k: (v.replace("{unit}", unit) if isinstance(v, str) else v) for k, v in body.items()}
    used = _used(api)
    refused = api.call(method, path.replace("{unit}", unit), filled, token=token)
    problem = assert_problem(refused, 403, "forbidden")
    assert f"client:wms-{token}" in problem["detail"]
    assert _used(api) == used  # nothing was allocated
    assert api.get(f"/serials/{unit}", token="read").json["item"]["state"] == "allocated"


def test_without_a_valid_token_everything_is_401(stack: Stack) -> None:
    api = stack.api
    assert_problem(api.get("/products"), 401, "token-missing")
    assert_problem(api.get("/products", headers={"Authorization": "Basic eDp5"}), 401)
    assert_problem(api.get("/products", token="lsv_not-a-token"), 401, "token-invalid")
    secret = create_token(stack.app.store, "short-lived", ["read"], SYSTEM).secret
    assert api.get("/products", token=secret).status == 200
    stack.server.cli("tokens", "revoke", "short-lived")
    refused = api.get("/products", token=secret)
    assert_problem(refused, 401, "token-invalid")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/health").status == 200 and api.get("/openapi.json").status == 200


def test_two_clients_add_one_unit_to_two_cases_at_once(stack: Stack) -> None:
    api, unit = stack.api, _unit(stack.api)
    cases = [api.post("/containers", {"level": "case"}, token=t).json["sscc"]
             for t in ("packer", "packer2")]  # fmt: skip
    start = threading.Barrier(2)
    answers: dict[str, Resp] = {}

    def add(token: str, sscc: str) -> None:
        start.wait()
        answers[sscc] = api.post(f"/containers/{sscc}/items", {"item": unit}, token=token)

    threads = [threading.Thread(target=add, args=(t, c))
               for t, c in zip(("packer", "packer2"), cases, strict=True)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(a.status for a in answers.values())
    assert statuses == [200, 409], [a.body for a in answers.values()]
    winner = next(c for c, a in answers.items() if a.status == 200)
    loser = next(a for a in answers.values() if a.status == 409)
    problem = assert_problem(loser, 409, "in-another-container")
    assert problem["container"] == winner and winner in problem["detail"]
    assert api.get(f"/serials/{unit}", token="read").json["item"]["parent"] == f"SSCC {winner}"


def test_every_failure_has_the_problem_shape(stack: Stack) -> None:
    api = stack.api
    big = b'{"count": 1, "station": "' + b"x" * 1_100_000 + b'"}'
    failures = [
        (api.get("/no/such/thing", token="read"), 404, "not-found"),
        (api.get("/products/00000000000000", token="read"), 404, "product-not-found"),
        (api.get("/jobs/999999", token="label"), 404, "job-not-found"),
        (api.call("DELETE", "/products", token="admin"), 405, "method-not-allowed"),
        (api.call("PATCH", "/health"), 405, "method-not-allowed"),
        (api.post("/pools/demo-units/allocations", raw=big, token="label",
                  headers={"Content-Type": "application/json"}), 413, "body-too-large"),
        (api.call("POST", "/pools/demo-units/allocations", raw=b"count=1", token="label",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
         415, "unsupported-media-type"),
        (api.call("POST", "/labels", raw=b"{nope", token="label",
                  headers={"Content-Type": "application/json"}), 400, "body-not-json"),
        (api.call("POST", "/labels", raw=b"[1]", token="label",
                  headers={"Content-Type": "application/json"}), 400, "body-not-object"),
        (api.post("/labels", {"count": 1, "colour": "red"}, token="label"), 400, "field-unknown"),
        (api.post("/labels", {"count": "1"}, token="label"), 400, "field-invalid"),
        (api.post("/labels", {"product": GTIN}, token="label"), 400, "field-missing"),
        (api.post("/receipts", {"reference": "R", "lines": [{"gtin": GTIN, "qty": 1}]},
                  token="receive"), 400, "field-unknown"),
        (api.get("/products?limit=0", token="read"), 400, "field-invalid"),
        (api.get("/products?colour=red", token="read"), 400, "query-unknown"),
        (api.post("/labels", {"count": 1}, token="label"), 400, "pool-required"),
        (api.post("/labels", {"pool": "demo-units", "count": 1, "printer": "nope"},
                  token="label"), 404, "printer-not-found"),
        (api.post("/pools/demo-units/allocations", {"count": 1}, token="label",
                  headers={"Idempotency-Key": "bad key"}), 400, "idempotency-key-invalid"),
    ]  # fmt: skip
    for answer, status, code in failures:
        assert_problem(answer, status, code)
    unknown = assert_problem(failures[9][0], 400)
    assert unknown["field"] == "colour" and "colour" in unknown["detail"]
    nested = assert_problem(failures[12][0], 400)
    assert nested["field"] == "lines/0/qty"


def test_an_exhausted_pool_says_what_remains(stack: Stack) -> None:
    spec = PoolSpec(name="tiny", kind="custom", pattern="T-{seq}", range_start=1, range_end=3)
    save_pool(stack.app.store, spec, SYSTEM)
    api = stack.api
    assert api.post("/pools/tiny/allocations", {"count": 2}, token="label").status == 201
    problem = assert_problem(
        api.post("/pools/tiny/allocations", {"count": 5}, token="label"), 409, "pool-exhausted"
    )
    assert problem["remaining"] == 1 and problem["pool"] == "tiny"
    assert api.get("/pools/tiny", token="read").json["remaining"] == 1


def test_an_unexpected_failure_is_a_500_problem(tmp_path: Path) -> None:
    settings = settings_from_dict({}, "test", tmp_path)
    for folder in ("serial_pools",):
        src = Path(__file__).resolve().parents[2] / folder
        (tmp_path / folder).mkdir()
        for f in src.glob("*.toml"):
            (tmp_path / folder / f.name).write_bytes(f.read_bytes())
    app = App.open(settings)
    initialize(app, demo=True, admin_password="admin-password")
    secret = create_token(app.store, "wms", ["read"], SYSTEM).secret
    conn = sqlite3.connect(app.store.path)
    conn.execute("DROP TABLE products")  # a broken database: nothing the API expects
    conn.commit()
    conn.close()
    client = create_app(settings, app).test_client()
    answer = client.get("/api/v1/products", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 500
    assert answer.content_type == "application/problem+json"
    assert answer.json is not None and answer.json["code"] == "internal-error"


def test_serving_beyond_loopback_without_logins_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[server]\nlogin_required = false\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "labelsvc", "--config", str(config), "serve", "--host", "0.0.0.0",
         "--port", "1"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode != 0
    assert "Refusing to listen on 0.0.0.0" in run.stderr
