"""Topics of the outbox: the state changes a partner can subscribe to, declared once.

A topic names what changed, not who is told; a subscription picks topics. Every row of the
outbox carries one of these, written in the transaction that made the change (so a crash
can delay a delivery but never lose or invent one).
"""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """What an outbox message is about."""

    JOB_PRINTED = "job.printed"
    JOB_FAILED = "job.failed"
    JOB_HELD = "job.held"
    JOB_NEEDS_CONFIRMATION = "job.needs-confirmation"
    POOL_LOW = "pool.low"
    POOL_EXHAUSTED = "pool.exhausted"
    PRINTER_STATUS_CHANGED = "printer.status-changed"
    RECEIPT_CLOSED = "receipt.closed"
    CONTAINER_CLOSED = "container.closed"
    SHIPMENT_SHIPPED = "shipment.shipped"
    ITEMS_QUARANTINED = "items.quarantined"
    ITEMS_RECALLED = "items.recalled"
    ITEMS_MOVED = "items.moved"
    TOUCHPOINT_SCANNED = "touchpoint.scanned"
    COUNT_CLOSED = "count.closed"
    ORDER_SHIPPED = "order.shipped"
    RETURN_RECEIVED = "return.received"
    LEASE_USAGE = "lease.usage"  # a site: what it did with leased serials, and its events
    LEASE_RETURNED = "lease.returned"  # a site: unused leased serials it gives back
    LIST_USAGE = "list.usage"  # what was done with serials another issuer made (to it)


ALL_TOPICS = frozenset(Topic)
