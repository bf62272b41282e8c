"""``Idempotency-Key`` over HTTP: retries return the first response and print nothing again."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from apikit import Resp, Stack, assert_problem
from livekit import wait_until
from storekit import rows

from labelsvc.services.print_queue import WorkerSet
from labelsvc.web.api.idempotency import request_hash

CLAIM = """
import sys, time
from labelsvc.store import Store
store = Store(sys.argv[1])
with store.write() as tx:
    tx.execute(
        "INSERT INTO idempotency (client, key, request_hash, state, created_at, owner)"
        " VALUES (?, ?, ?, 'running', '2030-01-01T00:00:00.000+00:00', ?)",
        (sys.argv[2], sys.argv[3], sys.argv[4], f"{__import__('socket').gethostname()}:"
         f"{__import__('os').getpid()}:dead"),
    )
print("claimed", flush=True)
if sys.argv[5] == "stay":
    time.sleep(60)
"""


def _state(stack: Stack, key: str) -> str | None:
    found = rows(stack.app, "SELECT state FROM idempotency WHERE key = ?", (key,))
    return None if not found else str(found[0][0])


def _pool_used(stack: Stack) -> int:
    return int(stack.api.get("/pools/demo-units", token="read").json["used"])


def test_three_sends_one_while_running_print_one_batch(stack: Stack, workers: WorkerSet) -> None:
    api, key = stack.api, "order-4711-labels"
    body = {"product": "DEMO-WIDGET", "count": 120}
    used_before = _pool_used(stack)

    def send() -> Resp:
        return api.post("/labels", body, token="label", headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(send)
        assert wait_until(lambda: _state(stack, key) is not None or first.done())
        second = pool.submit(send)  # the first is recorded as running (or just done)
        answers = [first.result(), second.result()]
    answers.append(send())

    assert [a.status for a in answers] == [201, 201, 201], [a.body for a in answers]
    assert answers[0].json == answers[1].json == answers[2].json
    assert answers[0].headers.get("idempotent-replayed") is None
    assert [a.headers.get("idempotent-replayed") for a in answers[1:]] == ["true", "true"]
    assert _pool_used(stack) == used_before + 120
    jobs = answers[0].json["jobs"]
    listed = api.get("/jobs?limit=1000", token="label").json["items"]
    assert {j["batch"] for j in listed} == {answers[0].json["batch"]}
    assert sorted(j["id"] for j in listed) == sorted(jobs)
    assert wait_until(lambda: all(
        api.get(f"/jobs/{j}", token="label").json["state"] == "printed" for j in jobs))  # fmt: skip
    assert stack.emulator.wait_for_labels(120)
    assert len(stack.emulator.labels) == 120


def test_same_key_other_body_is_a_conflict(stack: Stack) -> None:
    key = {"Idempotency-Key": "alloc-1"}
    first = stack.api.post("/pools/demo-units/allocations", {"count": 2}, token="label",
                           headers=key)  # fmt: skip
    assert first.status == 201
    other = stack.api.post("/pools/demo-units/allocations", {"count": 3}, token="label",
                           headers=key)  # fmt: skip
    assert_problem(other, 409, "idempotency-key-reused")
    elsewhere = stack.api.post("/pools/demo-sscc/allocations", {"count": 2}, token="label",
                               headers=key)  # fmt: skip
    assert_problem(elsewhere, 409, "idempotency-key-reused")


def test_a_refusal_is_replayed_and_keys_are_per_client(stack: Stack) -> None:
    key = {"Idempotency-Key": "k-404"}
    body: dict[str, Any] = {"count": 1}
    first = stack.api.post("/pools/no-such-pool/allocations", body, token="label", headers=key)
    assert_problem(first, 404, "pool-not-found")
    again = stack.api.post("/pools/no-such-pool/allocations", body, token="label", headers=key)
    assert again.json == first.json and again.headers["idempotent-replayed"] == "true"
    admin = stack.api.post("/pools/no-such-pool/allocations", body, token="admin", headers=key)
    assert_problem(admin, 404)
    assert "idempotent-replayed" not in admin.headers  # another client's key space


def _claim(stack: Stack, key: str, body: dict[str, Any], stay: bool) -> subprocess.Popen[str]:
    fingerprint = request_hash("POST", "/api/v1/pools/demo-units/allocations", {}, body)
    proc = subprocess.Popen(
        [sys.executable, "-c", CLAIM, stack.app.store.location, "client:wms-label", key,
         fingerprint, "stay" if stay else "exit"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "claimed"
    return proc


def test_a_request_whose_process_died_runs_again(stack: Stack) -> None:
    body = {"count": 4}
    _claim(stack, "crashed-1", body, stay=False).wait(30)
    retry = stack.api.post("/pools/demo-units/allocations", body, token="label",
                           headers={"Idempotency-Key": "crashed-1"})  # fmt: skip
    assert retry.status == 201, retry.body
    assert len(retry.json["serials"]) == 4 and _state(stack, "crashed-1") == "done"


def test_a_request_still_running_elsewhere_answers_in_progress(stack: Stack) -> None:
    body = {"count": 4}
    holder = _claim(stack, "busy-1", body, stay=True)
    try:
        answer = stack.api.post("/pools/demo-units/allocations", body, token="label",
                                headers={"Idempotency-Key": "busy-1"})  # fmt: skip
    finally:
        holder.kill()
        holder.wait(10)
    assert_problem(answer, 409, "idempotency-in-progress")
    assert answer.headers["retry-after"] == "1"
