"""The one place that speaks SQL. Services use :class:`Store` and the repositories on a Tx."""

from labelsvc.store.db import Store, Tx, is_postgresql_url

__all__ = ["Store", "Tx", "is_postgresql_url"]
