"""``/webhooks``: subscriptions of partner endpoints to outbox topics (admins only), their
deliveries, and redelivery on demand. The signing secret is answered once, at creation."""

from __future__ import annotations

import re
from typing import Any

from labelsvc.domain.errors import InvalidInput
from labelsvc.domain.topics import ALL_TOPICS
from labelsvc.domain.webhooks import DeliveryState, SubscriptionKind, SubscriptionState
from labelsvc.services import webhooks as hooks
from labelsvc.store.webhooks import Delivery, Subscription
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    INTEGER,
    LIST_QUERY,
    OPT_INTEGER,
    OPT_STRING,
    OPT_TIME,
    STRING,
    TIME,
    body,
    obj,
    page,
    page_in_memory,
    page_schema,
)

TOPIC: dict[str, Any] = {"enum": sorted(ALL_TOPICS)}
SUBSCRIPTION = obj({
    "name": STRING, "url": STRING, "kind": {"enum": list(SubscriptionKind)},
    "state": {"enum": list(SubscriptionState)}, "topics": {"type": "array", "items": TOPIC},
    "created_at": TIME, "created_by": STRING,
    "deliveries": obj(dict.fromkeys(DeliveryState, INTEGER)),
})  # fmt: skip
CREATED = obj(
    {
        "subscription": SUBSCRIPTION,
        "secret": {
            "type": "string",
            "description": "HMAC-SHA256 key of the signatures; shown only this once",
        },
    }
)
DELIVERY = obj({
    "id": INTEGER, "message_id": STRING, "topic": STRING,
    "state": {"enum": list(DeliveryState)}, "attempts": INTEGER, "next_attempt_at": TIME,
    "last_status": OPT_INTEGER, "last_error": OPT_STRING, "created_at": TIME,
    "delivered_at": OPT_TIME,
})  # fmt: skip
CREATE_BODY = body(
    {"name": {"type": "string", "pattern": "^[A-Za-z0-9._@-]{1,64}$"},
     "url": {"type": "string", "minLength": 8, "maxLength": 2000,
             "description": "http:// or https:// endpoint the messages are POSTed to"},
     "kind": {"enum": list(SubscriptionKind), "description": "`epcis`: each shipment's "
              "EPCIS 2.0 document to a capture endpoint (topics are implied)"},
     "topics": {"type": "array", "items": TOPIC, "minItems": 1, "uniqueItems": True}},
    required=("name", "url"),
)  # fmt: skip
REDELIVER_BODY = body(
    {"delivery": {"type": "integer", "minimum": 1, "description": "One delivery by id"},
     "dead": {"type": "boolean", "description": "Every dead delivery"}},
)  # fmt: skip
REDELIVERED = obj({"queued": INTEGER})
NAME = {"name": {"type": "string", "pattern": "^[A-Za-z0-9._@-]{1,64}$"}}
DELIVERY_QUERY = {**LIST_QUERY, "state": {"enum": list(DeliveryState)}}


def subscription_json(s: Subscription) -> dict[str, Any]:
    """A subscription without its secret."""
    return {"name": s.name, "url": s.url, "kind": s.kind, "state": s.state,
            "topics": list(s.topics), "created_at": s.created_at, "created_by": s.created_by,
            "deliveries": dict(s.counts)}  # fmt: skip


def delivery_json(d: Delivery) -> dict[str, Any]:
    """One delivery's state."""
    return {"id": d.id, "message_id": d.message_id, "topic": d.topic, "state": d.state,
            "attempts": d.attempts, "next_attempt_at": d.next_attempt_at,
            "last_status": d.last_status, "last_error": d.last_error,
            "created_at": d.created_at, "delivered_at": d.delivered_at}  # fmt: skip


@route("GET", "/webhooks", summary="Webhook subscriptions", tag="webhooks", query=LIST_QUERY,
       responses=json_ok(page_schema(SUBSCRIPTION)), permission="manage")  # fmt: skip
def webhooks_list(call: Call) -> Reply:
    """One page of subscriptions by name, with delivery counts per state."""
    rows = hooks.list_subscriptions(call.app, actor=call.actor)
    return Reply(page_in_memory(rows, call.query, lambda s: s.name, subscription_json))


@route("POST", "/webhooks", summary="Subscribe an endpoint to topics", tag="webhooks",
       body=CREATE_BODY, errors=(409,), responses=json_ok(CREATED, 201), permission="manage",
       description="Messages published from now on are POSTed to `url`, signed with the "
       "returned `secret` (see the README, 'Webhooks'). 409 `webhook-exists` for a taken "
       "name.")  # fmt: skip
def webhooks_create(call: Call) -> Reply:
    """Create a subscription; its secret is in this answer only."""
    b = call.body
    made = hooks.create_subscription(
        call.app, b["name"], b["url"], actor=call.actor, topics=b.get("topics"),
        kind=b.get("kind", SubscriptionKind.WEBHOOK),
    )  # fmt: skip
    return Reply({"subscription": subscription_json(made.subscription), "secret": made.secret},
                 status=201)  # fmt: skip


@route("GET", "/webhooks/{name}", summary="One subscription", tag="webhooks", params=NAME,
       responses=json_ok(SUBSCRIPTION), permission="manage")  # fmt: skip
def webhooks_get(call: Call, name: str) -> Reply:
    """A subscription with its delivery counts."""
    return Reply(subscription_json(hooks.get_subscription(call.app, name, actor=call.actor)))


@route("POST", "/webhooks/{name}/pause", summary="Pause a subscription", tag="webhooks",
       params=NAME, responses=json_ok(SUBSCRIPTION), permission="manage",
       description="Deliveries keep being queued; none is sent until it resumes.")  # fmt: skip
def webhooks_pause(call: Call, name: str) -> Reply:
    """Stop sending (messages are kept)."""
    return Reply(subscription_json(hooks.set_active(call.app, name, False, actor=call.actor)))


@route("POST", "/webhooks/{name}/resume", summary="Resume a subscription", tag="webhooks",
       params=NAME, responses=json_ok(SUBSCRIPTION), permission="manage")  # fmt: skip
def webhooks_resume(call: Call, name: str) -> Reply:
    """Send again, oldest first."""
    return Reply(subscription_json(hooks.set_active(call.app, name, True, actor=call.actor)))


@route("POST", "/webhooks/{name}/secret", summary="Give a subscription a new secret",
       tag="webhooks", params=NAME, responses=json_ok(CREATED), permission="manage",
       description="The new `secret` is in this answer only; every attempt from now on is "
       "signed with it.")  # fmt: skip
def webhooks_rotate(call: Call, name: str) -> Reply:
    """Rotate the signing secret."""
    made = hooks.rotate_secret(call.app, name, actor=call.actor)
    return Reply({"subscription": subscription_json(made.subscription), "secret": made.secret})


@route("DELETE", "/webhooks/{name}", summary="Remove a subscription", tag="webhooks",
       params=NAME, responses=json_ok(obj({"removed": STRING})), permission="manage",
       description="Its undelivered messages are dropped for it.")  # fmt: skip
def webhooks_remove(call: Call, name: str) -> Reply:
    """Remove a subscription and its deliveries."""
    hooks.remove_subscription(call.app, name, actor=call.actor)
    return Reply({"removed": name})


@route("GET", "/webhooks/{name}/deliveries", summary="Deliveries of a subscription",
       tag="webhooks", params=NAME, query=DELIVERY_QUERY,
       responses=json_ok(page_schema(DELIVERY)), permission="manage",
       description="Newest first; `state` narrows them (e.g. `dead`).")  # fmt: skip
def webhooks_deliveries(call: Call, name: str) -> Reply:
    """One page of deliveries, newest first."""
    after = call.query.get("after")
    if after is not None and not re.fullmatch(r"[0-9]{1,18}", str(after)):
        raise InvalidInput("cursor-invalid", "after must be a `next` value.", field="after")

    def rows(n: int) -> list[Delivery]:
        return hooks.list_deliveries(call.app, name, actor=call.actor,
                                     state=call.query.get("state"), after=int(after or 0),
                                     limit=n)  # fmt: skip

    return Reply(page(rows, call.query.get("limit"), lambda d: str(d.id), delivery_json))


@route("POST", "/webhooks/{name}/redeliver", summary="Send deliveries again", tag="webhooks",
       params=NAME, body=REDELIVER_BODY, responses=json_ok(REDELIVERED), permission="manage",
       description="Either one `delivery` (any state but in flight) or `dead: true` (all dead "
       "ones); attempts restart from zero and the message id stays the same.")  # fmt: skip
def webhooks_redeliver(call: Call, name: str) -> Reply:
    """Queue again now."""
    b = call.body
    count = hooks.redeliver(call.app, name, actor=call.actor, delivery=b.get("delivery"),
                            dead=bool(b.get("dead")))  # fmt: skip
    return Reply({"queued": count})
