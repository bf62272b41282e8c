"""``/site/identity``, ``/stations/{name}/sgln``, ``/partners``: GS1 identities (admins)."""

from __future__ import annotations

from dataclasses import asdict

from labelsvc.services import identity as ids
from labelsvc.services.asn_capture import receive_container
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import INTEGER, STATION, STRING, body, obj

OPT = {"type": ["string", "null"]}
GLN = {"type": "string", "pattern": "^[0-9]{13}$", "description": "A 13-digit GLN"}
SITE = obj({"gln": OPT, "prefix_length": INTEGER, "timezone": STRING, "sgln": OPT,
            "offset_now": STRING})  # fmt: skip
SITE_BODY = body({"gln": {"type": "string", "maxLength": 13, "description": "'' clears it"},
                  "prefix_length": {"type": "integer", "minimum": 6, "maximum": 12},
                  "timezone": {"type": "string", "minLength": 1, "maxLength": 64,
                               "description": "IANA zone, e.g. Europe/Berlin"}})  # fmt: skip
SGLN_BODY = body({"sgln": {"type": "string", "maxLength": 80, "description":
                           "An SGLN URN, or a GLN extension of the site's GLN ('' = default)"}},
                 required=("sgln",))  # fmt: skip
PARTNER = obj({"name": STRING, "gln": STRING, "sgln": OPT, "description": STRING,
               "updated_by": STRING, "updated_at": STRING})  # fmt: skip
PARTNER_BODY = body({"gln": GLN, "sgln": {"type": "string", "maxLength": 80},
                     "description": {"type": "string", "maxLength": 200}},
                    required=("gln",))  # fmt: skip
CONTAINER_BODY = body({"sscc": {"type": "string", "minLength": 18, "maxLength": 24},
                       "station": STATION}, required=("sscc",))  # fmt: skip
CONTAINER_RECEIPT = obj({"reference": STRING, "sscc": STRING, "received": INTEGER,
                         "refused": {"type": "array", "items": {"type": "array"}}})  # fmt: skip


@route("GET", "/site/identity", summary="The site's GLN, company prefix length and zone",
       tag="identity", responses=json_ok(SITE), permission="read")  # fmt: skip
def site_get(call: Call) -> Reply:
    """As events are stamped with it now."""
    return Reply(ids.identity_view(ids.site_identity(call.app, call.actor)))


@route("PUT", "/site/identity", summary="Set the site's GLN and time zone", tag="identity",
       body=SITE_BODY, responses=json_ok(SITE), permission="manage",
       description="Later events carry it (readPoint, bizLocation, eventTimeZoneOffset); "
       "events written before keep what they were written with.")  # fmt: skip
def site_put(call: Call) -> Reply:
    """Admins only."""
    b = call.body
    found = ids.set_site_identity(call.app, call.actor, gln=b.get("gln"),
                                  prefix_length=b.get("prefix_length"),
                                  timezone=b.get("timezone"))  # fmt: skip
    return Reply(ids.identity_view(found))


@route("PUT", "/stations/{name}/sgln", summary="Set a station's SGLN (its read point)",
       tag="identity", body=SGLN_BODY, responses=json_ok(obj({"sgln": OPT})),
       permission="manage")  # fmt: skip
def station_sgln(call: Call, name: str) -> Reply:
    """Admins only."""
    return Reply({"sgln": ids.set_station_sgln(call.app, call.actor, name,
                                               call.body["sgln"] or None)})  # fmt: skip


@route("GET", "/partners", summary="Partners (suppliers, customers) and their GLNs",
       tag="identity", responses=json_ok({"type": "array", "items": PARTNER}),
       permission="read")  # fmt: skip
def partners_list(call: Call) -> Reply:
    """By name."""
    return Reply([asdict(p) for p in ids.list_partners(call.app, call.actor)])


@route("PUT", "/partners/{name}", summary="Create or change a partner", tag="identity",
       body=PARTNER_BODY, responses=json_ok(PARTNER), permission="manage",
       description="A receipt's `supplier` or a shipment's `partner` names one; its GLN "
       "(and SGLN) fill sourceList and destinationList.")  # fmt: skip
def partners_put(call: Call, name: str) -> Reply:
    """Admins only."""
    b = call.body
    found = ids.save_partner(call.app, call.actor, name, gln=b["gln"], sgln=b.get("sgln"),
                             description=b.get("description", ""))  # fmt: skip
    return Reply(asdict(found))


@route("POST", "/receipts/{reference}/containers",
       summary="Receive a pre-labelled pallet by its SSCC (captured ASN)", tag="receipts",
       body=CONTAINER_BODY, errors=(404, 409), responses=json_ok(CONTAINER_RECEIPT),
       permission="receive",
       description="For a receipt made from a captured shipping event: the pallet, its "
       "cases and units are received as the captured aggregation says, each checked by "
       "receiving (`refused` lists any that were not, with the reason).")  # fmt: skip
def receipts_container(call: Call, reference: str) -> Reply:
    """Scan the SSCC alone."""
    r = receive_container(call.app, reference, call.body["sscc"], actor=call.actor,
                          station=call.body.get("station"))  # fmt: skip
    return Reply({"reference": r.reference, "sscc": r.sscc, "received": r.received,
                  "refused": [list(x) for x in r.refused]})  # fmt: skip
