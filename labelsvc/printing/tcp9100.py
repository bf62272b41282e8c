"""Raw TCP (port 9100, "JetDirect") to a Zebra printer, with ``~HS`` status.

The send counts the bytes the kernel accepted: a failure before the first byte means the
printer cannot have printed anything (safe to retry); a failure after it means it may have
printed part of the job, which a person must confirm before it is sent again.
"""

from __future__ import annotations

import socket

from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import (
    HS_COMMAND,
    NO_REPLY,
    PrinterStatus,
    complete_answer,
    parse_host_status,
)

DEFAULT_PORT = 9100


def split_address(address: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port`` as (host, port)."""
    host, sep, port = address.rpartition(":")
    if not sep or "]" in port or (host.count(":") and not host.startswith("[")):
        return address.strip("[]"), default_port
    return host.strip("[]"), int(port)


class Tcp9100:
    """A printer listening for raw print data on a TCP port."""

    def __init__(
        self,
        address: str,
        *,
        connect_timeout: float = 3.0,
        send_timeout: float = 30.0,
        status_timeout: float = 2.0,
        check_status: bool = True,
        name: str = "",
    ) -> None:
        self.host, self.port = split_address(address)
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout
        self.status_timeout = status_timeout
        self.check_status = check_status
        self.name = name or f"{self.host}:{self.port}"
        self._kept: socket.socket | None = None  # the status connection, reused by send()

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), self.connect_timeout)
        except OSError as exc:
            raise TransportError(
                f"printer {self.name} at {self.host}:{self.port} is unreachable ({exc}); "
                "check that it is on and connected — the job is retried automatically",
                partial=False,
                printer=self.name,
            ) from exc

    def send(self, data: bytes, *, tag: str = "") -> None:
        """Send ``data`` whole; raise :class:`TransportError` saying whether any went out.

        Uses the connection of the ``status()`` just before, if any: one connection per
        job, and the job goes to the printer that just said it is ready.
        """
        sock, self._kept = self._kept or self._connect(), None
        sent = 0
        try:
            sock.settimeout(self.send_timeout)
            view = memoryview(data)
            while sent < len(data):
                sent += sock.send(view[sent:])
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise TransportError(
                f"sending to printer {self.name} broke off after {sent} of {len(data)} bytes "
                f"({exc})",
                partial=sent > 0,
                printer=self.name,
            ) from exc
        finally:
            sock.close()

    def status(self) -> PrinterStatus | None:
        """Ask ``~HS``; :data:`NO_REPLY` when the printer stays silent, None if not asked."""
        if not self.check_status:
            return None
        self.close()
        sock = self._connect()
        answer = b""
        try:
            sock.settimeout(self.status_timeout)
            sock.sendall(HS_COMMAND)
            while not complete_answer(answer):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
        except OSError as exc:
            sock.close()
            raise TransportError(
                f"printer {self.name} dropped the status request ({exc})",
                partial=False,
                printer=self.name,
            ) from exc
        if not complete_answer(answer):
            sock.close()
            return NO_REPLY
        self._kept = sock
        return parse_host_status(answer)

    def close(self) -> None:
        """Close a status connection that no send used."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None
