"""``/pools/{name}/supply``: import a list of issued serials, a list pool's supply; and
``/pools/{name}/issuer``: the endpoint it refills from."""

from __future__ import annotations

from typing import Any

from labelsvc.services.issuer_client import PoolSupply, configure_issuer, supply_status
from labelsvc.services.supply_files import import_list
from labelsvc.store.supply import BlockRow
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import INTEGER, OPT_STRING, STRING, TIME, body, obj

IMPORT_BODY = body(
    {
        "file": {"type": "string", "minLength": 1,
                 "description": "The file's text: CSV or XML with count and sha256 (README)"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~ ]+$",
                 "description": "The file's name (errors name it); XML if it starts with <"},
        "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
    },
    required=("file", "name"),
)  # fmt: skip
IMPORT_BODY["examples"] = [{
    "name": "issuer-0017.csv",
    "file": "# count: 2\n"
            "# sha256: 5f0d22262a75bd3a3cd18f6dafee407c9ddc9a2a3037906abd8a6038a890af19\n"
            "serial\nEXT-0001\nEXT-0002\n",
}]  # fmt: skip
BLOCK = obj({
    "id": INTEGER, "gtin": OPT_STRING, "origin": {"enum": ["lease", "file", "issuer", "returned"]},
    "reference": STRING, "count": INTEGER, "available": INTEGER, "state": STRING,
    "checksum": OPT_STRING, "created_at": TIME,
})  # fmt: skip
IMPORTED = obj({"pool": STRING, "format": {"enum": ["csv", "xml"]}, "count": INTEGER,
                "sha256": STRING, "block": BLOCK})  # fmt: skip
IMPORTED["examples"] = [{
    "pool": "issued", "format": "csv", "count": 2,
    "sha256": "5f0d22262a75bd3a3cd18f6dafee407c9ddc9a2a3037906abd8a6038a890af19",
    "block": {"id": 3, "gtin": None, "origin": "file", "reference": "issuer-0017.csv#sha256:...",
              "count": 2, "available": 2, "state": "active", "checksum": "5f0d...",
              "created_at": "2026-12-02T04:00:00.000Z"},
}]  # fmt: skip
ISSUER = obj({
    "url": STRING, "gtin": OPT_STRING, "block": INTEGER, "low_water": INTEGER,
    "report_url": OPT_STRING, "subscription": OPT_STRING, "requests": INTEGER,
    "pending_collection": OPT_STRING, "last_error": OPT_STRING, "last_block_at": OPT_STRING,
})  # fmt: skip
SUPPLY = obj({"pool": STRING, "available": INTEGER, "blocks": {"type": "array", "items": BLOCK},
              "issuer": {"oneOf": [ISSUER, {"type": "null"}]}})  # fmt: skip


def block_json(b: BlockRow) -> dict[str, Any]:
    """A supply block without its values."""
    return {"id": b.id, "gtin": b.gtin, "origin": b.origin, "reference": b.reference,
            "count": b.count, "available": b.available, "state": b.state,
            "checksum": b.checksum, "created_at": b.created_at}  # fmt: skip


def supply_json(s: PoolSupply) -> dict[str, Any]:
    """A list pool's supply and issuer (never its token)."""
    issuer = None
    if s.issuer is not None:
        i = s.issuer
        issuer = {"url": i.url, "gtin": i.gtin, "block": i.block, "low_water": i.low_water,
                  "report_url": i.report_url, "subscription": i.subscription,
                  "requests": i.requests, "pending_collection": i.pending_collection,
                  "last_error": i.last_error, "last_block_at": i.last_block_at}  # fmt: skip
    return {"pool": s.pool, "available": s.available,
            "blocks": [block_json(b) for b in s.blocks], "issuer": issuer}  # fmt: skip


@route("POST", "/pools/{name}/supply", summary="Import a list of issued serials", tag="pools",
       body=IMPORT_BODY, errors=(409,), responses=json_ok(IMPORTED, 201), permission="manage",
       description="The file carries its count and the SHA-256 of its serials (each followed "
       "by a line feed). A wrong checksum or count, a malformed, repeated or already known "
       "serial refuses the whole file (400/409, naming the line); nothing is stored.")  # fmt: skip
def supply_import(call: Call, name: str) -> Reply:
    """Store the file's serials as one block of the pool's supply."""
    done = import_list(call.app.store, name, call.body["name"], call.body["file"].encode(),
                       actor=call.actor, gtin=call.body.get("gtin"))  # fmt: skip
    return Reply({"pool": name, "format": done.format, "count": done.count,
                  "sha256": done.sha256, "block": block_json(done.block)}, status=201)  # fmt: skip


@route("GET", "/pools/{name}/supply", summary="A list pool's supply blocks and issuer",
       tag="pools", responses=json_ok(SUPPLY), permission="read")  # fmt: skip
def supply_get(call: Call, name: str) -> Reply:
    """Free serials, blocks and the issuer's last request."""
    return Reply(supply_json(supply_status(call.app, call.actor, name)[0]))


ISSUER_BODY = body(
    {
        "url": {"type": "string", "minLength": 8, "maxLength": 2000, "pattern": "^https?://"},
        "token": {"type": "string", "minLength": 1, "maxLength": 500},
        "block": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "low_water": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "gtin": {"type": "string", "pattern": "^[0-9]{14}$"},
        "report_url": {"type": "string", "minLength": 8, "maxLength": 2000,
                       "pattern": "^https?://"},
    },
    required=("url", "block", "low_water"),
)  # fmt: skip
ISSUER_BODY["examples"] = [{"url": "https://serials.example.com/api/blocks", "token": "s3cret",
                            "block": 5000, "low_water": 1000,
                            "report_url": "https://serials.example.com/api/usage"}]  # fmt: skip
ISSUER_SET = obj({"pool": STRING, "issuer": ISSUER, "report_secret": OPT_STRING})


@route("PUT", "/pools/{name}/issuer", summary="Name the issuer a list pool refills from",
       tag="pools", body=ISSUER_BODY, errors=(409,), responses=json_ok(ISSUER_SET),
       permission="manage",
       description="Below `low_water` free serials the pool asks `url` for a block of `block` "
       "(the README describes the request and answer). With `report_url`, a webhook "
       "subscription `issuer-POOL` to topic `list.usage` is made; its signing secret is "
       "answered this once in `report_secret`.")  # fmt: skip
def supply_issuer(call: Call, name: str) -> Reply:
    """Configure (or change) the pool's issuer."""
    b = call.body
    made = configure_issuer(call.app, name, url=b["url"], token=b.get("token"), block=b["block"],
                            low_water=b["low_water"], gtin=b.get("gtin"),
                            report_url=b.get("report_url"), actor=call.actor)  # fmt: skip
    [shown] = supply_status(call.app, call.actor, name)
    issuer = supply_json(shown)["issuer"]
    return Reply({"pool": name, "issuer": issuer, "report_secret": made.report_secret})
