"""Raw TCP (port 9100, "JetDirect") to a Zebra printer, with ``~HS`` status.

The send counts the bytes the kernel accepted: a failure before the first byte means the
printer cannot have printed anything (safe to retry); a failure after it means it may have
printed part of the job, which a person must confirm before it is sent again.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable

from labelsvc.domain.errors import InvalidInput
from labelsvc.printing import queries
from labelsvc.printing.errors import TransportError
from labelsvc.printing.queries import ExtendedStatus, Identity, PrinterGarbage
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

    def send(self, data: bytes | Iterable[bytes], *, tag: str = "") -> None:
        """Send ``data`` (bytes, or chunks streamed as they are made) whole.

        Raises :class:`TransportError` saying whether any went out. Uses the connection of
        the ``status()`` just before, if any: one connection per job, and the job goes to
        the printer that just said it is ready.
        """
        chunks = [data] if isinstance(data, bytes | bytearray) else data
        sock, self._kept = self._kept or self._connect(), None
        sent = 0
        try:
            sock.settimeout(self.send_timeout)
            for chunk in chunks:
                view, done = memoryview(chunk), 0
                while done < len(view):
                    n = sock.send(view[done:])
                    done += n
                    sent += n
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise TransportError(
                f"sending to printer {self.name} broke off after {sent} bytes ({exc})",
                partial=sent > 0,
                printer=self.name,
            ) from exc
        finally:
            sock.close()

    def query(self, command: bytes) -> bytes | None:
        """Ask one query; the answer, or None when silent.

        Asked on the connection the ``status()`` just before kept for the send (one
        connection less per job), else on a connection of its own.
        """
        kept, self._kept = self._kept, None
        sock = kept or self._connect()
        answer = b""
        try:
            sock.settimeout(self.status_timeout)
            sock.sendall(command)
            while not queries.complete(command, answer):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pass
        except OSError as exc:
            sock.close()
            raise TransportError(
                f"printer {self.name} dropped the query {command.strip()!r} ({exc})",
                partial=False,
                printer=self.name,
            ) from exc
        answered = queries.complete(command, answer)
        if kept is not None and answered:
            self._kept = sock  # still good for the send
        else:
            sock.close()
        return answer if answered else None

    def label_counter(self) -> int | None:
        """Every label the printer has printed (its odometer); None when it does not say."""
        answer = self.query(queries.COUNTER_COMMAND)
        return None if answer is None else queries.parse_number(answer, self.name)

    def print_width(self) -> int | None:
        """The print width in dots the printer is set up for."""
        answer = self.query(queries.WIDTH_COMMAND)
        return None if answer is None else queries.parse_number(answer, self.name, "width")

    def identity(self) -> Identity | None:
        """``~HI``: model, firmware, dpi."""
        answer = self.query(queries.HI_COMMAND)
        return None if answer is None else queries.parse_hi(answer, self.name)

    def extended_status(self) -> ExtendedStatus | None:
        """``~HQES``: errors and warnings (ribbon low, paper near end...)."""
        answer = self.query(queries.HQES_COMMAND)
        return None if answer is None else queries.parse_hqes(answer, self.name)

    def head_life(self) -> int | None:
        """``~HQPH``: inches printed by the current print head."""
        answer = self.query(queries.HEAD_COMMAND)
        return None if answer is None else queries.parse_head(answer, self.name)

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
        try:
            status = parse_host_status(answer)
        except InvalidInput as exc:
            sock.close()
            raise PrinterGarbage(
                f"printer {self.name} answers ~HS with something that is not a status "
                f"({exc.detail}) — check the printer and its network line",
                printer=self.name,
            ) from exc
        self._kept = sock
        return status

    def close(self) -> None:
        """Close a status connection that no send used."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None
