"""Label templates as admins manage them: validated before they are saved."""

from __future__ import annotations

from labelsvc.domain.actors import Actor, require
from labelsvc.services.app import App


def save_template(app: App, actor: Actor, name: str, text: str) -> None:
    """Validate and save a label template (a bad one is refused naming line and reason)."""
    require(actor, "manage")
    app.templates.add(name, text)
    with app.store.write() as tx:
        tx.events.append("template-saved", actor=actor.label, subject=f"template:{name}")
