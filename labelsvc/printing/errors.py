"""The one error a transport raises, and whether the printer may have got part of the job."""

from __future__ import annotations

from labelsvc.domain.errors import Unavailable


class TransportError(Unavailable):
    """Sending failed. ``partial`` tells whether any byte may have reached the printer.

    ``partial=False``: nothing went out, the job can be retried safely.
    ``partial=True``: the printer may have printed some or all of it; resending could
    print a serial twice, so a person has to confirm.
    """

    def __init__(
        self, detail: str, *, partial: bool, printer: str = "", code: str | None = None
    ) -> None:
        code = code or ("printer-partial-send" if partial else "printer-unreachable")
        super().__init__(code, detail, printer=printer, partial=partial)
        self.partial = partial
