"""``/sites``: at a serial authority, the sites it leases blocks to (admins register them;
a site's token is answered once, at registration)."""

from __future__ import annotations

from typing import Any

from labelsvc.domain.leases import SiteState
from labelsvc.services import lease_grant
from labelsvc.store.leases import SiteRow
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    LIST_QUERY,
    OPT_TIME,
    STRING,
    TIME,
    body,
    obj,
    page_in_memory,
    page_schema,
)

NAME_PATTERN = "^[A-Za-z0-9._-]{1,64}$"
SITE = obj({
    "name": STRING, "state": {"enum": list(SiteState)}, "description": STRING,
    "token_name": {"type": ["string", "null"]}, "created_by": STRING, "created_at": TIME,
    "last_seen_at": OPT_TIME,
})  # fmt: skip
TOKEN = {"type": "string", "description": "The site's API token (scope `lease`); shown once"}
CREATED = obj({**SITE["properties"], "token": TOKEN})
CREATE_BODY = body(
    {"name": {"type": "string", "pattern": NAME_PATTERN},
     "description": {"type": "string", "maxLength": 500}},
    required=("name",),
)  # fmt: skip
PARAMS = {"name": {"type": "string", "pattern": NAME_PATTERN}}


def site_json(s: SiteRow) -> dict[str, Any]:
    """A site as the authority knows it."""
    return {"name": s.name, "state": s.state, "description": s.description,
            "token_name": s.token_name, "created_by": s.created_by, "created_at": s.created_at,
            "last_seen_at": s.last_seen_at}  # fmt: skip


@route("POST", "/sites", summary="Register a site that leases serial blocks", tag="sites",
       body=CREATE_BODY, errors=(409,), responses=json_ok(CREATED, 201), permission="manage",
       description="Makes the site's API token (scope `lease`, named `site-NAME`), answered "
       "here only; the site links with it (`labelsvc lease link`). 409 `site-exists`.")  # fmt: skip
def sites_create(call: Call) -> Reply:
    """Register a site and answer its token once."""
    site, token = lease_grant.register_site(
        call.app.store, call.body["name"], call.actor, call.body.get("description", "")
    )
    return Reply({**site_json(site), "token": token.secret}, status=201)


@route("GET", "/sites", summary="Sites this authority leases to", tag="sites",
       query=LIST_QUERY, responses=json_ok(page_schema(SITE)), permission="manage")  # fmt: skip
def sites_list(call: Call) -> Reply:
    """One page of sites by name."""
    rows = lease_grant.list_sites(call.app.store, call.actor)
    return Reply(page_in_memory(rows, call.query, lambda s: s.name, site_json))


@route("GET", "/sites/{name}", summary="One site", tag="sites", params=PARAMS,
       responses=json_ok(SITE), permission="lease",
       description="An admin, or the site itself (403 `site-not-yours` for another site's "
       "token): how a site checks its link.")  # fmt: skip
def sites_get(call: Call, name: str) -> Reply:
    """A site's state."""
    return Reply(site_json(lease_grant.get_site(call.app.store, name, call.actor)))


@route("POST", "/sites/{name}/decommission", summary="Decommission a site", tag="sites",
       params=PARAMS, responses=json_ok(SITE), permission="lease",
       description="The site gets no new lease (requests are refused with the reason); what "
       "it holds unused it returns through its outbox. An admin or the site itself "
       "may.")  # fmt: skip
def sites_decommission(call: Call, name: str) -> Reply:
    """Refuse the site new leases from now on."""
    return Reply(site_json(lease_grant.decommission_site(call.app.store, name, call.actor)))
