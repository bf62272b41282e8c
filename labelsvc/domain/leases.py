"""Serials from elsewhere: leased blocks, imported and issued lists; words declared once.

A pool's *supply* says where its values come from. An *authority* (any instance, usually on
PostgreSQL) leases blocks of its pools to *sites*; a site allocates from its blocks with no
call to the authority and later reports what it did with each serial. A *list* pool takes
values another issuer made (a file, or an issuer's HTTP endpoint). Pure: stores, services and
surfaces read these names from here.
"""

from __future__ import annotations

from enum import StrEnum


class Supply(StrEnum):
    """Where a pool's values come from."""

    OWN = "own"  # its own range or random draws (the authority of its values)
    LEASE = "lease"  # blocks leased from an authority
    LIST = "list"  # lists another issuer made: imported files, an issuer's endpoint


class BlockOrigin(StrEnum):
    """How a block of supply values arrived."""

    LEASE = "lease"  # granted by an authority (reference: the authority's lease id)
    FILE = "file"  # imported from a file (reference: file name and checksum)
    ISSUER = "issuer"  # requested from an issuer's endpoint (reference: its collection id)
    RETURNED = "returned"  # values a site gave back, to be issued again (never printed)


class BlockState(StrEnum):
    """A block is drawn from only while active and before its expiry."""

    ACTIVE = "active"
    EXPIRED = "expired"  # its lease ran out: its free values wait to be returned
    RETURNED = "returned"  # its free values went back; nothing more is drawn


class ValueState(StrEnum):
    """One value of a block."""

    AVAILABLE = "available"
    TAKEN = "taken"  # an allocation took it (``allocation_id``)
    RETURNED = "returned"  # given back unused; never issued here again


class LeaseOutcome(StrEnum):
    """How an authority answered a lease request."""

    GRANTED = "granted"  # everything asked for
    PARTIAL = "partial"  # less than asked for (``reason`` says why)
    REFUSED = "refused"  # nothing (``reason`` says why)


class LeaseState(StrEnum):
    """A lease at the authority; *expired* is an active lease past ``expires_at``."""

    ACTIVE = "active"  # its holder may issue what it has not used or returned
    CLOSED = "closed"  # every serial is reported used or returned
    REFUSED = "refused"  # nothing was granted


class SiteState(StrEnum):
    """A site the authority leases to."""

    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"  # gets no new lease; its free serials come back


class DiscrepancyKind(StrEnum):
    """A report the authority refused, for an admin to look into."""

    NEVER_LEASED = "never-leased"  # the authority never leased this serial to anyone
    LEASED_ELSEWHERE = "leased-elsewhere"  # it is another site's (a cloned station, a mixup)
    USED_AFTER_RETURN = "used-after-return"  # the site reported use of a serial it returned
    RETURN_OF_USED = "return-of-used"  # a return of a serial reported printed or voided
    UNKNOWN_LEASE = "unknown-lease"  # a report names a lease the authority does not have


COLLECTION_ID_MAX = 100  # characters of a collection id (OPEN-SCS: the request's id)
SERIALS_PAGE = 10_000  # serials in one page of a lease or allocation (then: continuation)
