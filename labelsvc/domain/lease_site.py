"""A site's side of leasing: its link to the authority and its requests, words declared once.

Pure: the site store, services and surfaces read these names from here.
"""

from __future__ import annotations

from enum import StrEnum


class RequestState(StrEnum):
    """A block request a site made (its collection id is stored before it is sent)."""

    PENDING = "pending"  # stored, not answered yet: a retry sends the same collection id
    RECEIVED = "received"  # granted (in full or in part) and its serials are in a block
    REFUSED = "refused"  # the authority granted nothing (``reason`` says why)


class LinkState(StrEnum):
    """Whether a site asks its authority for blocks."""

    LINKED = "linked"
    DECOMMISSIONING = "decommissioning"  # returned its blocks; the authority is not told yet
    DECOMMISSIONED = "decommissioned"  # the authority knows: no new lease


class ReturnReason(StrEnum):
    """Why a site gives leased serials back (``reason`` of a ``lease.returned`` message)."""

    ON_DEMAND = "on-demand"
    EXPIRED = "expired"
    DECOMMISSIONED = "decommissioned"


SUBSCRIPTION_NAME = "authority"  # the site's outbox subscription that carries its reports
REPORTS_PATH = "/api/v1/leases/reports"  # where, under the authority's base URL
REFUSAL_PAUSE_SECONDS = 300.0  # after a refusal a refill waits this long before asking again
RETURN_BATCH = 10_000  # serials in one lease.returned message
