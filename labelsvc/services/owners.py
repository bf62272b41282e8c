"""Who owns a claim (a print job being sent, an allocation being written), and is it alive.

An owner is ``host:pid:token``. On the owner's own host a dead pid proves the claim is
orphaned at once; from another host only the claim's lease can tell.
"""

from __future__ import annotations

import os
import socket
import uuid

LIVE_TOKENS: set[str] = set()  # owners of this process that are still working


def new_owner() -> str:
    """A fresh owner token for this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_gone(owner: str | None, *, own_process_tokens: set[str] | None = None) -> bool:
    """True when ``owner`` is of this host and its process (or, in this process, its token)
    is gone; False when it may be alive (another host: wait for the lease)."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return own_process_tokens is not None and owner not in own_process_tokens
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
