"""Label templates as admins manage them: kept in the database, validated before they are saved.

The database is the one source of truth, so every instance renders the same templates; the
files in ``zpl/`` are imported by ``labelsvc init`` and ``labelsvc templates load`` (an import
never undoes an admin's later change without saying so), and a site whose database has no
templates yet (upgraded from a version that read the folder) imports them on first use.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from labelsvc.domain.actors import SYSTEM, Actor, require
from labelsvc.labels.render import SUFFIX, TemplateLibrary
from labelsvc.services.app import App
from labelsvc.services.pools import Imported
from labelsvc.store import Store


class StoredTemplates:
    """A :class:`~labelsvc.labels.render.TemplateSource` over the ``label_templates`` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def names(self) -> list[str]:
        with self.store.read() as tx:
            return tx.templates.names()

    def read(self, name: str) -> str | None:
        with self.store.read() as tx:
            row = tx.templates.get(name)
        return row.body if row else None

    def stamp(self, name: str) -> int | None:
        with self.store.read() as tx:
            stamp = tx.templates.stamp(name)
        return None if stamp is None else zlib.crc32(stamp.encode())

    def write(self, name: str, text: str, by: str | None) -> None:
        with self.store.write() as tx:
            stored = tx.templates.get(name)
            tx.templates.save(name, text, source=stored.source if stored else "admin",
                              file_hash=stored.file_hash if stored else None,
                              edited_by=by or "admin")  # fmt: skip


def stored_library(store: Store, folder: Path) -> TemplateLibrary:
    """The site's template library: the database, seeded from ``folder`` when it is empty."""
    with store.read() as tx:
        empty = not tx.templates.names()
    if empty and folder.is_dir():
        load_template_files(store, folder, SYSTEM)
    return TemplateLibrary(folder, source=StoredTemplates(store))


def load_template_files(
    store: Store, folder: Path, actor: Actor, *, force: bool = False
) -> list[Imported]:
    """Import every ``*.zpl.j2`` of ``folder`` (validated first; nothing saved on an error)."""
    require(actor, "manage")
    checker = TemplateLibrary(folder)
    found = []
    for file in sorted(folder.glob(f"*{SUFFIX}")):
        name, text = file.name[: -len(SUFFIX)], file.read_text(encoding="utf-8")
        checker.validate_source(text, name)
        found.append((name, text, str(file), hashlib.sha256(text.encode()).hexdigest()))
    report = []
    with store.write() as tx:
        for name, text, source, digest in found:
            stored = tx.templates.get(name)
            if stored is not None and stored.edited_by and not force:
                report.append(Imported(
                    name, "kept", f"changed by {stored.edited_by} since it was imported; "
                    "templates load --force applies the file",
                ))  # fmt: skip
                continue
            if stored is not None and stored.file_hash == digest and not force:
                report.append(Imported(name, "unchanged"))
                continue
            created = tx.templates.save(name, text, source=source, file_hash=digest,
                                        edited_by=None)  # fmt: skip
            tx.events.append("template-saved", actor=actor.label, subject=f"template:{name}",
                             details={"source": source})  # fmt: skip
            report.append(Imported(name, "created" if created else "updated"))
    return report


def save_template(app: App, actor: Actor, name: str, text: str) -> None:
    """Validate and save a label template (a bad one is refused naming line and reason)."""
    require(actor, "manage")
    app.templates.add(name, text, by=actor.label)
    with app.store.write() as tx:
        tx.events.append("template-saved", actor=actor.label, subject=f"template:{name}")
