"""Logging in to the pages: throttling, lockout, audit, and server-side sessions.

A password guesser is slowed, then stopped. Failed logins are counted per account and per
address over ``security.login_window_minutes``; after ``login_delay_after`` failures of an
account every further failure is answered only after a growing delay (capped at
``login_delay_max_seconds``), and at ``login_lockout_after`` failures the account (or, at
twice as many, the address) is locked for ``login_lockout_minutes``: while locked, no
password is even checked. Every success, failure, lockout and refusal is an event.

A session is a row in the store, found by the SHA-256 of a secret the signed cookie holds,
so logging out, changing the password or role, or disabling the user ends it on the server:
a copied cookie is worth nothing afterwards. A session unused for ``idle_timeout_minutes``
ends too.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from labelsvc.config import SecuritySettings
from labelsvc.domain.actors import Actor
from labelsvc.domain.errors import Kind, Unauthorized, Unavailable
from labelsvc.services.app import App
from labelsvc.services.users import authenticate_user
from labelsvc.store import Tx
from labelsvc.store.clock import now
from labelsvc.store.security import LoginRepo, SessionRepo

TOUCH_EVERY = timedelta(seconds=60)  # how stale last_seen_at may get (saves a write a click)


class LoginLocked(Unauthorized):
    """Too many failed logins: this account or address may not try for a while."""

    kind: ClassVar[Kind] = "unauthorized"


@dataclass(frozen=True)
class LoggedIn:
    """A successful login: who, and the session secret for the cookie."""

    actor: Actor
    secret: str


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _keys(name: str, address: str | None) -> list[tuple[str, int]]:
    """Throttle keys with their lockout factor: the account, and the address (twice)."""
    keys = [(f"user:{name.lower()}", 1)]
    if address:
        keys.append((f"addr:{address}", 2))
    return keys


def _locked(tx: Tx, name: str, address: str | None) -> datetime | None:
    """Until when a login for ``name`` from ``address`` is refused, if it is."""
    repo, current = LoginRepo(tx), datetime.now(UTC)
    until = [
        _at(t.locked_until)
        for key, _ in _keys(name, address)
        if (t := repo.get(key)) and t.locked_until and _at(t.locked_until) > current
    ]
    return max(until) if until else None


def _count_failure(tx: Tx, policy: SecuritySettings, name: str, address: str | None) -> int:
    """Record one failure under each key; return the account's failures in the window."""
    repo, current = LoginRepo(tx), datetime.now(UTC)
    window = timedelta(minutes=policy.login_window_minutes)
    account_failures = 0
    for key, factor in _keys(name, address):
        found = repo.get(key)
        fresh = found is None or current - _at(found.window_start) > window
        failures = 1 if fresh or found is None else found.failures + 1
        start = (
            current.isoformat(timespec="milliseconds")
            if fresh or found is None
            else found.window_start
        )
        locked = None
        if failures >= policy.login_lockout_after * factor:
            locked = (current + timedelta(minutes=policy.login_lockout_minutes)).isoformat(
                timespec="milliseconds"
            )
            tx.events.append(
                "login-locked", actor="system", subject=key,
                details={"failures": failures, "until": locked, "address": address},
            )  # fmt: skip
            failures = 0  # a new count starts once the lock ends
        repo.save(key, failures, start, locked)
        if factor == 1:
            account_failures = failures
    return account_failures


def delay_for(policy: SecuritySettings, failures: int) -> float:
    """Seconds to hold back the answer to the ``failures``-th failed login in a row."""
    over = failures - policy.login_delay_after
    if over <= 0:
        return 0.0
    return float(min(policy.login_delay_max_seconds, 0.25 * 2 ** (over - 1)))


def log_in(app: App, name: str, password: str, address: str | None) -> LoggedIn:
    """Check the password under the throttle; on success start a server-side session."""
    policy = app.settings.security
    with app.store.write() as tx:
        until = _locked(tx, name, address)
        if until is not None:
            tx.events.append(
                "login-refused", actor=f"user:{name}", subject=f"user:{name}",
                details={"address": address, "locked_until": until.isoformat()},
            )  # fmt: skip
    if until is not None:
        minutes = max(1, round((until - datetime.now(UTC)).total_seconds() / 60))
        raise LoginLocked(
            "login-locked",
            f"Too many failed logins: logging in is locked for about {minutes} minute(s). "
            "An admin can set a new password with 'labelsvc users passwd'.",
        )
    try:
        actor = authenticate_user(app.store, name, password)
    except Unauthorized:
        with app.store.write() as tx:
            failures = _count_failure(tx, policy, name, address)
            tx.events.append(
                "login-failed", actor=f"user:{name}", subject=f"user:{name}",
                details={"address": address, "failures": failures},
            )  # fmt: skip
        time.sleep(delay_for(policy, failures))  # outside the transaction
        raise
    secret = secrets.token_urlsafe(32)
    with app.store.write() as tx:
        LoginRepo(tx).clear(f"user:{name.lower()}")
        SessionRepo(tx).add(_session_id(secret), actor.name, address)
        tx.events.append(
            "login-succeeded", actor=actor.label, subject=f"user:{actor.name}",
            details={"address": address},
        )  # fmt: skip
    return LoggedIn(actor=actor, secret=secret)


def session_user(app: App, secret: str) -> str | None:
    """The user of a live session, or None when it ended (logout, change, idle timeout)."""
    sid = _session_id(secret)
    with app.store.read() as tx:
        found = SessionRepo(tx).get(sid)
    if found is None:
        return None
    idle = datetime.now(UTC) - _at(found.last_seen_at)
    if idle > timedelta(minutes=app.settings.security.idle_timeout_minutes):
        with app.store.write() as tx:
            SessionRepo(tx).delete(sid)
        return None
    if idle > TOUCH_EVERY:
        try:
            with app.store.write() as tx:
                SessionRepo(tx).touch(sid)
        except Unavailable:
            pass  # a full disk: the page must still show; the next request notes activity
    return found.user_name


def log_out(app: App, secret: str, actor: Actor | None) -> None:
    """End this session on the server."""
    with app.store.write() as tx:
        SessionRepo(tx).delete(_session_id(secret))
        if actor is not None:
            tx.events.append("logout", actor=actor.label, subject=f"user:{actor.name}",
                             details={"at": now()})  # fmt: skip


def end_sessions(tx: Tx, user_name: str) -> int:
    """End every session of a user (password or role changed, account disabled)."""
    return SessionRepo(tx).delete_user(user_name)
