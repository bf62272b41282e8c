"""The ``cups`` driver: a raw CUPS queue, fed through ``lp -o raw``, its job followed by IPP.

``lp`` is called directly rather than through ``zebra.Zebra(queue).output()``, because
that helper ignores the exit status and a refused job would look printed. ``lp`` either
hands the job to the scheduler (and says its request id) or fails, so a failure is safe to
retry; only a hung ``lp`` (killed after the send timeout) leaves it unknown whether CUPS
took the job. After the send, :meth:`CupsQueue.job_state` asks the scheduler for the IPP
``job-state`` of that request (``ipptool`` get-job-attributes) until it is completed,
stopped, canceled or aborted.
"""

from __future__ import annotations

import re
import subprocess

from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import PrinterStatus


class CupsQueue:
    """A CUPS queue (``address`` = queue name) on the default or a given server."""

    def __init__(
        self, queue: str, *, server: str = "", send_timeout: float = 30.0, name: str = ""
    ) -> None:
        self.queue = queue
        self.server = server
        self.send_timeout = send_timeout
        self.name = name or queue
        self.last_job: int | None = None  # the CUPS request id of the last job sent

    def _server_args(self) -> list[str]:
        return ["-h", self.server] if self.server else []

    def _run(self, argv: list[str], data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                argv, input=data, capture_output=True, timeout=self.send_timeout, check=False
            )
        except FileNotFoundError as exc:
            raise TransportError(
                f"{argv[0]} is not installed — install the CUPS client (Debian: cups-client)",
                partial=False,
                printer=self.name,
            ) from exc

    def send(self, data: bytes, *, tag: str = "") -> None:
        """Submit ``data`` as one raw job; its request id becomes :attr:`last_job`."""
        argv = ["lp", *self._server_args(), "-d", self.queue, "-o", "raw", "-t", tag or "labelsvc"]
        self.last_job = None
        try:
            proc = self._run(argv, data)
        except subprocess.TimeoutExpired as exc:
            raise TransportError(
                f"lp for CUPS queue {self.queue} did not finish in {self.send_timeout}s; "
                "CUPS may have accepted the job",
                partial=True,
                printer=self.name,
            ) from exc
        if proc.returncode != 0:
            why = proc.stderr.decode("utf-8", "replace").strip()
            raise TransportError(
                f"CUPS refused the job for queue {self.queue}: {why}",
                partial=False,
                printer=self.name,
            )
        found = re.search(r"request id is \S+-(\d+)", proc.stdout.decode("utf-8", "replace"))
        self.last_job = int(found[1]) if found else None

    def job_state(self, job_id: int) -> str | None:
        """The IPP ``job-state`` of a request (pending, processing, completed...), or None."""
        uri = f"ipp://{self.server or 'localhost:631'}/jobs/{job_id}"
        try:
            proc = self._run(["ipptool", "-T", "5", "-tv", uri, "get-job-attributes.test"])
        except subprocess.TimeoutExpired:
            return None
        found = re.search(r"job-state \(enum\) = (\S+)", proc.stdout.decode("utf-8", "replace"))
        return found[1] if found else None

    def status(self) -> PrinterStatus | None:
        """The queue's state from ``lpstat -p``: a disabled queue holds jobs."""
        try:
            proc = self._run(["lpstat", *self._server_args(), "-p", self.queue])
        except subprocess.TimeoutExpired as exc:
            raise TransportError(
                f"CUPS did not answer for queue {self.queue}", partial=False, printer=self.name
            ) from exc
        text = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0:
            why = proc.stderr.decode("utf-8", "replace").strip()
            raise TransportError(
                f"CUPS queue {self.queue} is not available: {why}",
                partial=False,
                printer=self.name,
            )
        if "disabled" in text:
            return PrinterStatus(
                ok=False,
                problems=[
                    f"CUPS queue {self.queue} is disabled — run 'cupsenable {self.queue}'; "
                    "the job prints when the queue is enabled"
                ],
            )
        return PrinterStatus(ok=True)

    def label_counter(self) -> int | None:
        """Not known to this transport: its jobs settle as ``sent``."""
        return None

    def close(self) -> None:
        """Nothing is kept open between calls."""
