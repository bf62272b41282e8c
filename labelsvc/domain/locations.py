"""Locations, touchpoints and cycle counts: their kinds, event types and pure rules.

A site holds zones, a zone holds bins; each may carry a GLN (AI 414) and a GLN extension
(AI 254), which together name it as an SGLN in EPCIS. Names used in events, states and
refusal codes are declared here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LocationKind(StrEnum):
    """The three levels of a site's layout, outermost first."""

    SITE = "site"
    ZONE = "zone"
    BIN = "bin"


#: The kind a location's parent must have (a site has none).
PARENT_KIND: dict[LocationKind, LocationKind | None] = {
    LocationKind.SITE: None,
    LocationKind.ZONE: LocationKind.SITE,
    LocationKind.BIN: LocationKind.ZONE,
}


class LocationEvent(StrEnum):
    """Event types this part of the service appends."""

    LOCATION_SAVED = "location-saved"
    LOCATION_LABELS_QUEUED = "location-labels-queued"
    PUTAWAY = "putaway"  # an item gets its first location
    MOVED = "moved"  # an item goes from one location to another
    TOUCHPOINT_DECLARED = "touchpoint-declared"
    TOUCHPOINTS_REQUIRED = "touchpoints-required"
    TOUCHPOINT_SCANNED = "touchpoint-scanned"
    COUNT_STARTED = "count-started"
    COUNTED = "counted"
    COUNT_CLOSED = "count-closed"
    COUNT_RESOLVED = "count-resolved"


class CountState(StrEnum):
    """A cycle count is scanned while open, then closed; differences are resolved after."""

    OPEN = "open"
    CLOSED = "closed"


class Difference(StrEnum):
    """What a count line shows against the record."""

    MATCH = "match"
    MISSING = "missing"  # expected here, not scanned
    EXTRA = "extra"  # scanned here, recorded nowhere
    WRONG_PLACE = "wrong-place"  # scanned here, recorded in another location


class Resolution(StrEnum):
    """How a supervisor settles one difference."""

    ACCEPT_FOUND = "accept-found"  # the count is right: move the record to what was found
    KEEP_RECORD = "keep-record"  # the record is right (recounted, found later): change nothing


@dataclass(frozen=True)
class TouchpointSpec:
    """A named step with its CBV 2.0 business step; ``event_types`` scan it implicitly."""

    name: str
    biz_step: str
    title: str
    event_types: tuple[str, ...] = ()


#: The touchpoints a new site starts with; admins declare more.
DEFAULT_TOUCHPOINTS: tuple[TouchpointSpec, ...] = (
    TouchpointSpec("receive", "receiving", "Receive", ("received", "commissioned")),
    TouchpointSpec("inspect", "inspecting", "Inspect"),
    TouchpointSpec("putaway", "storing", "Put away", (LocationEvent.PUTAWAY,)),
    TouchpointSpec("pick", "picking", "Pick", ("picked",)),  # an order's pick scan
    TouchpointSpec("pack", "packing", "Pack", ("packed",)),
    TouchpointSpec("ship", "shipping", "Ship", ("shipped",)),
    TouchpointSpec("cross-dock", "staging_outbound", "Cross-dock"),
    TouchpointSpec("customs", "inspecting", "Customs check"),
    TouchpointSpec("deliver", "arriving", "Deliver"),
)
CBV_PREFIX = "https://ref.gs1.org/cbv/BizStep-"
DEFAULT_PREFIX_LENGTH = 7


def difference(expected: bool, found: bool, recorded_elsewhere: bool) -> Difference:
    """The difference one count line shows."""
    if expected and found:
        return Difference.MATCH
    if expected:
        return Difference.MISSING
    return Difference.WRONG_PLACE if recorded_elsewhere else Difference.EXTRA


def sgln_uri(gln: str, extension: str | None, prefix_length: int) -> str:
    """``urn:epc:id:sgln:CompanyPrefix.LocationReference.Extension`` (TDS 2.x, §6.3.3)."""
    if len(gln) != 13 or not gln.isdigit() or not 6 <= prefix_length <= 12:
        raise ValueError(f"cannot build an SGLN from {gln}/{prefix_length}")
    company, reference = gln[:prefix_length], gln[prefix_length:12]
    return f"urn:epc:id:sgln:{company}.{reference}.{extension or '0'}"
