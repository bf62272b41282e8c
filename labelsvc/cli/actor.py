"""Who the CLI acts as: whoever can run it on the server can open the database anyway."""

from __future__ import annotations

import getpass

from labelsvc.domain.actors import Actor


def cli_actor(station: str | None = "cli") -> Actor:
    """The local operator of the command line, with the admin role."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "cli"
    return Actor(name=name, kind="user", role="admin", station=station)
