"""The serial lifecycle: which states an item may be packed, received or shipped from.

allocated → labeled → commissioned → packed → shipped; side exits: voided, decommissioned.
A hold (quarantine or recall) sits beside the state, so releasing it restores the item
exactly where it stood. Pure rules: services ask, then raise the refusal they get back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

State = Literal[
    "allocated", "labeled", "commissioned", "packed", "shipped", "voided", "decommissioned"
]
STATES: tuple[str, ...] = (
    "allocated", "labeled", "commissioned", "packed", "shipped", "voided", "decommissioned",
)  # fmt: skip
Hold = Literal["quarantine", "recall"]
HOLDS: tuple[str, ...] = ("quarantine", "recall")
#: States from which an item may go into a container (it is not yet out of our hands).
PACKABLE = frozenset({"allocated", "labeled", "commissioned"})
#: States that end an item's life here; nothing may be done with it any more.
RETIRED = frozenset({"voided", "decommissioned"})


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a stable code and a sentence an operator can act on."""

    code: str
    detail: str


def hold_refusal(name: str, hold: str | None) -> Refusal | None:
    """A held item is refused by packing, receiving and shipping alike."""
    if hold == "recall":
        return Refusal("item-recalled", f"{name} is recalled; set it aside.")
    if hold:
        return Refusal(
            "item-quarantined", f"{name} is quarantined; a supervisor must release it first."
        )
    return None


def retired_refusal(name: str, state: str) -> Refusal | None:
    """Voided and decommissioned items are refused everywhere."""
    if state == "voided":
        return Refusal("item-voided", f"{name} was voided; its label must not be used.")
    if state == "decommissioned":
        return Refusal("item-decommissioned", f"{name} was decommissioned.")
    return None


def pack_refusal(name: str, state: str, hold: str | None) -> Refusal | None:
    """Why ``name`` may not go into a container, or None when it may."""
    found = retired_refusal(name, state) or hold_refusal(name, hold)
    if found:
        return found
    if state == "shipped":
        return Refusal(
            "item-shipped",
            f"{name} was shipped; a supervisor must unship it before it is packed again.",
        )
    return None


def ship_refusal(name: str, state: str, hold: str | None) -> Refusal | None:
    """Why ``name`` may not be shipped, or None when it may."""
    found = retired_refusal(name, state) or hold_refusal(name, hold)
    if found:
        return found
    if state == "shipped":
        return Refusal("item-shipped", f"{name} was shipped already.")
    return None


def state_after_unpack(state: str) -> str:
    """A packed item taken out of its container is commissioned again."""
    return "commissioned" if state == "packed" else state


def state_after_unship(has_parent: bool) -> str:
    """An unshipped item is back in stock: packed if it is in a container."""
    return "packed" if has_parent else "commissioned"
