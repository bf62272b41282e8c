"""Business rules with no I/O: pools, lifecycle, nesting, receipts."""
