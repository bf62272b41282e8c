"""The allocation API a packaging line calls: collection id, continuation, returns; and the
upload of an issued list."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from apikit import Api, Stack, assert_problem
from issuerkit import Issuer

from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.leases import SERIALS_PAGE
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.app import App
from labelsvc.services.issuer_client import refill_from_issuers
from labelsvc.services.pools import save_pool
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.supply_files import list_checksum
from labelsvc.web.api.openapi import build

GTIN = "09506000134352"


@pytest.fixture(scope="module")
def quick(stack: Stack) -> Iterator[WorkerSet]:
    """Print workers that settle a job 1 s after the printer's counter stops moving."""
    settings = stack.app.settings
    printing = dataclasses.replace(settings.printing, confirm_quiet_seconds=1.0,
                                   status_poll_seconds=0.5)  # fmt: skip
    app = App.open(dataclasses.replace(settings, printing=printing))
    ws = WorkerSet(app, poll_seconds=0.1).start()
    yield ws
    ws.stop()
    app.store.shutdown()


def _list_pool(stack: Stack, name: str, serials: list[str], **spec: Any) -> dict[str, Any]:
    spec = {"kind": "custom", **spec}
    save_pool(stack.app.store, PoolSpec(name=name, supply="list", **spec), SYSTEM)
    text = f"# count: {len(serials)}\n# sha256: {list_checksum(serials)}\nserial\n"
    text += "".join(f"{s}\n" for s in serials)
    made = stack.api.post(f"/pools/{name}/supply", {"name": f"{name}.csv", "file": text},
                          token="admin")  # fmt: skip
    assert made.status == 201, made.body
    body: dict[str, Any] = made.json
    return body


def test_an_issued_list_uploads_once_and_a_damaged_one_is_refused(stack: Stack) -> None:
    serials = [f"UP-{n:04}" for n in range(50)]
    made = _list_pool(stack, "uploaded", serials)
    assert (made["count"], made["format"], made["block"]["origin"]) == (50, "csv", "file")
    one = f"# count: 1\n# sha256: {list_checksum(['UP-0001'])}\nserial\nUP-0001\n"
    again = stack.api.post("/pools/uploaded/supply", {"name": "uploaded.csv", "file": one},
                           token="admin")  # fmt: skip
    assert "waits in another block" in assert_problem(again, 409, "serial-duplicate")["detail"]
    damaged = stack.api.post("/pools/uploaded/supply", {"name": "x.xml", "file":
                             f'<serialList count="1" sha256="{"0" * 64}"><serial>N</serial>'
                             "</serialList>"}, token="admin")  # fmt: skip
    assert assert_problem(damaged, 400, "supply-file-checksum")["line"] == 1
    assert_problem(stack.api.post("/pools/uploaded/supply", {"name": "a.csv", "file": "x"},
                                  token="label"), 403)  # fmt: skip
    supply = stack.api.get("/pools/uploaded/supply", token="read").json
    assert (supply["available"], len(supply["blocks"]), supply["issuer"]) == (50, 1, None)


def test_a_collection_id_answers_the_same_serials_per_client(api: Api) -> None:
    body = {"count": 3, "collection_id": "line-1-0001"}
    first = api.post("/pools/demo-units/allocations", body, token="label")
    assert first.status == 201 and first.json["collection_id"] == "line-1-0001"
    again = api.post("/pools/demo-units/allocations", body, token="label")
    assert again.status == 200 and again.json["replayed"] is True
    assert again.json["serials"] == first.json["serials"] and again.json["id"] == first.json["id"]
    other_client = api.post("/pools/demo-units/allocations", body, token="dock")
    assert other_client.status == 201 and other_client.json["id"] != first.json["id"]
    changed = api.post("/pools/demo-units/allocations", {**body, "count": 4}, token="label")
    assert_problem(changed, 409, "collection-id-mismatch")


def test_the_continuation_pages_of_25000_serials_are_complete_and_in_order(
    stack: Stack, api: Api
) -> None:
    serials = [f"BIG-{n:06}" for n in range(30_000)]
    _list_pool(stack, "big", serials)
    first = api.post("/pools/big/allocations", {"count": 25_000, "collection_id": "big-1"},
                     token="label").json  # fmt: skip
    assert len(first["serials"]) == SERIALS_PAGE and first["continuation"] is not None
    got, continuation = list(first["serials"]), first["continuation"]
    while continuation is not None:
        page = api.get(f"/allocations/{first['id']}/serials?continuation={continuation}",
                       token="label").json  # fmt: skip
        got += page["serials"]
        continuation = page["continuation"]
    assert got == serials[:25_000]
    replay = api.post("/pools/big/allocations", {"count": 25_000, "collection_id": "big-1"},
                      token="label").json  # fmt: skip
    assert replay["serials"] == first["serials"] and replay["continuation"] == first["continuation"]
    assert_problem(api.get(f"/allocations/{first['id']}/serials", token="pack"), 403,
                   "allocation-not-yours")  # fmt: skip


def _settled(api: Api, job_id: int) -> str:
    for _ in range(600):
        state = str(api.get(f"/jobs/{job_id}", token="label").json["state"])
        if state not in ("queued", "sending", "held"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not settle")


def test_a_printed_serial_is_refused_back_and_an_unprinted_one_is_issued_again(
    stack: Stack, api: Api, quick: WorkerSet
) -> None:
    _list_pool(stack, "line", [f"LN-{n:03}" for n in range(10)], kind="unit", gtins=(GTIN,))
    printed = api.post("/labels", {"product": GTIN, "pool": "line", "count": 2},
                       token="label").json  # fmt: skip
    assert _settled(api, printed["jobs"][0]) == "printed"
    refused = api.post(f"/allocations/{printed['allocation']}/returns",
                       {"serials": ["LN-001"]}, token="label")  # fmt: skip
    detail = assert_problem(refused, 409, "serial-used")["detail"]
    assert "'LN-001' was printed 1 time(s)" in detail
    unprinted = api.post("/pools/line/allocations", {"count": 5, "collection_id": "c-5"},
                         token="label").json  # fmt: skip
    assert unprinted["serials"] == ["LN-002", "LN-003", "LN-004", "LN-005", "LN-006"]
    back = api.post(f"/allocations/{unprinted['id']}/returns",
                    {"serials": ["LN-005", "LN-003"]}, token="label")  # fmt: skip
    assert back.status == 200 and back.json["serials"] == ["LN-003", "LN-005"]
    twice = api.post(f"/allocations/{unprinted['id']}/returns", {"serials": ["LN-003"]},
                     token="label")  # fmt: skip
    assert_problem(twice, 409, "serial-not-in-allocation")
    page = api.get(f"/allocations/{unprinted['id']}/serials", token="label").json
    assert (page["serials"], page["held"]) == (["LN-002", "LN-004", "LN-006"], 3)
    rest = api.post("/pools/line/allocations", {"count": 5}, token="label").json
    assert rest["serials"] == ["LN-007", "LN-008", "LN-009", "LN-003", "LN-005"]
    assert api.get("/pools/line", token="read").json["remaining"] == 0


def test_the_openapi_document_describes_the_new_operations_with_examples() -> None:
    paths = build()["paths"]
    allocate_op = paths["/api/v1/pools/{name}/allocations"]["post"]
    assert "collection_id" in allocate_op["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ]  # fmt: skip
    for path, method, status in (("/api/v1/pools/{name}/allocations", "post", "201"),
                                 ("/api/v1/allocations/{allocation_id}/returns", "post", "200"),
                                 ("/api/v1/pools/{name}/supply", "post", "201")):  # fmt: skip
        op = paths[path][method]
        assert op["requestBody"]["content"]["application/json"]["schema"]["examples"], path
        assert op["responses"][status]["content"]["application/json"]["schema"]["examples"], path
    page = paths["/api/v1/allocations/{allocation_id}/serials"]["get"]
    assert [p["name"] for p in page["parameters"]] == ["allocation_id", "continuation"]


def test_an_issuer_named_over_the_api_refills_its_pool_and_reports_use(stack: Stack) -> None:
    save_pool(stack.app.store, PoolSpec(name="mah", kind="custom", supply="list"), SYSTEM)
    issuer = Issuer(page=400).start()
    try:
        body = {"url": issuer.url, "token": issuer.token, "block": 1_000, "low_water": 100,
                "report_url": "http://127.0.0.1:9/usage"}  # fmt: skip
        made = stack.api.call("PUT", "/pools/mah/issuer", body, token="admin")
        assert made.status == 200 and made.json["report_secret"], made.body
        assert made.json["issuer"]["subscription"] == "issuer-mah"
        assert_problem(stack.api.call("PUT", "/pools/demo-units/issuer", body, token="admin"),
                       409, "pool-not-list")  # fmt: skip
        assert refill_from_issuers(stack.app) == 1
    finally:
        issuer.stop()
    supply = stack.api.get("/pools/mah/supply", token="read").json
    assert supply["available"] == 1_000 and supply["blocks"][0]["origin"] == "issuer"
    assert issuer.token not in json.dumps(supply)
    hooks = stack.api.get("/webhooks", token="admin").json["items"]
    assert [h["topics"] for h in hooks if h["name"] == "issuer-mah"] == [["list.usage"]]
    got = stack.api.post("/pools/mah/allocations", {"count": 1_000}, token="label").json
    assert got["serials"] == issuer.blocks[issuer.requests[0]["collection_id"]]


def test_an_own_pool_issues_a_returned_sscc_again_and_no_other_client_may_return_it(
    api: Api,
) -> None:
    made = api.post("/pools/demo-sscc/allocations", {"count": 3, "collection_id": "own-1"},
                    token="label").json  # fmt: skip
    path = f"/allocations/{made['id']}/returns"
    assert_problem(api.post(path, {"serials": made["serials"][1:2]}, token="dock"), 403,
                   "allocation-not-yours")  # fmt: skip
    assert api.post(path, {"serials": made["serials"][1:2]}, token="label").status == 200
    again = api.post("/pools/demo-sscc/allocations", {"count": 1}, token="label").json
    assert again["serials"] == made["serials"][1:2]
    counted = api.post("/pools/demo-sscc/allocations", {"count": 1}, token="label").json
    assert counted["serials"][0] not in made["serials"]
