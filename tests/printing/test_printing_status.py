"""~HS over real TCP: each emulator profile parsed, and ~HS mixed into label data."""

from __future__ import annotations

import socket

import pytest

from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.printing.status import NO_REPLY, parse_host_status
from labelsvc.printing.tcp9100 import Tcp9100


@pytest.mark.parametrize(
    ("profile", "ok", "flag", "message"),
    [
        ("ok", True, None, None),
        ("paper-out", False, "paper_out", "paper out — load labels"),
        ("head-open", False, "head_open", "print head open — close the head"),
        ("paused", False, "paused", "printer paused — press PAUSE"),
        ("ribbon-out", False, "ribbon_out", "ribbon out — load a ribbon"),
    ],
)
def test_each_profile_reads_back_as_its_status(
    emulator: PrinterEmulator, profile: str, ok: bool, flag: str | None, message: str | None
) -> None:
    emulator.set_profile(profile)
    status = Tcp9100(f"127.0.0.1:{emulator.port}").status()

    assert status is not None
    assert status.ok is ok
    flags = ("paper_out", "head_open", "paused", "ribbon_out")
    assert {f for f in flags if getattr(status, f)} == ({flag} if flag else set())
    if message:
        assert status.detail.startswith(message)
        assert "prints when the printer reports ready" in status.detail
    else:
        assert status.detail == "ready"


def test_a_silent_printer_is_not_ready(emulator: PrinterEmulator) -> None:
    emulator.set_profile("no-reply")
    status = Tcp9100(f"127.0.0.1:{emulator.port}", status_timeout=0.3).status()
    assert status == NO_REPLY
    assert not status.ok


def test_counters_of_a_real_printer_answer() -> None:
    answer = (
        b"\x02030,0,0,1245,003,1,0,0,000,0,0,0\x03\r\n"
        b"\x02001,0,0,0,1,2,6,0,00000012,1,000\x03\r\n"
        b"\x021234,0\x03\r\n"
    )
    status = parse_host_status(answer)
    assert status.ok is False  # receive buffer full: wait
    assert status.problems == ["receive buffer full — the job prints when the printer has room"]
    assert (status.formats_in_buffer, status.labels_remaining, status.label_length_dots) == (
        3,
        12,
        1245,
    )


def test_status_request_inside_a_stream_of_labels(emulator: PrinterEmulator) -> None:
    """~HS between labels on one connection is answered and the labels are all printed."""
    emulator.set_profile("paused")
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as s:
        s.sendall(b"^XA^FDone^FS^XZ~HS^XA^FDtwo^FS")
        answer = b""
        while answer.count(b"\x03") < 3:
            answer += s.recv(1024)
        s.sendall(b"^XZ\r\n^XA^FDthree^FS^XZ")
    assert parse_host_status(answer).paused
    assert emulator.wait_for_labels(3)
    assert emulator.labels == [b"^XA^FDone^FS^XZ", b"^XA^FDtwo^FS^XZ", b"^XA^FDthree^FS^XZ"]


def test_several_connections_at_once_keep_their_order(emulator: PrinterEmulator) -> None:
    first = socket.create_connection(("127.0.0.1", emulator.port), timeout=5)
    second = socket.create_connection(("127.0.0.1", emulator.port), timeout=5)
    second.sendall(b"^XA^FDsecond^FS^XZ~HS")
    assert second.recv(1024).startswith(b"\x02")  # status is answered while first is open
    first.sendall(b"^XA^FDfirst^FS^XZ")
    first.close()
    second.close()
    assert emulator.wait_for_labels(2)
    assert emulator.labels == [b"^XA^FDfirst^FS^XZ", b"^XA^FDsecond^FS^XZ"]


def test_a_label_cut_off_by_a_closed_connection_is_not_printed(
    emulator: PrinterEmulator,
) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as s:
        s.sendall(b"^XA^FDwhole^FS^XZ^XA^FDhal")
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as s:
        s.sendall(b"^XA^FDnext^FS^XZ")
    assert emulator.wait_for_labels(2)
    assert emulator.labels == [b"^XA^FDwhole^FS^XZ", b"^XA^FDnext^FS^XZ"]
    assert sorted(p.name for p in emulator.out_dir.glob("label-*")) == [  # type: ignore[union-attr]
        "label-000001.zpl",
        "label-000002.zpl",
    ]


def test_profile_file_changes_a_running_emulator(emulator: PrinterEmulator) -> None:
    assert emulator.out_dir is not None
    (emulator.out_dir / "profile").write_text("head-open\n")
    status = Tcp9100(f"127.0.0.1:{emulator.port}").status()
    assert status is not None and status.head_open
