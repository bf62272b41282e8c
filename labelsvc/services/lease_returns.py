"""At a site: give unused leased serials back (on demand, on expiry, on decommissioning).

Values are marked returned here and the ``lease.returned`` message for the authority is
written in the same transaction, so a crash can delay a return but never lose one or send
one for values still issuable here. A serial an allocation took (allocated, printed and
beyond) is reported, never returned: asking to return one names it and refuses the lot.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from labelsvc.domain.actors import SYSTEM, Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, LabelsvcError, NotFound, Unavailable
from labelsvc.domain.lease_site import (
    RETURN_BATCH,
    SUBSCRIPTION_NAME,
    LinkState,
    RequestState,
    ReturnReason,
)
from labelsvc.domain.leases import BlockOrigin, BlockState
from labelsvc.domain.topics import Topic
from labelsvc.domain.webhooks import DeliveryState
from labelsvc.services.app import App
from labelsvc.services.lease_site import Link, client_of, link_of, request_block
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.lease_site import LeaseSiteRepo, RequestRow
from labelsvc.store.supply import BlockRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Returned:
    """How many serials went back, from how many blocks."""

    serials: int
    blocks: int


def publish_return(tx: Tx, site: str, block: BlockRow, values: Sequence[str],
                   reason: ReturnReason) -> None:  # fmt: skip
    """The ``lease.returned`` messages of a block's values (in batches), in the caller's tx."""
    for start in range(0, len(values), RETURN_BATCH):
        tx.outbox.add(
            Topic.LEASE_RETURNED,
            {"site": site, "lease": int(block.reference), "reason": str(reason),
             "serials": list(values[start : start + RETURN_BATCH])},
            subject=f"lease:{block.reference}",
        )  # fmt: skip


def _give_back(tx: Tx, site: str, block: BlockRow, values: Sequence[str],
               reason: ReturnReason, actor: Actor, state: BlockState | None) -> int:  # fmt: skip
    """Mark values returned, publish them, and set the block's state; how many went."""
    returned = tx.supply.return_values(block.id, values)
    if returned != len(values):
        raise Conflict("lease-return-raced", "Some of those serials were allocated meanwhile; "
                       "nothing was returned. Try again.")  # fmt: skip
    if values:
        publish_return(tx, site, block, values, reason)
    if state is not None:
        tx.supply.set_state(block.id, state)
    details = {"pool": block.pool, "count": returned, "reason": str(reason)}
    tx.events.append("lease-returned", actor=actor.label, subject=f"lease:{block.reference}",
                     details=details)  # fmt: skip
    return returned


def _site(tx: Tx) -> str:
    link = link_of(tx)
    if link is None:
        raise NotFound("lease-not-linked", "This site is not linked to a serial authority.")
    return link.site


def expire_leases(app: App) -> int:
    """Mark lapsed leased blocks expired and return their free values; how many blocks.

    Values an abandoned allocation gave back to a block that meanwhile expired or was
    returned (``recover_abandoned``) are returned too: they can never be drawn here.
    """
    with app.store.read() as tx:
        lapsed = [b for b in tx.supply.lapsed() if b.origin == BlockOrigin.LEASE]
        stragglers = LeaseSiteRepo(tx).closed_blocks_with_free_values()
        site = link_of(tx)
    if site is None:
        return 0
    done = 0
    for block in [*lapsed, *stragglers]:
        with app.store.write() as tx:
            state = LeaseSiteRepo(tx).lock_block(block.id)
            values = tx.supply.free_values(block.id)
            if state == BlockState.ACTIVE and block in lapsed:
                _give_back(tx, site.site, block, values, ReturnReason.EXPIRED, SYSTEM,
                           BlockState.EXPIRED)  # fmt: skip
            elif state != BlockState.ACTIVE and values:
                why = ReturnReason.EXPIRED if state == BlockState.EXPIRED else _closed_reason(site)
                _give_back(tx, site.site, block, values, why, SYSTEM, None)
            else:
                continue  # another instance got there first
        done += 1
    return done


def _closed_reason(link: Link) -> ReturnReason:
    decommissioned = link.state != LinkState.LINKED
    return ReturnReason.DECOMMISSIONED if decommissioned else ReturnReason.ON_DEMAND


def return_serials(app: App, serials: Sequence[str], *, actor: Actor) -> Returned:
    """Return named serials; refused whole, naming the first that cannot go back."""
    require(actor, "manage")
    if not serials:
        raise InvalidInput("lease-return-empty", "Name the serials to return.")
    with app.store.write() as tx:
        site, repo = _site(tx), LeaseSiteRepo(tx)
        for block_id in sorted({b for b, _, _ in repo.value_states(list(serials)).values()}):
            repo.lock_block(block_id)
        found = repo.value_states(list(serials))  # again, under the locks
        by_block: dict[int, list[str]] = {}
        for value in serials:
            if value not in found:
                raise NotFound("lease-serial-unknown", f"Serial {value} was not leased to this "
                               "site; nothing was returned.", serial=value)  # fmt: skip
            block_id, state, pool = found[value]
            if state != "available":
                why = _used(value, state, repo.item_state(value, pool))
                raise Conflict("lease-serial-used", why, serial=value)
            by_block.setdefault(block_id, []).append(value)
        total = 0
        for block_id, values in by_block.items():
            block = tx.supply.block(block_id)
            assert block is not None
            total += _give_back(tx, site, block, values, ReturnReason.ON_DEMAND, actor, None)
    return Returned(total, len(by_block))


def _used(value: str, state: str, item_state: str | None) -> str:
    if state == "returned":
        return f"Serial {value} was returned already; nothing was returned."
    shown = {"allocated": "allocated", "labeled": "printed"}.get(item_state or "", item_state)
    return (
        f"Serial {value} was {shown or 'allocated'} here: a serial that was allocated or "
        "printed is reported to the authority, never returned. Nothing was returned."
    )


def return_leased(app: App, *, actor: Actor, pool: str | None = None, lease: int | None = None,
                  count: int | None = None,
                  reason: ReturnReason = ReturnReason.ON_DEMAND) -> Returned:  # fmt: skip
    """Return free values of active leased blocks (of a pool, of one lease; ``count`` of
    them, else all, and then the blocks are drawn from no more)."""
    require(actor, "manage")
    if count is not None and count < 1:
        raise InvalidInput("lease-return-count", "--count must be 1 or more.")
    with app.store.write() as tx:
        site = _site(tx)
        blocks = [b for b in tx.supply.blocks(pool, state=BlockState.ACTIVE)
                  if b.origin == BlockOrigin.LEASE
                  and (lease is None or b.reference == str(lease))]  # fmt: skip
        left, total, touched = count, 0, 0
        for block in reversed(blocks):  # the newest blocks give first; the oldest are used
            if left is not None and left <= 0:
                break
            LeaseSiteRepo(tx).lock_block(block.id)
            values = tx.supply.free_values(block.id, limit=left)
            state = BlockState.RETURNED if left is None else None
            total += _give_back(tx, site, block, values, reason, actor, state)
            touched += 1 if values else 0
            left = None if left is None else left - len(values)
    if total == 0 and reason == ReturnReason.ON_DEMAND:
        raise Conflict("lease-nothing-to-return", "There are no unused leased serials to return"
                       + (f" in pool {pool}" if pool else "") + ".")  # fmt: skip
    return Returned(total, touched)


def decommission(app: App, *, actor: Actor) -> str:
    """Return everything this site holds unused and tell the authority it is leaving; the
    site asks for no lease from now on. Says whether the authority knows yet."""
    require(actor, "manage")
    with app.store.write() as tx:
        _site(tx)
        LeaseSiteRepo(tx).set_link(state=LinkState.DECOMMISSIONING)
    return finish_decommission(app)


def finish_decommission(app: App) -> str:
    """Settle unanswered requests, return every free leased value, tell the authority.

    Each step is safe to repeat: the site worker calls this until the authority knows.
    """
    try:
        _settle_pending(app)
        return_leased(app, actor=SYSTEM, reason=ReturnReason.DECOMMISSIONED)
        client, link = client_of(app)
        answer = client.post(f"/sites/{link.site}/decommission", {})
        if not answer.ok:
            raise Conflict("authority-error", str(answer.body.get("detail", answer.status)))
    except Unavailable as exc:
        log.warning("decommissioning: %s", exc.detail)
        return f"Returned locally; the authority is not told yet ({exc.detail})."
    except LabelsvcError as exc:
        return f"Returned locally; the authority refused: {exc.detail}"
    with app.store.write() as tx:
        LeaseSiteRepo(tx).set_link(state=LinkState.DECOMMISSIONED)
    return "Decommissioned: every unused serial is returned and the authority leases no more."


def _settle_pending(app: App) -> None:
    """Fetch the answer of every unanswered request, so its serials can be returned too."""
    with app.store.read() as tx:
        pending = [r for r in LeaseSiteRepo(tx).requests(500) if r.state == RequestState.PENDING]
    for request in pending:
        request_block(app, request.pool, actor=SYSTEM, gtin=request.gtin or None,
                      count=request.count, settling=True)  # fmt: skip


@dataclass(frozen=True)
class SiteStatus:
    """What a site holds from its authority: the link, its blocks, its latest requests."""

    link: Link | None
    blocks: list[BlockRow]
    requests: list[RequestRow]
    undelivered: int  # outbox messages for the authority not delivered yet
    at: str  # when it was read (a block expiring before is shown lapsed)

    def lapsed(self, block: BlockRow) -> bool:
        """True for an active block past its expiry: nothing more is drawn from it."""
        return block.state == BlockState.ACTIVE and block.expired(self.at)


def lease_status(app: App, *, actor: Actor) -> SiteStatus:
    """The site's leased blocks (free, state, expiry), requests with refusals, the link."""
    require(actor, "read")
    with app.store.read() as tx:
        blocks = [b for b in tx.supply.blocks() if b.origin == BlockOrigin.LEASE]
        sub = tx.webhooks.get(SUBSCRIPTION_NAME)
        waiting = (
            0
            if sub is None
            else sum(n for state, n in sub.counts.items() if state != DeliveryState.DELIVERED)
        )
        requests = LeaseSiteRepo(tx).requests(20)
        return SiteStatus(link_of(tx), blocks, requests, waiting, now())
