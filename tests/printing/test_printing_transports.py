"""Transports against real listeners and folders: what went out, and what a failure means."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from printing_support import free_port, label

from labelsvc.printing import TransportError
from labelsvc.printing.definitions import PrinterDef
from labelsvc.printing.emulator import PrinterEmulator
from labelsvc.printing.escpos_transport import EscposPrinter
from labelsvc.printing.spool import SpoolFolder
from labelsvc.printing.tcp9100 import Tcp9100
from labelsvc.printing.transports import make_transport


def test_spool_folder_writes_each_job_as_one_new_file(tmp_path: Path) -> None:
    spool = SpoolFolder(tmp_path / "spool")
    spool.send(label(1), tag="job-1")
    spool.send(label(2) + label(3), tag="job-2")

    files = sorted((tmp_path / "spool").iterdir())
    assert [f.read_bytes() for f in files] == [label(1), label(2) + label(3)]
    assert all(f.suffix == ".zpl" and not f.name.startswith(".") for f in files)


def test_spool_folder_failure_is_safe_to_retry(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(TransportError) as err:
        SpoolFolder(blocker / "spool").send(label(1))
    assert err.value.partial is False


def test_escpos_network_delivers_bytes_to_a_listener(emulator: PrinterEmulator) -> None:
    receipt = b"\x1b@Hello dock 1\n\x1dV\x00"
    printer = make_transport(
        PrinterDef("receipt", "escpos-network", f"127.0.0.1:{emulator.port}", "escpos")
    )
    printer.send(receipt)
    assert receipt in _wait_received(emulator)


def test_escpos_file_writes_to_the_device(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    EscposPrinter("escpos-file", str(device)).send(b"\x1b@hi\n")
    assert device.read_bytes() == b"\x1b@hi\n"


def test_refused_connection_sent_nothing() -> None:
    with pytest.raises(TransportError) as err:
        Tcp9100(f"127.0.0.1:{free_port()}", connect_timeout=1).send(label(1))
    assert err.value.partial is False
    assert "unreachable" in err.value.detail


def test_connection_lost_mid_send_may_have_printed() -> None:
    """The printer reads a little, then resets the connection: part of the job went out."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def printer_that_dies() -> None:
        conn, _ = server.accept()
        conn.recv(1000)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()  # linger 0: RST

    thread = threading.Thread(target=printer_that_dies)
    thread.start()
    with pytest.raises(TransportError) as err:
        Tcp9100(f"127.0.0.1:{port}", send_timeout=5).send(label(0, pad=20_000_000))
    thread.join()
    server.close()
    assert err.value.partial is True
    assert "broke off after" in err.value.detail


def _wait_received(emulator: PrinterEmulator) -> bytes:
    from printing_support import wait_until

    wait_until(lambda: bool(emulator.received))
    return b"".join(emulator.received)
