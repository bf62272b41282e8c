"""``/webhooks`` against a live ``labelsvc serve``: admins subscribe a real partner server,
the secret is answered once, a container closed over the API reaches the partner signed,
and deliveries are listed and redelivered with the same message id; both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apikit import GTIN, Api, assert_problem
from livekit import wait_until
from partnerkit import Partner


@pytest.fixture
def partner() -> Iterator[Partner]:
    found = Partner().start()
    yield found
    found.go_away()


def test_only_admins_manage_subscriptions(api: Api, partner: Partner) -> None:
    for scope in ("read", "pack", "label"):
        assert_problem(api.get("/webhooks", token=scope), 403, "forbidden")
        refused = api.post("/webhooks", {"name": "x", "url": partner.url("/x")}, token=scope)
        assert_problem(refused, 403, "forbidden")
    assert_problem(api.get("/webhooks"), 401)
    bad = api.post("/webhooks", {"name": "ftp", "url": "ftp://example.com/in",
                                 "topics": ["job.printed"]}, token="admin")  # fmt: skip
    assert_problem(bad, 400, "webhook-url-invalid")
    assert_problem(api.post("/webhooks", {"name": "none", "url": partner.url("/n")},
                            token="admin"), 400, "webhook-topic-invalid")  # fmt: skip


def test_a_closed_case_reaches_the_partner_signed_and_redelivers(
    api: Api, partner: Partner
) -> None:
    made = api.post("/webhooks", {"name": "wms", "url": partner.url("/in"),
                                  "topics": ["container.closed"]}, token="admin")  # fmt: skip
    assert made.status == 201, made.body
    secret = made.json["secret"]
    assert secret.startswith("whsec_")
    partner.path("/in", secret=secret)
    listed = api.get("/webhooks", token="admin").json["items"]
    assert [s["name"] for s in listed if s["name"] == "wms"] == ["wms"]
    assert secret not in api.get("/webhooks", token="admin").body.decode()
    assert secret not in api.get("/webhooks/wms", token="admin").body.decode()
    again = api.post("/webhooks", {"name": "wms", "url": partner.url("/in"),
                                   "topics": ["container.closed"]}, token="admin")  # fmt: skip
    assert_problem(again, 409, "webhook-exists")

    unit = api.post("/labels", {"product": GTIN, "count": 1}, token="label").json["items"][0]
    case = api.post("/containers", {"level": "case"}, token="packer").json
    added = api.post(f"/containers/{case['sscc']}/items",
                     {"item": f"01{GTIN}21{unit['serial']}"}, token="packer")  # fmt: skip
    assert added.status == 200, added.body
    closed = api.post(f"/containers/{case['sscc']}/close", {"reason": "test"}, token="packer")
    assert closed.status == 200, closed.body
    assert wait_until(lambda: len(partner.ok("/in")) == 1)
    (first,) = partner.ok("/in")
    assert first.signed and first.json["topic"] == "container.closed"
    assert first.json["data"]["container"]["sscc"] == case["sscc"]

    (delivery,) = api.get("/webhooks/wms/deliveries", token="admin").json["items"]
    assert delivery["state"] == "delivered" and delivery["message_id"] == first.message_id
    queued = api.post("/webhooks/wms/redeliver", {"delivery": delivery["id"]}, token="admin")
    assert queued.json == {"queued": 1}
    assert wait_until(lambda: len(partner.ok("/in")) == 2)
    assert partner.ok("/in")[1].message_id == first.message_id  # the same id: dedupe on it
    assert partner.ok("/in")[1].body == first.body

    rotated = api.post("/webhooks/wms/secret", token="admin").json["secret"]
    assert rotated.startswith("whsec_") and rotated != secret
    partner.path("/in", secret=rotated)  # the partner switches to the new secret
    api.post("/webhooks/wms/redeliver", {"delivery": delivery["id"]}, token="admin")
    assert wait_until(lambda: len(partner.ok("/in")) == 3)
    assert partner.ok("/in")[2].signed  # signed with the new secret, same message
    assert partner.ok("/in")[2].message_id == first.message_id

    paused = api.post("/webhooks/wms/pause", token="admin").json
    assert paused["state"] == "paused"
    assert api.post("/webhooks/wms/resume", token="admin").json["state"] == "active"
    assert api.call("DELETE", "/webhooks/wms", token="admin").json == {"removed": "wms"}
    assert_problem(api.get("/webhooks/wms", token="admin"), 404, "webhook-not-found")
