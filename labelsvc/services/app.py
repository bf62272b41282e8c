"""The running service's handles: settings and store, built once and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from labelsvc.config import Settings
from labelsvc.store import Store


@dataclass
class App:
    """What every use case and surface needs: the settings and the database."""

    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings) -> App:
        """Open (and migrate) the configured database."""
        store = Store(
            settings.path(settings.storage.database),
            busy_timeout_ms=settings.storage.busy_timeout_ms,
        )
        store.migrate()
        return cls(settings=settings, store=store)
