"""The print queue end to end: real SQLite file, real workers, the emulator over real TCP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from printing_support import free_port, label

from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Conflict, Forbidden
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.services import print_queue
from labelsvc.services.app import App
from labelsvc.store.items import namespace_for

OPERATOR = Actor(name="anna", role="operator", station="dock-1")
SUPERVISOR = Actor(name="sam", role="supervisor")
GTIN = "09506000134352"


def _enqueue(app: App, printer: str, labels: list[bytes], **kw: object) -> list[int]:
    with app.store.write() as tx:
        ids = print_queue.enqueue_labels(
            tx,
            printer=printer,
            template="unit",
            labels=labels,
            requested_by=OPERATOR.label,
            station="dock-1",
            **kw,  # type: ignore[arg-type]
        )
    print_queue.notify(app, printer)
    return ids


def _items(app: App, count: int) -> list[int]:
    with app.store.write() as tx:
        first = tx.items.last_id() + 1
        tx.items.insert_allocated(
            [f"S{n:05d}" for n in range(count)],
            namespace=namespace_for("unit", GTIN),
            kind="unit",
            gtin=GTIN,
            pool="demo",
            allocation_id=1,
        )
    return list(range(first, first + count))


def test_500_labels_arrive_in_order_each_once(
    app: App,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    labels = [label(n) for n in range(500)]
    workers()
    job_ids = _enqueue(app, "zebra", labels, chunk=50)

    assert len(job_ids) == 10
    assert wait_until(lambda: len(zebra.labels) >= 500)
    assert wait_until(
        lambda: all(
            j.state == "printed" for j in print_queue.list_jobs(app, OPERATOR, printer="zebra")
        )
    )
    assert zebra.labels == labels
    assert zebra.status_requests >= 10  # every job asked ~HS first


def test_sent_job_marks_items_printed_with_events(
    app: App,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    job_state: Callable[[int], str],
    wait_until: Callable[..., bool],
) -> None:
    items = _items(app, 3)
    workers()
    [first] = _enqueue(app, "zebra", [label(i) for i in range(3)], item_ids=[[i] for i in items])
    [again] = _enqueue(
        app, "zebra", [label(0)], item_ids=[[items[0]]], reprint=True, reason="label torn"
    )
    assert wait_until(lambda: job_state(again) == "printed")

    with app.store.read() as tx:
        printed = tx.items.by_ids(items)
        history = tx.events.for_item(items[0])
        job_events = [e.type for e in tx.events.for_subject(f"job:{first}")]
    assert [i.state for i in printed] == ["labeled"] * 3
    assert [i.print_count for i in printed] == [2, 1, 1]
    assert [(e.type, e.details["job"]) for e in history] == [
        ("commissioned", first),  # its first label commissions it in EPCIS, once
        ("printed", first),
        ("reprinted", again),
    ]
    assert history[2].details["reason"] == "label torn"
    assert job_events == ["job-queued", "job-sending", "job-printed"]


def test_printer_down_then_up_prints_every_job_once(
    app: App,
    add_printer: Callable[..., None],
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
    tmp_path: Path,
) -> None:
    port = free_port()
    add_printer("zebra", driver="tcp9100", address=f"127.0.0.1:{port}")
    labels = [label(n) for n in range(30)]
    workers()
    job_ids = _enqueue(app, "zebra", labels, chunk=10)

    def noted() -> bool:
        jobs = print_queue.list_jobs(app, OPERATOR)
        return all(j.state == "queued" and j.last_error for j in jobs[:1])

    assert wait_until(noted)
    assert all(j.state == "queued" for j in print_queue.list_jobs(app, OPERATOR))
    assert "unreachable" in (print_queue.get_job(app, OPERATOR, job_ids[0]).last_error or "")

    with PrinterEmulator(port=port, out_dir=tmp_path / "late") as emu:
        assert wait_until(
            lambda: all(j.state == "printed" for j in print_queue.list_jobs(app, OPERATOR))
        )
        assert emu.wait_for_labels(30)
        assert emu.labels == labels
        assert len(list((tmp_path / "late").glob("label-*.zpl"))) == 30


def test_paper_out_holds_the_job_until_paper_is_back(
    app: App,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    zebra.set_profile("paper-out")
    workers()
    [job_id] = _enqueue(app, "zebra", [label(1), label(2)])

    assert wait_until(lambda: print_queue.get_job(app, OPERATOR, job_id).state == "held")
    held = print_queue.get_job(app, OPERATOR, job_id)
    assert held.last_error is not None
    assert held.last_error.startswith("paper out — load labels")
    assert zebra.labels == []

    zebra.set_profile("ok")
    assert wait_until(lambda: print_queue.get_job(app, OPERATOR, job_id).state == "printed")
    assert zebra.wait_for_labels(2)
    assert zebra.labels == [label(1), label(2)]


def test_two_worker_sets_on_one_database_send_each_job_once(
    app: App,
    zebra: PrinterEmulator,
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    """Like a server and a CLI worker side by side: the claim lets only one send a job."""
    labels = [label(n) for n in range(200)]
    workers()
    workers()
    _enqueue(app, "zebra", labels, chunk=5)

    assert wait_until(lambda: len(zebra.labels) >= 200)
    assert wait_until(
        lambda: all(j.state == "printed" for j in print_queue.list_jobs(app, OPERATOR, limit=1000))
    )
    assert zebra.labels == labels  # in order, and no job twice


def test_operations_check_state_and_permission(
    app: App,
    add_printer: Callable[..., None],
    tmp_path: Path,
) -> None:
    add_printer("zebra", driver="tcp9100", address=f"127.0.0.1:{free_port()}")
    [job_id] = _enqueue(app, "zebra", [label(1)])
    guest = Actor(name="guest", kind="client", scopes=frozenset({"read"}))

    with pytest.raises(Forbidden):
        print_queue.cancel_job(app, guest, job_id)
    with pytest.raises(Forbidden):
        print_queue.confirm_job(app, OPERATOR, job_id, printed=True)
    with pytest.raises(Conflict) as err:
        print_queue.confirm_job(app, SUPERVISOR, job_id, printed=True)
    assert "is queued" in err.value.detail

    cancelled = print_queue.cancel_job(app, OPERATOR, job_id)
    assert cancelled.state == "cancelled"
    with pytest.raises(Conflict):
        print_queue.retry_job(app, OPERATOR, job_id)
    history = print_queue.job_history(app, OPERATOR, job_id)
    assert [e.type for e in history] == ["job-queued", "job-cancelled"]
    assert history[-1].actor == "user:anna"


def test_a_job_for_an_unknown_printer_is_refused(app: App) -> None:
    from labelsvc.domain.errors import NotFound

    with pytest.raises(NotFound) as err:
        _enqueue(app, "nowhere", [label(1)])
    assert "printers/nowhere.toml" in err.value.detail


def test_file_printer_through_the_queue(
    app: App,
    add_printer: Callable[..., None],
    workers: Callable[..., object],
    wait_until: Callable[..., bool],
) -> None:
    add_printer("spool", driver="file", address="spool-1")
    workers()
    ids = _enqueue(app, "spool", [label(n) for n in range(7)], chunk=3)
    folder = app.settings.path(app.settings.paths.spool) / "spool-1"

    assert wait_until(lambda: len(list(folder.glob("*.zpl"))) == 3)
    files = sorted(folder.glob("*.zpl"))
    assert b"".join(f.read_bytes() for f in files) == b"".join(label(n) for n in range(7))
    assert [f.name.split("-", 2)[2] for f in files] == [f"job-{i}.zpl" for i in ids]
    assert Counter(p.name.startswith(".") for p in folder.iterdir()) == {False: 3}
