"""A warehouse breaking the printer on purpose, on both stores, with a real TCP emulator.

Each fault ends the same way: every label printed exactly once, or its job says precisely
which labels did not print; no printer queue stuck; no item ``labeled`` whose label the
printer did not confirm (its label counter is the evidence).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from printing_support import free_port, wait_until

from labelsvc.config import settings_from_dict
from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services.app import App
from labelsvc.services.bootstrap import initialize
from labelsvc.services.labeling import request_labels
from labelsvc.services.print_queue import WorkerSet
from labelsvc.services.printers import sync_printers
from labelsvc.store.jobs import Job

OPERATOR = Actor(name="olga", kind="user", role="operator", station="dock-1")
SUPERVISOR = Actor(name="sam", kind="user", role="supervisor", station="dock-1")
GTIN = "09506000134352"
SERIAL = re.compile(rb"\(21\) ([A-Za-z0-9]+)")


def _settings(project: Path, store_url: str, **printing: Any) -> Any:
    values = {"retry_base_seconds": 0.05, "retry_max_seconds": 0.2,
              "confirm_quiet_seconds": 1.0, "connect_timeout_seconds": 0.5, **printing}  # fmt: skip
    storage: dict[str, Any] = {"url": store_url}
    if "busy_timeout_ms" in printing:
        storage["busy_timeout_ms"] = values.pop("busy_timeout_ms")
    return settings_from_dict({"printing": values, "storage": storage}, "test", project)


@pytest.fixture
def make_app(project: Path, store_url: str) -> Iterator[Callable[..., App]]:
    """A service over the test's store with fast retries (settings overridable)."""
    opened: list[App] = []

    def make(**printing: Any) -> App:
        service = App.open(_settings(project, store_url, **printing))
        if not opened:
            initialize(service, demo=True, admin_password="admin-password")
        opened.append(service)
        return service

    yield make
    for service in reversed(opened):
        service.store.shutdown()


@pytest.fixture
def start_workers() -> Iterator[Callable[[App], WorkerSet]]:
    started: list[WorkerSet] = []

    def start(app: App) -> WorkerSet:
        ws = WorkerSet(app, poll_seconds=0.1).start()
        started.append(ws)
        return ws

    yield start
    for ws in started:
        ws.stop()


def _printer(app: App, port: int, **keys: Any) -> None:
    lines = ['driver = "tcp9100"', f'address = "127.0.0.1:{port}"']
    lines += [f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in keys.items()]
    folder = app.settings.path(app.settings.paths.printers)
    (folder / "zebra.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sync_printers(app)


def _job(app: App, job_id: int) -> Job:
    return print_queue.get_job(app, SUPERVISOR, job_id)


def _settled(app: App, job_id: int, timeout: float = 30.0) -> Job:
    final = ("printed", "partly-printed", "not-printed", "needs-confirmation", "failed")
    assert wait_until(lambda: _job(app, job_id).state in final, timeout=timeout)
    return _job(app, job_id)


def _serials(labels: list[bytes]) -> list[str]:
    out = []
    for zpl in labels:
        found = SERIAL.search(zpl)
        assert found is not None, zpl[:200]
        out.append(found[1].decode())
    return out


def _labeled(app: App, item_ids: list[int]) -> list[str]:
    with app.store.read() as tx:
        return [i.state for i in tx.items.by_ids(item_ids)]


def test_killed_mid_batch_and_back_later_is_settled_from_the_counter(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet], tmp_path: Path
) -> None:
    """The emulator dies at label 481 of 1,000 and comes back: 481 printed, 519 not, then
    exactly the 519 print once a supervisor allows it."""
    app = make_app(confirm_quiet_seconds=3.0)
    out = tmp_path / "emulator"
    emulator = PrinterEmulator(out_dir=out).start()
    port = emulator.port
    _printer(app, port)
    start_workers(app)
    emulator.drop_after(481)
    request = request_labels(app, count=1000, actor=OPERATOR, product=GTIN, printer="zebra")
    (job_id,) = request.job_ids
    assert emulator.wait_for_labels(481)
    emulator.stop()  # killed: its odometer file keeps the count, like a printer's NVRAM
    time.sleep(1.0)
    again = PrinterEmulator(port=port, out_dir=out).start()
    try:
        job = _settled(app, job_id)
        assert job.state == "partly-printed", job
        assert job.printed_labels == 481
        ids = [i.id for i in request.items]
        assert _labeled(app, ids) == ["labeled"] * 481 + ["allocated"] * 519
        evidence = print_queue.job_history(app, SUPERVISOR, job_id)[-1].details
        assert (evidence["evidence"], evidence["printed"], evidence["of"]) == (
            "label counter", 481, 1000)  # fmt: skip
        assert evidence["counter_after"] - evidence["counter_before"] == 481
        assert again.labels == []  # nothing printed again by itself

        resent = print_queue.print_missing(app, SUPERVISOR, job_id)
        assert _settled(app, resent.id).state == "printed"
        serials = _serials(emulator.labels) + _serials(again.labels)
        assert serials == [i.value for i in request.items]  # all, in order, once each
        assert _labeled(app, ids) == ["labeled"] * 1000
        with pytest.raises(Conflict, match=r"queued already"):
            print_queue.print_missing(app, SUPERVISOR, job_id)
    finally:
        again.stop()


def test_a_jammed_printer_with_a_tiny_buffer_says_which_labels_printed(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    app = make_app()
    with PrinterEmulator(rcvbuf=2048, recv_size=1024, profile="jam") as emulator:
        _printer(app, emulator.port, send_timeout=1.0)
        start_workers(app)
        request = request_labels(app, count=300, actor=OPERATOR, product=GTIN, printer="zebra")
        (job_id,) = request.job_ids
        job = _settled(app, job_id)
        printed = len(emulator.labels)
        assert job.state in ("partly-printed", "not-printed"), job
        assert job.printed_labels == printed < 300
        ids = [i.id for i in request.items]
        assert _labeled(app, ids) == ["labeled"] * printed + ["allocated"] * (300 - printed)
        emulator.drop_stalled()  # the jam is cleared: the cut label is gone
        emulator.set_profile("ok")
        resent = print_queue.print_missing(app, SUPERVISOR, job_id)
        assert _settled(app, resent.id).state == "printed"
        assert Counter(_serials(emulator.labels)) == Counter(i.value for i in request.items)
        assert set(Counter(_serials(emulator.labels)).values()) == {1}


def test_a_printer_that_never_reads_is_never_shown_as_printed(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    app = make_app()
    with PrinterEmulator(profile="never-read") as emulator:
        _printer(app, emulator.port, check_status=False, status_timeout=0.3)
        start_workers(app)
        request = request_labels(app, count=50, actor=OPERATOR, product=GTIN, printer="zebra")
        job = _settled(app, request.job_ids[0])
        assert job.state == "needs-confirmation", job
        assert "did not confirm" in (job.last_error or "")
        assert _labeled(app, [i.id for i in request.items]) == ["allocated"] * 50
        assert emulator.labels == []


def test_garbage_is_a_printer_fault_whose_backoff_holds(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    app = make_app(retry_max_seconds=30.0, retry_base_seconds=5.0)
    with PrinterEmulator(profile="garbage") as emulator:
        _printer(app, emulator.port)
        ws = start_workers(app)
        request = request_labels(app, count=5, actor=OPERATOR, product=GTIN, printer="zebra")
        job_id = request.job_ids[0]
        assert wait_until(lambda: _job(app, job_id).last_error is not None)
        with app.store.read() as tx:
            row = tx.printers.get("zebra")
        assert row is not None and row.status == "fault"
        assert "not a status" in row.status_detail
        asked = len(emulator.queries)
        for _ in range(10):  # the supervisor keeps waking the worker
            ws.notify("zebra")
            time.sleep(0.2)
        assert _job(app, job_id).state == "queued"
        assert len(emulator.queries) - asked <= 4  # probed about once a second, no storm
        emulator.set_profile("ok")  # repaired: noticed by the probe, not after 5 s
        assert wait_until(lambda: _job(app, job_id).state == "printed", timeout=4)


def test_a_printer_that_comes_back_is_noticed_within_seconds(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    app = make_app(retry_base_seconds=30.0, retry_max_seconds=30.0)
    port = free_port()
    _printer(app, port)
    start_workers(app)
    request = request_labels(app, count=10, actor=OPERATOR, product=GTIN, printer="zebra")
    job_id = request.job_ids[0]
    assert wait_until(lambda: "unreachable" in (_job(app, job_id).last_error or ""))
    with PrinterEmulator(port=port) as emulator:  # back; the backoff alone would wait 30 s
        assert wait_until(lambda: _job(app, job_id).state == "printed", timeout=5)
        assert len(emulator.labels) == 10


def test_a_long_writer_during_sends_leaves_no_queue_stuck(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    """A writer holds the store for 3 s while the job's settle is due (lock wait 0.3 s):
    the settle is retried, the job ends printed, the next job prints after it."""
    app = make_app(busy_timeout_ms=300, confirm_quiet_seconds=5.0)  # the jam is not a stop
    other = make_app(busy_timeout_ms=10_000)
    # Reads of 1,000 bytes end inside a label, so the stall holds the job mid-send whatever
    # the machine's speed (a large read could take every label before the stall begins).
    with PrinterEmulator(recv_size=1000) as emulator:
        _printer(app, emulator.port)
        start_workers(app)
        emulator.stall()
        first = request_labels(app, count=200, actor=OPERATOR, product=GTIN, printer="zebra")
        assert wait_until(lambda: _job(app, first.job_ids[0]).state == "sending"), _job(
            app, first.job_ids[0]
        )
        holding = threading.Event()

        def long_writer() -> None:
            with other.store.write() as tx:
                tx.execute("UPDATE print_jobs SET updated_at = updated_at WHERE id = ?",
                           (first.job_ids[0],))  # fmt: skip
                holding.set()
                time.sleep(3.0)

        writer = threading.Thread(target=long_writer)
        writer.start()
        assert holding.wait(5)
        emulator.resume()
        writer.join()
        nxt = request_labels(app, count=20, actor=OPERATOR, product=GTIN, printer="zebra")
        assert _settled(app, first.job_ids[0]).state == "printed"
        assert _settled(app, nxt.job_ids[0]).state == "printed"
        items = [i.value for i in first.items + nxt.items]
        assert _serials(emulator.labels) == items
        assert print_queue.stuck_printers(app) == []


def test_a_dpi_mismatch_stops_printing_with_a_reason(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    """The file says 300 dpi, the printer says 203: nothing prints scaled; fixing the file
    lets the held job print."""
    app = make_app()
    with PrinterEmulator(dpi=203) as emulator:
        _printer(app, emulator.port, dpi=300)
        start_workers(app)
        request = request_labels(app, count=3, actor=OPERATOR, product=GTIN, printer="zebra")
        job_id = request.job_ids[0]
        assert wait_until(lambda: _job(app, job_id).state == "held")
        assert "203 dpi printer" in (_job(app, job_id).last_error or "")
        with app.store.read() as tx:
            row = tx.printers.get("zebra")
        assert row is not None and row.status == "mismatch"
        assert emulator.labels == []
        _printer(app, emulator.port, dpi=203)
        assert wait_until(lambda: _job(app, job_id).state == "printed")
        assert len(emulator.labels) == 3


def test_job_states_are_published_in_the_outbox(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    app = make_app()
    with PrinterEmulator() as emulator:
        _printer(app, emulator.port)
        start_workers(app)
        emulator.set_profile("paper-out")
        request = request_labels(app, count=2, actor=OPERATOR, product=GTIN, printer="zebra")
        job_id = request.job_ids[0]
        assert wait_until(lambda: _job(app, job_id).state == "held")
        emulator.set_profile("ok")
        assert wait_until(lambda: _job(app, job_id).state == "printed")
    with app.store.read() as tx:
        sent = [(m.topic, m.payload["state"]) for m in tx.outbox.after(0)
                if m.subject == f"job:{job_id}"]  # fmt: skip
    assert sent == [("job.held", "held"), ("job.printed", "printed")]


def test_health_shows_a_printer_whose_queue_is_not_moving(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    from labelsvc.services.health import check_health

    app = make_app(stuck_seconds=0.5)
    with PrinterEmulator(rcvbuf=2048, recv_size=1024) as emulator:
        _printer(app, emulator.port, send_timeout=30.0)
        ws = start_workers(app)
        app.background["print-workers"] = ws.problem
        emulator.stall()  # jammed: the send blocks, the job stays 'sending'
        request = request_labels(app, count=300, actor=OPERATOR, product=GTIN, printer="zebra")
        job_id = request.job_ids[0]
        assert wait_until(lambda: "not moving" in check_health(app).checks["print-workers"])
        health = check_health(app)
        assert health.status == "degraded"
        assert f"job {job_id}" in health.checks["print-workers"]
        emulator.resume()
        assert wait_until(lambda: _job(app, job_id).state == "printed")
        assert check_health(app).checks["print-workers"] == "ok"


def test_health_shows_a_faulty_printer_whose_jobs_wait(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    from labelsvc.services.health import check_health

    app = make_app(stuck_seconds=0.5, retry_base_seconds=5.0, retry_max_seconds=30.0)
    with PrinterEmulator(profile="garbage") as emulator:
        _printer(app, emulator.port)
        ws = start_workers(app)
        app.background["print-workers"] = ws.problem
        request_labels(app, count=2, actor=OPERATOR, product=GTIN, printer="zebra")
        assert wait_until(lambda: "waiting since" in check_health(app).checks["print-workers"])
        check = check_health(app).checks["print-workers"]
        assert check.startswith("printer zebra: 1 job(s) waiting since")
        assert "not a status" in check  # the printer's fault, as recorded
        emulator.set_profile("ok")
        assert wait_until(lambda: check_health(app).checks["print-workers"] == "ok", timeout=10)


def test_a_slow_printer_is_waited_for_while_its_counter_moves(
    make_app: Callable[..., App], start_workers: Callable[[App], WorkerSet]
) -> None:
    """40 labels at 20 labels/s take 2 s, twice the 1 s a still counter may stand: the job
    is printed, not 'partly printed', because the counter keeps moving."""
    app = make_app(confirm_quiet_seconds=1.0)
    with PrinterEmulator(print_rate=20.0) as emulator:
        _printer(app, emulator.port)
        start_workers(app)
        request = request_labels(app, count=40, actor=OPERATOR, product=GTIN, printer="zebra")
        job = _settled(app, request.job_ids[0])
        assert job.state == "printed", job
        assert job.printed_labels == 40 == len(emulator.labels)
