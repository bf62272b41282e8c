"""The authority's lease API over HTTP: sites, grants in full, in part or refused with the
reason, retries with the same collection id, continuation pages, who may read what."""

from __future__ import annotations

import uuid

from apikit import Api, Resp, Stack, assert_problem

from labelsvc.domain.actors import SYSTEM
from labelsvc.domain.pools import PoolSpec
from labelsvc.services.pools import save_pool
from labelsvc.services.users import create_token


def _pool(stack: Stack, size: int) -> str:
    name = f"lp-{uuid.uuid4().hex[:8]}"
    save_pool(stack.app.store, PoolSpec(name=name, kind="custom", pattern="L{seq}",
                                        range_start=1, range_end=size), SYSTEM)  # fmt: skip
    return name


def _site(api: Api) -> tuple[str, str]:
    name = f"site{uuid.uuid4().hex[:6]}"
    made = api.post("/sites", {"name": name, "description": "north dock"}, token="admin")
    assert made.status == 201, made.body
    assert made.json["state"] == "active" and made.json["token_name"] == f"site-{name}"
    return name, made.json["token"]


def _lease(api: Api, token: str, pool: str, count: int, cid: str | None = None) -> Resp:
    body = {"pool": pool, "count": count, "collection_id": cid or uuid.uuid4().hex}
    return api.post("/leases", body, token=token)


def test_sites_are_registered_listed_and_a_name_is_taken_once(api: Api) -> None:
    name, token = _site(api)
    assert token
    listed = api.get("/sites", token="admin").json["items"]
    assert name in [s["name"] for s in listed]
    again = api.post("/sites", {"name": name}, token="admin")
    assert again.status == 409
    assert_problem(api.get("/sites", token="label"), 403)


def test_a_site_is_granted_in_full_in_part_then_refused_with_the_reason(
    stack: Stack, api: Api
) -> None:
    pool = _pool(stack, 150)
    _, token = _site(api)
    full = _lease(api, token, pool, 100, "c-full")
    assert full.status == 201, full.body
    lease = full.json
    assert (lease["outcome"], lease["granted"], lease["reason"]) == ("granted", 100, None)
    assert lease["serials"] == [f"L{n}" for n in range(1, 101)]
    assert lease["continuation"] is None and lease["expires_at"]
    assert lease["outstanding"] == 100
    replay = _lease(api, token, pool, 100, "c-full")
    assert replay.status == 200
    assert replay.json["id"] == lease["id"] and replay.json["serials"] == lease["serials"]
    part = _lease(api, token, pool, 100)
    assert part.status == 201
    assert (part.json["outcome"], part.json["granted"]) == ("partial", 50)
    assert "50 serials left" in part.json["reason"]
    refused = assert_problem(_lease(api, token, pool, 10), 409, "lease-refused")
    assert "exhausted" in refused["reason"] and refused["lease"] > part.json["id"]
    shown = api.get(f"/leases/{refused['lease']}", token=token).json
    assert (shown["outcome"], shown["state"], shown["granted"]) == ("refused", "refused", 0)
    # the authority itself can no longer issue any of them
    assert_problem(api.post(f"/pools/{pool}/allocations", {"count": 1}, token="label"), 409)


def test_a_big_lease_comes_in_continuation_pages_complete_and_in_order(
    stack: Stack, api: Api
) -> None:
    pool = _pool(stack, 30_000)
    _, token = _site(api)
    first = _lease(api, token, pool, 25_000).json
    serials, continuation = list(first["serials"]), first["continuation"]
    assert len(serials) == 10_000 and continuation == 10_000
    pages = 1
    while continuation is not None:
        page = api.get(f"/leases/{first['id']}/serials?continuation={continuation}", token=token)
        assert page.status == 200, page.body
        serials += page.json["serials"]
        continuation = page.json["continuation"]
        pages += 1
    assert pages == 3
    assert serials == [f"L{n}" for n in range(1, 25_001)]


def test_only_a_site_may_lease_and_a_site_sees_only_its_own_leases(stack: Stack, api: Api) -> None:
    pool = _pool(stack, 100)
    not_site = create_token(stack.app.store, f"wms-{uuid.uuid4().hex[:6]}", ["lease"], SYSTEM)
    for token in (not_site.secret, api.tokens["admin"]):
        assert_problem(_lease(api, token, pool, 1), 403, "not-a-site")
    north, north_token = _site(api)
    south, south_token = _site(api)
    theirs = _lease(api, south_token, pool, 5).json
    mine = _lease(api, north_token, pool, 5).json
    own = api.get("/leases", token=north_token).json["items"]
    assert [lease["id"] for lease in own] == [mine["id"]]
    assert_problem(api.get(f"/leases/{theirs['id']}", token=north_token), 403, "lease-not-yours")
    assert_problem(api.get(f"/leases/{theirs['id']}/serials", token=north_token), 403)
    by_admin = api.get(f"/leases?site={south}", token="admin").json["items"]
    assert [lease["id"] for lease in by_admin] == [theirs["id"]]
    assert north != south


def test_a_decommissioned_site_gets_no_new_lease(stack: Stack, api: Api) -> None:
    pool = _pool(stack, 100)
    name, token = _site(api)
    assert _lease(api, token, pool, 5).status == 201
    gone = api.post(f"/sites/{name}/decommission", token="admin")
    assert gone.status == 200 and gone.json["state"] == "decommissioned"
    refused = assert_problem(_lease(api, token, pool, 5), 409, "lease-refused")
    assert "decommissioned" in refused["reason"]
    other_name, other = _site(api)
    assert api.get(f"/sites/{other_name}", token=other).json["state"] == "active"
    assert_problem(api.get(f"/sites/{name}", token=other), 403, "site-not-yours")
    assert_problem(api.post(f"/sites/{name}/decommission", token=other), 403, "site-not-yours")
