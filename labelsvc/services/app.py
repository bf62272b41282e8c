"""The running service's handles: settings and store, built once and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from labelsvc.config import Settings
from labelsvc.domain.errors import NotFound
from labelsvc.store import Store, is_postgresql_url

if TYPE_CHECKING:
    from labelsvc.labels.render import TemplateLibrary


def _no_workers(printer: str | None) -> None:
    """Without workers in this process, queued jobs wait for the process that runs them."""


@dataclass
class App:
    """What every use case and surface needs: the settings and the database."""

    settings: Settings
    store: Store
    # Called after a commit that queued print jobs; the print workers replace it when started.
    wake: Callable[[str | None], None] = field(default=_no_workers)
    # Background parts of a serving process by name, each saying what is wrong (None: ok).
    background: dict[str, Callable[[], str | None]] = field(default_factory=dict)

    @cached_property
    def templates(self) -> TemplateLibrary:
        """The site's label templates (kept in the database), compiled once and cached."""
        from labelsvc.services.templates import stored_library

        return stored_library(self.store, self.settings.path(self.settings.paths.zpl))

    @classmethod
    def open(cls, settings: Settings, *, create: bool = True) -> App:
        """Open (and migrate) the configured database.

        With ``create=False`` a missing database is an error that says to run ``init``:
        a command pointed at the wrong site must never make a new, empty one.
        """
        location = settings.storage.location(settings)
        if not create and not is_postgresql_url(location) and not Path(location).exists():
            raise NotFound(
                "site-not-initialised",
                f"The site of {settings.base_dir / 'config.toml'} is not initialised: there is "
                f"no database at {location}. Run 'labelsvc init' there first.",
            )
        store = Store(
            settings.storage.location(settings),
            busy_timeout_ms=settings.storage.busy_timeout_ms,
            pool_size=settings.storage.pool_size,
        )
        store.migrate()
        return cls(settings=settings, store=store)
