"""At the authority: lease state per site and pool, and the discrepancies an admin resolves.

An admin sees every site; a site's own token sees its own rows only.
"""

from __future__ import annotations

from labelsvc.domain.actors import Actor, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound
from labelsvc.domain.reconcile import DiscrepancyState, ReconcileEvent
from labelsvc.services.lease_grant import site_of
from labelsvc.store import Store, Tx
from labelsvc.store.lease_reports import AuthorityReports, Discrepancy, SummaryRow
from labelsvc.store.leases import LeaseRepo, LeaseRow


def _scope(tx: Tx, actor: Actor) -> str | None:
    """None for an admin (every site), else the actor's own site."""
    require(actor, "lease")
    return None if actor.may("manage") else site_of(tx, actor).name


def lease_summary(store: Store, *, actor: Actor) -> list[SummaryRow]:
    """Granted, used, returned, voided, expired and outstanding per site and pool."""
    with store.read() as tx:
        return AuthorityReports(tx).summary(_scope(tx, actor))


def latest_leases(store: Store, *, actor: Actor, limit: int = 50) -> list[LeaseRow]:
    """The newest leases (of the actor's site, unless an admin asks)."""
    with store.read() as tx:
        return LeaseRepo(tx).all(site=_scope(tx, actor), limit=limit)


def list_discrepancies(
    store: Store, *, actor: Actor, state: str | None = DiscrepancyState.OPEN, after: int = 0,
    limit: int = 100,
) -> list[Discrepancy]:  # fmt: skip
    """Refused reports, newest first (``state`` None: open and resolved)."""
    if state is not None and state not in set(DiscrepancyState):
        raise InvalidInput("state-invalid", f"state is one of {', '.join(DiscrepancyState)}.")
    with store.read() as tx:
        return AuthorityReports(tx).discrepancies(
            state=state, site=_scope(tx, actor), after=after, limit=limit
        )


def open_discrepancies(store: Store, *, actor: Actor) -> int:
    """How many discrepancies wait for an admin."""
    require(actor, "lease")
    with store.read() as tx:
        return AuthorityReports(tx).open_count()


def resolve_discrepancy(
    store: Store, discrepancy_id: int, *, actor: Actor, note: str = ""
) -> Discrepancy:
    """Mark a discrepancy looked into (admins); it stays listed as resolved."""
    require(actor, "manage")
    with store.write() as tx:
        repo = AuthorityReports(tx)
        found = repo.discrepancy(discrepancy_id)
        if found is None:
            raise NotFound("discrepancy-not-found", f"There is no discrepancy {discrepancy_id}.")
        if found.state == DiscrepancyState.RESOLVED:
            raise Conflict(
                "discrepancy-resolved",
                f"Discrepancy {discrepancy_id} was resolved by {found.resolved_by} already.",
            )
        repo.resolve(discrepancy_id, actor.label, note.strip())
        tx.events.append(
            ReconcileEvent.DISCREPANCY_RESOLVED, actor=actor.label,
            subject=f"discrepancy:{discrepancy_id}",
            details={"kind": found.kind, "site": found.site, "value": found.value,
                     "note": note.strip()},
        )  # fmt: skip
        resolved = repo.discrepancy(discrepancy_id)
        assert resolved is not None
        return resolved
