"""Structural checks of a captured EPCIS 2.0 JSON-LD document, before anything is stored.

The official JSON schema is what tests validate against; at run time the service checks the
rules a receiver depends on (event types, times with offsets, actions, EPC lists, places)
without a schema engine, and names each fault by its JSON pointer.
"""

from __future__ import annotations

import re
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.domain.instants import parse_instant

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")  # fmt: skip
ACTIONS = ("ADD", "OBSERVE", "DELETE")
OFFSET = re.compile(r"[+-](0\d|1[0-4]):[0-5]\d")
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
MAX_EVENTS = 10_000
_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")


def _event_faults(at: str, e: Any) -> list[dict[str, str]]:
    if not isinstance(e, dict):
        return [{"pointer": at, "detail": "an event is a JSON object"}]
    faults: list[dict[str, str]] = []

    def fault(key: str, detail: str) -> None:
        faults.append({"pointer": f"{at}/{key}", "detail": detail})

    if e.get("type") not in EVENT_TYPES:
        fault("type", f"type must be one of {', '.join(EVENT_TYPES)}")
    try:
        parse_instant(str(e.get("eventTime", "")), "eventTime")
    except InvalidInput:
        fault("eventTime", "eventTime must be an ISO 8601 instant with an offset")
    if not OFFSET.fullmatch(str(e.get("eventTimeZoneOffset", ""))):
        fault("eventTimeZoneOffset", "eventTimeZoneOffset must look like +02:00")
    if e.get("type") != "TransformationEvent" and e.get("action") not in ACTIONS:
        fault("action", "action must be ADD, OBSERVE or DELETE")
    for key in _LISTS:
        value = e.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and URI.fullmatch(v)
                                                  for v in value):  # fmt: skip
            fault(key, f"{key} must be a list of URIs")
    if "parentID" in e and not (isinstance(e["parentID"], str) and URI.fullmatch(e["parentID"])):
        fault("parentID", "parentID must be a URI")
    for key in ("readPoint", "bizLocation"):
        if key in e and not (isinstance(e[key], dict) and URI.fullmatch(str(e[key].get("id")))):
            fault(key, f"{key} must be an object with a URI id")
    for key in ("bizStep", "disposition", "eventID"):
        if key in e and not isinstance(e[key], str):
            fault(key, f"{key} must be a string")
    return faults


def document_faults(doc: Any) -> list[dict[str, str]]:
    """Every fault of an EPCIS document (empty: it may be captured)."""
    if not isinstance(doc, dict) or doc.get("type") != "EPCISDocument":
        return [{"pointer": "/type", "detail": "the body must be an EPCISDocument"}]
    faults = []
    if not doc.get("@context"):
        faults.append({"pointer": "/@context", "detail": "@context is required"})
    if str(doc.get("schemaVersion")) not in ("2.0", "2.0.0"):
        faults.append({"pointer": "/schemaVersion", "detail": "schemaVersion must be 2.0"})
    events = (doc.get("epcisBody") or {}).get("eventList")
    if not isinstance(events, list) or not events:
        return [*faults, {"pointer": "/epcisBody/eventList", "detail": "no events"}]
    if len(events) > MAX_EVENTS:
        faults.append({"pointer": "/epcisBody/eventList",
                       "detail": f"at most {MAX_EVENTS} events per capture"})  # fmt: skip
    for n, event in enumerate(events):
        faults.extend(_event_faults(f"/epcisBody/eventList/{n}", event))
    return faults


def require_valid(doc: Any) -> None:
    """Raise InvalidInput ``epcis-invalid`` listing every fault (the API answers 400)."""
    faults = document_faults(doc)
    if faults:
        raise InvalidInput(
            "epcis-invalid", f"The EPCIS document has {len(faults)} fault(s); first: "
            f"{faults[0]['pointer']}: {faults[0]['detail']}.", faults=faults[:100],
        )  # fmt: skip
