"""ESC/POS printers through python-escpos: network, USB, serial or a device file.

Bytes are passed with ``_raw``; python-escpos only opens and closes the device. A failure
to open is safe to retry; a failure while writing may have printed part of the receipt.
"""

from __future__ import annotations

from typing import Any

from labelsvc.escpos_import import escpos_printer
from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import PrinterStatus
from labelsvc.printing.tcp9100 import split_address


def _usb_ids(address: str) -> tuple[int, int]:
    vendor, _, product = address.partition(":")
    return int(vendor, 16), int(product, 16)


class EscposPrinter:
    """One python-escpos printer class chosen by driver (``escpos-network`` ...)."""

    def __init__(
        self,
        driver: str,
        address: str,
        *,
        connect_timeout: float = 3.0,
        send_timeout: float = 30.0,
        baudrate: int = 9600,
        name: str = "",
    ) -> None:
        self.driver = driver
        self.address = address
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout
        self.baudrate = baudrate
        self.name = name or address

    def _device(self) -> Any:
        printer = escpos_printer()
        kind = self.driver.removeprefix("escpos-")
        if kind == "network":
            host, port = split_address(self.address)
            return printer.Network(host, port, timeout=self.send_timeout)
        if kind == "usb":
            vendor, product = _usb_ids(self.address)
            return printer.Usb(vendor, product, timeout=int(self.send_timeout * 1000))
        if kind == "serial":
            return printer.Serial(
                devfile=self.address, baudrate=self.baudrate, timeout=self.send_timeout
            )
        if kind == "file":
            return printer.File(devfile=self.address)
        raise ValueError(f"unknown ESC/POS driver {self.driver!r}")

    def send(self, data: bytes, *, tag: str = "") -> None:
        """Open the device, write ``data`` raw, close it."""
        device = self._device()
        if not device.is_usable():
            raise TransportError(
                f"{self.driver} needs an optional package that is not installed "
                "(pyusb for USB, pyserial for serial)",
                partial=False,
                printer=self.name,
            )
        try:
            device.open()
        except Exception as exc:  # python-escpos raises its own and OS errors
            raise TransportError(
                f"ESC/POS printer {self.name} ({self.address}) is unreachable ({exc})",
                partial=False,
                printer=self.name,
            ) from exc
        try:
            device._raw(data)
        except Exception as exc:
            raise TransportError(
                f"writing to ESC/POS printer {self.name} broke off ({exc})",
                partial=True,
                printer=self.name,
            ) from exc
        finally:
            device.close()

    def status(self) -> PrinterStatus | None:
        """Not asked: ESC/POS status bytes differ by model and are not relied on."""
        return None

    def label_counter(self) -> int | None:
        """Not known to this transport: its jobs settle as ``sent``."""
        return None

    def close(self) -> None:
        """Nothing is kept open between calls."""
