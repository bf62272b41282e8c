"""Users and API tokens as stored (only hashes of secrets)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labelsvc.store.clock import now

if TYPE_CHECKING:
    from labelsvc.store.db import Tx


@dataclass(frozen=True)
class UserRow:
    """A person who logs in to the pages."""

    name: str
    role: str
    password_hash: str
    created_at: str
    disabled_at: str | None


@dataclass(frozen=True)
class TokenRow:
    """An API token: a named client with scopes; the secret itself is never stored."""

    id: int
    name: str
    scopes: tuple[str, ...]
    token_hash: str
    created_by: str
    created_at: str
    revoked_at: str | None
    last_used_at: str | None


class UserRepo:
    """Users and tokens; names and token hashes are UNIQUE in the schema."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def add(self, name: str, role: str, password_hash: str) -> None:
        """Insert a user (a taken name raises IntegrityError)."""
        self.tx.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, password_hash, now()),
        )

    def update(self, name: str, *, role: str | None = None, password_hash: str | None = None,
               disabled: bool | None = None) -> bool:  # fmt: skip
        """Change a user's role, password or disabled flag; False when there is no such user."""
        cur = self.tx.execute(
            "UPDATE users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash),"
            " disabled_at = CASE WHEN ? IS NULL THEN disabled_at WHEN ? = 1 THEN ? ELSE NULL END"
            " WHERE name = ?",
            (role, password_hash, disabled, disabled, now(), name),
        )
        return cur.rowcount == 1

    def get(self, name: str) -> UserRow | None:
        """The user named ``name``, or None."""
        row = self.tx.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return UserRow(**dict(row)) if row else None

    def all(self) -> list[UserRow]:
        """All users by name."""
        return [UserRow(**dict(r)) for r in self.tx.execute("SELECT * FROM users ORDER BY name")]

    def add_token(self, name: str, scopes: list[str], token_hash: str, created_by: str) -> int:
        """Insert a token (a taken name raises IntegrityError)."""
        return self.tx.insert(
            "INSERT INTO api_tokens (name, scopes, token_hash, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, json.dumps(scopes), token_hash, created_by, now()),
        )

    def token_by_hash(self, token_hash: str) -> TokenRow | None:
        """The token with this hash, revoked or not."""
        row = self.tx.execute(
            "SELECT * FROM api_tokens WHERE token_hash = ?", (token_hash,)
        ).fetchone()
        return _token(row) if row else None

    def tokens(self) -> list[TokenRow]:
        """All tokens by name."""
        return [_token(r) for r in self.tx.execute("SELECT * FROM api_tokens ORDER BY name")]

    def revoke_token(self, name: str) -> bool:
        """Revoke a token by name; False when there is no live token of that name."""
        cur = self.tx.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (now(), name),
        )
        return cur.rowcount == 1

    def touch_token(self, token_id: int) -> None:
        """Remember when a token was last used."""
        self.tx.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now(), token_id))


def _token(r: object) -> TokenRow:
    d = dict(r)  # type: ignore[call-overload]
    d["scopes"] = tuple(json.loads(d["scopes"]))
    return TokenRow(**d)
