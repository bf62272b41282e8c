"""Printing proven through the API: a 1,000-label request reaches the emulator whole, in
order, once each; a printer that drops after 400 labels leaves a job the worker settles
from its label counter ("400 printed, 600 not"), and exactly the missing 600 print once a
person asks; a printer answering garbage is a 503 printer fault; paper near end and ribbon
low show in the printer's history, as events and as outbox messages."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from apikit import Api, Stack, assert_problem
from livekit import wait_until

from labelsvc.services.app import App
from labelsvc.services.print_queue import WorkerSet

GTIN = "09506000134352"
SERIAL = re.compile(rb"\(21\) ([A-Za-z0-9]+)")
FINAL = ("printed", "partly-printed", "not-printed", "needs-confirmation", "failed")


@pytest.fixture(scope="module")
def quick(stack: Stack) -> Iterator[WorkerSet]:
    """Workers whose confirmation gives up on a still counter after 1 s (not 10)."""
    settings = stack.app.settings
    printing = dataclasses.replace(
        settings.printing, confirm_quiet_seconds=1.0, status_poll_seconds=0.5
    )
    app = App.open(dataclasses.replace(settings, printing=printing))
    ws = WorkerSet(app, poll_seconds=0.1).start()
    yield ws
    ws.stop()
    app.store.shutdown()


def _serials(labels: list[bytes]) -> list[str]:
    found = [SERIAL.search(zpl) for zpl in labels]
    assert all(found), "a label without its serial"
    return [m[1].decode() for m in found if m]


def _settled(api: Api, job_id: int) -> dict[str, Any]:
    job: dict[str, Any] = {}
    for _ in range(600):
        job = api.get(f"/jobs/{job_id}", token="label").json
        if job["state"] in FINAL:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not settle: {job}")


def _request(api: Api, count: int) -> dict[str, Any]:
    made = api.post("/labels", {"product": GTIN, "count": count}, token="label")
    assert made.status == 201, made.body
    body: dict[str, Any] = made.json
    return body


def test_1000_labels_reach_the_printer_complete_in_order_once_each(
    stack: Stack, quick: WorkerSet
) -> None:
    before = len(stack.emulator.labels)
    made = _request(stack.api, 1000)
    jobs = [_settled(stack.api, j) for j in made["jobs"]]
    assert [j["state"] for j in jobs] == ["printed"] * len(jobs)
    assert sum(j["printed_labels"] for j in jobs) == 1000
    printed = _serials(stack.emulator.labels[before:])
    assert printed == [i["serial"] for i in made["items"]]
    assert all(b"^JZN" in zpl for zpl in stack.emulator.labels[before:])  # no reprint on error


def test_a_drop_after_400_is_settled_from_the_counter_and_600_print_when_asked(
    stack: Stack, quick: WorkerSet
) -> None:
    api, emulator = stack.api, stack.emulator
    before = len(emulator.labels)
    emulator.drop_after(400)
    made = _request(api, 1000)
    (job_id,) = made["jobs"]
    job = _settled(api, job_id)
    assert job["state"] == "partly-printed", job
    assert job["printed_labels"] == 400
    assert "printed 400 of 1000 labels" in job["last_error"]
    serials = [i["serial"] for i in made["items"]]
    assert _serials(emulator.labels[before:]) == serials[:400]
    with stack.app.store.read() as tx:
        by_value = {i.value: i.state for i in tx.items.by_gtin(GTIN, limit=100_000)}
    states = [by_value[s] for s in serials]
    assert states == ["labeled"] * 400 + ["allocated"] * 600
    time.sleep(1.5)
    assert len(emulator.labels) == before + 400  # nothing printed again by itself

    again = api.post(f"/jobs/{job_id}/print-missing", token="label")
    assert again.status == 200, again.body
    assert again.json["labels"] == 600
    assert _settled(api, again.json["id"])["state"] == "printed"
    assert _serials(emulator.labels[before:]) == serials  # each exactly once, in order
    assert api.get(f"/jobs/{job_id}", token="label").json["resent_as"] == again.json["id"]
    assert_problem(api.post(f"/jobs/{job_id}/print-missing", token="label"), 409)


def test_garbage_is_a_printer_fault_not_the_callers_mistake(stack: Stack) -> None:
    stack.emulator.set_profile("garbage")
    try:
        answer = stack.api.get("/printers/dock", token="read")
        problem = assert_problem(answer, 503, "printer-garbage")
        assert "not a status" in problem["detail"]
        listed = stack.api.get("/printers", token="read").json["items"]
        assert [p["status"] for p in listed if p["name"] == "dock"] == ["fault"]
    finally:
        stack.emulator.set_profile("ok")
    assert stack.api.get("/printers/dock", token="read").status == 200


def test_paper_near_end_and_ribbon_low_show_in_history_events_and_outbox(
    stack: Stack, quick: WorkerSet
) -> None:
    api, emulator = stack.api, stack.emulator

    def warnings() -> list[list[str]]:
        body = api.get("/printers/dock/history", token="read").json
        return [r["warnings"] for r in body["readings"]]

    for profile, warning in (("paper-near-end", "paper near end"), ("ribbon-low", "ribbon low")):
        emulator.set_profile(profile)
        assert wait_until(lambda w=warning: [w] in warnings(), timeout=10), warnings()  # type: ignore[misc]
    emulator.set_profile("ok")
    newest = api.get("/printers/dock/history", token="read").json["readings"][0]
    assert (newest["model"], newest["dpi"]) == ("ZT411-203dpi", 203)
    assert isinstance(newest["label_counter"], int)
    with stack.app.store.read() as tx:
        events = tx.events.for_subject("printer:dock")
        topics = [m.topic for m in tx.outbox.after(0, 10_000) if m.subject == "printer:dock"]
    kinds = [e.details.get("warnings") for e in events if e.type == "printer-status-changed"]
    assert ["paper near end"] in kinds and ["ribbon low"] in kinds
    assert topics.count("printer.status-changed") >= 2
    dock = [p for p in api.get("/printers", token="read").json["items"] if p["name"] == "dock"]
    assert dock[0]["identity"]["dpi"] == 203
