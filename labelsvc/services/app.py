"""The running service's handles: settings and store, built once and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from labelsvc.config import Settings
from labelsvc.labels.render import TemplateLibrary
from labelsvc.store import Store


def _no_workers(printer: str | None) -> None:
    """Without workers in this process, queued jobs wait for the process that runs them."""


@dataclass
class App:
    """What every use case and surface needs: the settings and the database."""

    settings: Settings
    store: Store
    # Called after a commit that queued print jobs; the print workers replace it when started.
    wake: Callable[[str | None], None] = field(default=_no_workers)

    @cached_property
    def templates(self) -> TemplateLibrary:
        """The site's label templates (kept in the database), compiled once and cached."""
        from labelsvc.services.templates import stored_library

        return stored_library(self.store, self.settings.path(self.settings.paths.zpl))

    @classmethod
    def open(cls, settings: Settings) -> App:
        """Open (and migrate) the configured database."""
        store = Store(
            settings.storage.location(settings),
            busy_timeout_ms=settings.storage.busy_timeout_ms,
            pool_size=settings.storage.pool_size,
        )
        store.migrate()
        return cls(settings=settings, store=store)
