"""Nesting rules: unit → case → pallet, levels only go up, capacity and closing.

The database holds the hard guarantees (one ``parent_id`` column, a guarded update, a
trigger for levels); these pure rules give each refusal its code and its words first.
"""

from __future__ import annotations

from typing import Literal

from labelsvc.domain.lifecycle import Refusal

Level = Literal["unit", "case", "pallet"]
LEVELS: dict[str, int] = {"unit": 0, "case": 1, "pallet": 2}
CONTAINER_LEVELS = ("case", "pallet")


def capacity_for(
    level: str, units_per_case: int | None, cases_per_pallet: int | None
) -> int | None:
    """A container's capacity from its product: units per case, cases per pallet."""
    return units_per_case if level == "case" else cases_per_pallet


def nest_refusal(
    child: str,
    child_level: str | None,
    parent: str,
    parent_level: str,
    *,
    loose_units_on_pallets: bool,
) -> Refusal | None:
    """Why ``child`` may not go into ``parent`` because of their levels, or None."""
    if child_level not in LEVELS:
        return Refusal(
            "nest-level", f"{child} is neither a unit nor a container; it cannot be packed."
        )
    if LEVELS[child_level] >= LEVELS[parent_level]:
        return Refusal(
            "nest-level",
            f"{child} is a {child_level}; it cannot go into {parent}, a {parent_level} "
            "(levels only go up: unit → case → pallet).",
        )
    if child_level == "unit" and parent_level == "pallet" and not loose_units_on_pallets:
        return Refusal(
            "loose-unit",
            f"{child} is a unit; put it in a case first (loose units on pallets are off "
            "in the settings: packing.loose_units_on_pallets).",
        )
    return None


def add_refusal(parent: str, state: str, count: int, capacity: int | None) -> Refusal | None:
    """Why nothing more may go into ``parent`` (closed or full), or None."""
    if state != "open":
        return Refusal(
            "container-closed",
            f"{parent} is closed; a supervisor must reopen it before anything is added.",
        )
    if capacity is not None and count >= capacity:
        return Refusal(
            "container-full",
            f"{parent} is full ({count} of {capacity}); close it and open another.",
        )
    return None


def close_refusal(
    parent: str, state: str, count: int, capacity: int | None, reason: str | None
) -> Refusal | None:
    """Why ``parent`` may not be closed (already closed, empty, early without a reason)."""
    if state != "open":
        return Refusal("container-closed", f"{parent} is closed already.")
    if count == 0:
        return Refusal("container-empty", f"{parent} is empty; add something or leave it open.")
    if capacity is not None and count < capacity and not (reason or "").strip():
        return Refusal(
            "close-early-reason",
            f"{parent} holds {count} of {capacity}; say why it is closed early (a reason).",
        )
    return None


def is_early(count: int, capacity: int | None) -> bool:
    """A container closed below its capacity."""
    return capacity is not None and count < capacity
