"""Outbound orders and returns: their states, event types and the pick rules, declared once.

Pure rules: the services gather the facts of a scan (what the item is, which order holds
it, how far each line is) and ask :func:`pick_refusal`; the first rule that applies decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from labelsvc.domain.lifecycle import Refusal, hold_refusal, retired_refusal


class OrderState(StrEnum):
    """Where an order stands: picking, closed short by a supervisor, or gone."""

    OPEN = "open"
    SHORT = "closed-short"
    SHIPPED = "shipped"


class ReturnState(StrEnum):
    """A return is open until every unit on it has its disposition."""

    OPEN = "open"
    RESOLVED = "resolved"


class Disposition(StrEnum):
    """What becomes of a returned unit."""

    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    REPAIR = "repair"
    SCRAP = "scrap"


class ReturnFlag(StrEnum):
    """Why a returned serial needs a person's look: a possible fraud or mix-up."""

    UNKNOWN = "unknown-serial"
    NEVER_SHIPPED = "never-shipped"
    OTHER_CUSTOMER = "other-customer"


class OrderEvent(StrEnum):
    """Event types of orders and returns (kebab-case, like every event)."""

    ORDER_CREATED = "order-created"
    PICKED = "picked"
    PUT_BACK = "put-back"
    ORDER_CLOSED_SHORT = "order-closed-short"
    ORDER_SHIPPED = "order-shipped"
    RETURN_OPENED = "return-opened"
    RETURN_RECEIVED = "return-received"
    RETURN_DISPOSED = "return-disposed"
    RETURN_RESOLVED = "return-resolved"


#: How a disposition appears in EPCIS: the CBV business step and disposition of its event.
CBV_OF_DISPOSITION: dict[Disposition, tuple[str, str]] = {
    Disposition.RESTOCK: ("stocking", "sellable_accessible"),
    Disposition.QUARANTINE: ("holding", "non_sellable_other"),
    Disposition.REPAIR: ("holding", "damaged"),
    Disposition.SCRAP: ("destroying", "destroyed"),
}


#: The item state and hold a disposition leaves a returned unit in: a restocked unit is
#: ``labeled`` (its label is on it), which receiving and packing both accept again.
DISPOSED: dict[Disposition, tuple[str, str | None]] = {
    Disposition.RESTOCK: ("labeled", None),
    Disposition.QUARANTINE: ("commissioned", "quarantine"),
    Disposition.REPAIR: ("commissioned", "quarantine"),
    Disposition.SCRAP: ("decommissioned", None),
}


@dataclass(frozen=True)
class PickFacts:
    """What the store knows about one scan at a pick, for :func:`pick_refusal`."""

    name: str
    order: str
    kind: str
    gtin: str | None
    state: str
    hold: str | None
    expiry: str | None  # YYMMDD, day 00 meaning the end of the month
    today: date
    picked_on: str | None  # the order this unit was picked for already, if any
    allocated_to: str | None  # the open order this serial is allocated to, if any
    line_gtins: frozenset[str]
    line_open: bool  # the line of this GTIN still wants units
    line_lists_serials: bool  # the order names the exact serials of this line


def expired(expiry: str | None, today: date) -> bool:
    """True when a YYMMDD expiry lies before ``today`` (day 00: the month's last day)."""
    if not expiry or len(expiry) != 6 or not expiry.isdigit():
        return False
    year, month, day = 2000 + int(expiry[:2]), int(expiry[2:4]), int(expiry[4:])
    if day == 0:
        return (year, month) < (today.year, today.month)
    return (year, month, day) < (today.year, today.month, today.day)


def pick_refusal(f: PickFacts) -> Refusal | None:
    """Why this unit may not be picked for the order, or None when it may."""
    found = retired_refusal(f.name, f.state) or hold_refusal(f.name, f.hold)
    if found:
        return found
    if f.kind != "unit":
        return Refusal("pick-units", f"{f.name} is a container; pick the units one by one.")
    if f.state == "shipped":
        return Refusal("item-shipped", f"{f.name} was shipped already; set it aside.")
    if expired(f.expiry, f.today):
        return Refusal(
            "item-expired", f"{f.name} expired ({f.expiry}); set it aside, pick another."
        )
    if f.picked_on == f.order:
        return Refusal(
            "already-picked", f"{f.name} is picked for {f.order} already; scan the next."
        )
    if f.picked_on:
        return Refusal(
            "picked-for-other-order",
            f"{f.name} is picked for order {f.picked_on}; put it back with that order.",
        )
    if f.allocated_to and f.allocated_to != f.order:
        return Refusal(
            "allocated-to-other-order",
            f"{f.name} is allocated to order {f.allocated_to}; leave it and pick another.",
        )
    return _line_refusal(f)


def _line_refusal(f: PickFacts) -> Refusal | None:
    if f.gtin not in f.line_gtins:
        return Refusal(
            "wrong-product",
            f"{f.name} is GTIN {f.gtin}, which order {f.order} does not want; put it back.",
        )
    if not f.line_open:
        return Refusal(
            "over-pick",
            f"Order {f.order} has all it wants of GTIN {f.gtin}; put {f.name} back.",
        )
    if f.line_lists_serials and f.allocated_to != f.order:
        return Refusal(
            "not-allocated",
            f"{f.name} is not one of the serials allocated to {f.order}; pick an allocated one.",
        )
    return None
