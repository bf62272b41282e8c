"""EPCIS and CBV 2.0 terms the service writes, declared once.

Our event types map to EPCIS event kinds with CBV business steps and dispositions; some of
our events correct earlier ones, which EPCIS expresses as an error declaration on the
original event (which stays) pointing at the corrective one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BizTransactionType(StrEnum):
    """CBV 2.0 business transaction types (BTT) we write."""

    PO = "po"
    DESADV = "desadv"
    INV = "inv"
    BOL = "bol"


class SourceDestType(StrEnum):
    """CBV 2.0 source/destination types (SDT)."""

    OWNING_PARTY = "owning_party"
    POSSESSING_PARTY = "possessing_party"
    LOCATION = "location"


class ErrorReason(StrEnum):
    """CBV 2.0 error reasons (ER)."""

    DID_NOT_OCCUR = "did_not_occur"
    INCORRECT_DATA = "incorrect_data"


#: Keys in an event's ``details`` that override the EPCIS defaults (a contract with every
#: writer of events: a putaway may name its bizLocation, a touchpoint its bizStep).
OVERRIDES = ("read_point", "biz_location", "biz_step", "disposition")


@dataclass(frozen=True)
class Correction:
    """An event type that undoes part of an earlier one: which events of the item (or of its
    parent, ``via_parent``) it corrects, and the CBV reason."""

    corrects: str
    reason: ErrorReason
    via_parent: bool = False


CORRECTIONS: dict[str, Correction] = {
    "unshipped": Correction("shipped", ErrorReason.DID_NOT_OCCUR),
    "voided": Correction("shipped", ErrorReason.INCORRECT_DATA),
    "unpacked": Correction("shipped", ErrorReason.INCORRECT_DATA, via_parent=True),
}
#: ``details`` keys with which an admin fix names the event rows it corrects and why.
CORRECTS_KEY, CORRECTION_REASON_KEY = "corrects", "correction_reason"
#: Our event type of an admin fix: an event declared in error, with no corrective event.
ERROR_DECLARED = "error-declared"
