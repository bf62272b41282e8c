"""Reconciliation words, declared once: what a site's report does at its authority.

Pure. The site reporter, the authority's apply, the store and the surfaces read these
names from here (the kinds of discrepancy are :class:`labelsvc.domain.leases.DiscrepancyKind`).
"""

from __future__ import annotations

from enum import StrEnum


class DiscrepancyState(StrEnum):
    """A refused report waits for an admin, who resolves it once looked into."""

    OPEN = "open"
    RESOLVED = "resolved"


class ReportCursor(StrEnum):
    """A site's report cursors: one for leased pools, one for pools of issued lists."""

    LEASE = "lease"
    LIST = "list"


class ReconcileEvent(StrEnum):
    """Events the authority records about reports (site events keep their own types)."""

    USAGE_APPLIED = "lease-usage-applied"
    RETURN_APPLIED = "lease-return-applied"
    DISCREPANCY_RESOLVED = "lease-discrepancy-resolved"


REPORT_BYTES = 768 * 1024  # most bytes of one report's data: below the default body limit
