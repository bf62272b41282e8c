"""``/lots``: hold or release every serial of one lot of a product (a supplier recall)."""

from __future__ import annotations

from labelsvc.services.trace import quarantine_lot, release_lot
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import REASON, STATION, body
from labelsvc.web.api.serials import HOLD, hold_json

GTIN = {"type": "string", "pattern": "^[0-9]{8,14}$", "description": "GTIN-8/12/13/14"}
LOT = {"type": "string", "minLength": 1, "maxLength": 20, "description": "AI (10)"}
QUARANTINE_BODY = body(
    {"gtin": GTIN, "lot": LOT, "reason": REASON,
     "recall": {"type": "boolean", "description": "A recall, not a hold"}, "station": STATION},
    required=("gtin", "lot", "reason"),
)  # fmt: skip
RELEASE_BODY = body({"gtin": GTIN, "lot": LOT, "reason": REASON, "station": STATION},
                    required=("gtin", "lot", "reason"))  # fmt: skip


@route("POST", "/lots/quarantine", summary="Quarantine or recall every serial of a lot",
       tag="lots", body=QUARANTINE_BODY, errors=(404,), responses=json_ok(HOLD),
       permission="quarantine",
       description="Held serials are refused by packing, receiving and shipping, and so are "
       "the containers that hold them. 404 `lot-not-found` when no serial has that lot; "
       "`changed` lists only the serials whose hold changed.")  # fmt: skip
def lots_quarantine(call: Call) -> Reply:
    """Hold the whole lot in one transaction."""
    b = call.body
    result = quarantine_lot(
        call.app, b["gtin"], b["lot"], actor=call.actor, reason=b["reason"],
        recall=b.get("recall", False), station=b.get("station"),
    )  # fmt: skip
    return Reply(hold_json(result))


@route("POST", "/lots/release", summary="Release every serial of a lot", tag="lots",
       body=RELEASE_BODY, errors=(404,), responses=json_ok(HOLD), permission="release",
       description="Lifts a quarantine or a recall (a supervisor's decision).")  # fmt: skip
def lots_release(call: Call) -> Reply:
    """Release the whole lot in one transaction."""
    b = call.body
    result = release_lot(call.app, b["gtin"], b["lot"], actor=call.actor, reason=b["reason"],
                         station=b.get("station"))  # fmt: skip
    return Reply(hold_json(result))
