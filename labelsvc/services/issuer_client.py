"""Refill list pools from their issuers' HTTP endpoints, never taking a block twice.

The issuer's request and answer (the README documents them)::

    POST <url>   Authorization: Bearer <token>
    {"collection_id": "...", "count": N, "pool": "...", "gtin": "..."|null,
     "continuation": null | <the previous answer's continuation>}
    200 {"collection_id": "...", "serials": [...], "continuation": <opaque>|null,
         "sha256": "<hex over the whole block, optional>"}

The collection id is the request's identity: it is stored before the first call and sent
again on every retry, so an issuer that computed a block but whose answer was lost answers
the retry with the same block. The pages of a block are gathered first and stored as one
block (``receive_block``, origin ``issuer``, reference the collection id) or not at all.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit

from labelsvc.domain.actors import SYSTEM, Actor, require
from labelsvc.domain.errors import InvalidInput, LabelsvcError, NotFound
from labelsvc.domain.leases import BlockOrigin, Supply
from labelsvc.domain.topics import Topic
from labelsvc.services.app import App
from labelsvc.services.supply import list_pool, receive_block
from labelsvc.services.supply_files import list_checksum
from labelsvc.services.webhooks import create_subscription
from labelsvc.store.issuers import IssuerRepo, IssuerRow
from labelsvc.store.supply import BlockRow

MAX_PAGES = 1_000  # pages of one block before the issuer is taken to be looping
ANSWER_LIMIT = 64 * 1024 * 1024  # bytes of one answer page


@dataclass(frozen=True)
class IssuerSetup:
    """An issuer as configured, with the report subscription's secret when one was made."""

    issuer: IssuerRow
    report_secret: str | None


class IssuerError(Exception):
    """The issuer did not answer with a usable page (the request is retried as it was)."""


def configure_issuer(
    app: App, pool: str, *, url: str, block: int, low_water: int, actor: Actor,
    token: str | None = None, gtin: str | None = None, report_url: str | None = None,
) -> IssuerSetup:  # fmt: skip
    """Name the issuer a list pool refills from; with ``report_url`` its use is reported
    there (a webhook subscription to ``list.usage``, whose secret is returned this once)."""
    require(actor, "manage")
    for name, value in (("url", url), ("report_url", report_url)):
        parts = urlsplit(value or "http://x")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("issuer-url-invalid", f"{name} {value!r} is not an http(s) URL.",
                               field=name)  # fmt: skip
    if block < 1 or low_water < 0:
        raise InvalidInput(
            "issuer-block-invalid",
            "block must be at least 1 and low-water at least 0.",
            field="block",
        )
    with app.store.read() as tx:
        row = list_pool(tx, pool, doing="refills from an issuer", lock=False)
        if gtin is None and row.spec.kind == "unit":
            if len(row.spec.gtins) != 1:
                raise InvalidInput("gtin-required", f"Pool {pool} serves several GTINs; say "
                                   "which one the issuer issues for.", field="gtin")  # fmt: skip
            gtin = row.spec.gtins[0]
        earlier = IssuerRepo(tx).get(pool)
    subscription, secret = earlier.subscription if earlier else None, None
    if report_url and subscription is None:
        subscription = f"issuer-{pool}"[:64]
        made = create_subscription(app, subscription, report_url, actor=actor,
                                   topics=[str(Topic.LIST_USAGE)])  # fmt: skip
        secret = made.secret
    with app.store.write() as tx:
        issuer = IssuerRepo(tx).save(
            pool=pool, gtin=gtin, url=url, token=token, block=block, low_water=low_water,
            report_url=report_url, subscription=subscription, actor=actor.label,
        )  # fmt: skip
        tx.events.append("issuer-configured", actor=actor.label, subject=f"pool:{pool}",
                         details={"url": url, "block": block, "low_water": low_water,
                                  "report_url": report_url})  # fmt: skip
    return IssuerSetup(issuer, secret)


def refill_from_issuers(app: App) -> int:
    """One round: each list pool below its issuer's low-water mark (or with a request in
    flight) gets its block; return how many blocks were stored. Safe to run concurrently."""
    with app.store.read() as tx:
        pools = [i.pool for i in IssuerRepo(tx).all()]
    return sum(_refill(app, pool) for pool in pools)


def _refill(app: App, pool: str) -> int:
    """Claim the pool's request (new collection id, or the one in flight), call, store."""
    with app.store.write() as tx:
        issuer = IssuerRepo(tx).get(pool, lock=True)
        if issuer is None:
            return 0
        collection = issuer.pending_collection
        if collection is None:
            if tx.supply.available(pool, issuer.gtin) >= issuer.low_water:
                return 0
            collection = f"{pool}-{secrets.token_hex(8)}"[-100:]
            IssuerRepo(tx).start_request(pool, collection)
    try:
        serials = fetch_block(issuer, collection, app.settings.leases.timeout_seconds)
    except IssuerError as exc:
        with app.store.write() as tx:
            IssuerRepo(tx).failed(pool, f"{collection}: {exc}")
        return 0
    return _store(app, issuer, collection, serials)


def _store(app: App, issuer: IssuerRow, collection: str, serials: list[str]) -> int:
    """Keep the block, once (the issuer's row is locked: two instances store it once); a
    block the issuer would not give ends the request, a bad one is refused whole."""
    try:
        with app.store.write() as tx:
            repo = IssuerRepo(tx)
            repo.get(issuer.pool, lock=True)
            if tx.supply.block_by_reference(str(BlockOrigin.ISSUER), collection) is not None:
                repo.finish_request(issuer.pool, collection)  # another instance stored it
                return 0
            if not serials:
                repo.finish_request(issuer.pool, collection, f"{collection}: the issuer gave none")
                return 0
            receive_block(
                tx, pool=issuer.pool, gtin=issuer.gtin, origin=BlockOrigin.ISSUER,
                reference=collection, values=serials, actor=SYSTEM,
                checksum=list_checksum(serials),
            )  # fmt: skip
            repo.finish_request(issuer.pool, collection)
    except LabelsvcError as exc:  # kept where an admin looks; asked again next round
        with app.store.write() as tx:
            IssuerRepo(tx).failed(issuer.pool, f"{collection}: {exc.detail}")
        return 0
    return 1


def fetch_block(issuer: IssuerRow, collection: str, timeout: float) -> list[str]:
    """Every page of the block of ``collection``, in order (checked against its sha256)."""
    serials: list[str] = []
    continuation: Any = None
    checksum: str | None = None
    for _ in range(MAX_PAGES):
        answer = _post(issuer, {"collection_id": collection, "count": issuer.block,
                                "pool": issuer.pool, "gtin": issuer.gtin,
                                "continuation": continuation}, timeout)  # fmt: skip
        page = answer.get("serials")
        if not isinstance(page, list) or not all(isinstance(s, str) for s in page):
            raise IssuerError("the answer has no list of 'serials'")
        serials += page
        checksum = answer.get("sha256") or checksum
        continuation = answer.get("continuation")
        if continuation is None:
            break
        if not page:
            raise IssuerError("a page with no serials but a continuation")
    else:
        raise IssuerError(f"more than {MAX_PAGES} pages")
    if len(serials) > issuer.block:
        raise IssuerError(f"{len(serials):,} serials for a request of {issuer.block:,}")
    if checksum and str(checksum).lower() != list_checksum(serials):
        raise IssuerError("the serials do not match the answer's sha256")
    return serials


def _post(issuer: IssuerRow, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if issuer.token:
        headers["Authorization"] = f"Bearer {issuer.token}"
    request = urllib.request.Request(issuer.url, data=json.dumps(body).encode(),
                                     headers=headers, method="POST")  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read(ANSWER_LIMIT)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        raise IssuerError(f"HTTP {exc.code}: {detail}".strip()) from exc
    except (OSError, ValueError, HTTPException) as exc:
        raise IssuerError(f"{type(exc).__name__}: {exc}") from exc
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise IssuerError("the answer is not JSON") from exc
    if not isinstance(parsed, dict):
        raise IssuerError("the answer is not a JSON object")
    return parsed


@dataclass(frozen=True)
class PoolSupply:
    """A list pool's supply: free serials, its blocks and its issuer."""

    pool: str
    available: int
    blocks: list[BlockRow]
    issuer: IssuerRow | None


def supply_status(app: App, actor: Actor, pool: str | None = None) -> list[PoolSupply]:
    """Every list pool (or one) with what it holds and how its issuer is doing."""
    require(actor, "read")
    with app.store.read() as tx:
        names = [p.spec.name for p in tx.pools.all() if Supply(p.spec.supply) == Supply.LIST]
        if pool is not None:
            if pool not in names:
                raise NotFound("pool-not-found", f"There is no list pool named {pool!r}.",
                               pool=pool)  # fmt: skip
            names = [pool]
        repo = IssuerRepo(tx)
        return [
            PoolSupply(name, sum(b.available for b in blocks if b.state == "active"), blocks,
                       _hide_token(repo.get(name)))
            for name in names
            for blocks in [tx.supply.blocks(name)]
        ]  # fmt: skip


def _hide_token(issuer: IssuerRow | None) -> IssuerRow | None:
    """An issuer as shown: its token is never printed back."""
    return None if issuer is None else replace(issuer, token="***" if issuer.token else None)
