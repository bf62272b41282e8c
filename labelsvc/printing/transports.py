"""The transport for a printer definition, chosen from a small driver map."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from labelsvc.printing.cups import CupsQueue
from labelsvc.printing.definitions import PrinterDef
from labelsvc.printing.escpos_transport import EscposPrinter
from labelsvc.printing.spool import SpoolFolder
from labelsvc.printing.status import PrinterStatus
from labelsvc.printing.tcp9100 import Tcp9100


class Transport(Protocol):
    """Bytes to one printer. ``status`` is None when the transport cannot tell.

    ``send`` may reuse a connection ``status`` opened; ``close`` releases it when unused.
    ``label_counter`` is every label the printer ever printed, None where it cannot say.
    """

    name: str

    def send(self, data: bytes, *, tag: str = "") -> None: ...

    def status(self) -> PrinterStatus | None: ...

    def label_counter(self) -> int | None: ...

    def close(self) -> None: ...


def _tcp(p: PrinterDef, connect_timeout: float, _: Path) -> Transport:
    return Tcp9100(
        p.address,
        connect_timeout=p.option("connect_timeout") or connect_timeout,
        send_timeout=p.option("send_timeout"),
        status_timeout=p.option("status_timeout"),
        check_status=p.option("check_status"),
        name=p.name,
    )


def _cups(p: PrinterDef, _: float, __: Path) -> Transport:
    return CupsQueue(
        p.address, server=p.option("server"), send_timeout=p.option("send_timeout"), name=p.name
    )


def _escpos(p: PrinterDef, connect_timeout: float, _: Path) -> Transport:
    return EscposPrinter(
        p.driver,
        p.address,
        connect_timeout=p.option("connect_timeout") or connect_timeout,
        send_timeout=p.option("send_timeout"),
        baudrate=p.option("baudrate"),
        name=p.name,
    )


def _file(p: PrinterDef, _: float, spool: Path) -> Transport:
    folder = Path(p.address)
    return SpoolFolder(
        folder if folder.is_absolute() else spool / folder, language=p.language, name=p.name
    )


DRIVERS: dict[str, Callable[[PrinterDef, float, Path], Transport]] = {
    "tcp9100": _tcp,
    "cups": _cups,
    "escpos-network": _escpos,
    "escpos-usb": _escpos,
    "escpos-serial": _escpos,
    "escpos-file": _escpos,
    "file": _file,
}


def make_transport(
    printer: PrinterDef, *, connect_timeout: float = 3.0, spool: Path = Path("var/spool")
) -> Transport:
    """The transport for ``printer``; a relative ``file`` address is under ``spool``."""
    return DRIVERS[printer.driver](printer, connect_timeout, spool)
