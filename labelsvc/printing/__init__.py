"""Printer transports: bytes in, bytes out to a printer. No database, no templates.

A transport sends an already rendered payload (``send``) and, where the printer can say
so, reports its status (``status``). Which transport serves a printer is chosen from its
definition's ``driver`` by :func:`labelsvc.printing.transports.make_transport`.
"""

from labelsvc.printing.errors import TransportError
from labelsvc.printing.status import PrinterStatus
from labelsvc.printing.transports import Transport, make_transport

__all__ = ["PrinterStatus", "Transport", "TransportError", "make_transport"]
