"""Users, passwords and API tokens. Secrets are only ever stored as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from labelsvc.domain.actors import ROLES, SCOPES, Actor, Role, require
from labelsvc.domain.errors import Conflict, InvalidInput, NotFound, Unauthorized
from labelsvc.services.app import App
from labelsvc.store import Store
from labelsvc.store.errors import IntegrityViolation
from labelsvc.store.security import LoginRepo, SessionRepo
from labelsvc.store.users import TokenRow, UserRow

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
TOKEN_PREFIX = "lsv_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
# A fixed hash to compare against when the user does not exist, so timing tells nothing.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


def hash_password(password: str) -> str:
    """A salted scrypt hash in a self-describing text form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(expected, actual)


def hash_token(token: str) -> str:
    """Tokens are long random secrets, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check_name(name: str, what: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"{what}-invalid",
            f"{what} name {name!r} must be 1-64 letters, digits, '.', '_', '@' or '-'.",
            field="name",
        )


def add_user(store: Store, name: str, role: str, password: str, actor: Actor) -> None:
    """Create a user with a role; the password is hashed."""
    require(actor, "manage")
    _check_name(name, "user")
    if role not in ROLES:
        raise InvalidInput(
            "role-invalid", f"role must be one of {', '.join(ROLES)}, not {role!r}.", field="role"
        )
    if len(password) < 8:
        raise InvalidInput(
            "password-weak", "A password needs at least 8 characters.", field="password"
        )
    with store.write() as tx:
        try:
            tx.users.add(name, role, hash_password(password))
        except IntegrityViolation as exc:
            raise Conflict("user-exists", f"There is already a user named {name!r}.") from exc
        tx.events.append(
            "user-added", actor=actor.label, subject=f"user:{name}", details={"role": role}
        )


def change_user(store: Store, name: str, actor: Actor, *, role: str | None = None,
                password: str | None = None, disabled: bool | None = None) -> None:  # fmt: skip
    """Change a user's role or password, or disable the account."""
    require(actor, "manage")
    if role is not None and role not in ROLES:
        raise InvalidInput("role-invalid", f"role must be one of {', '.join(ROLES)}.")
    if password is not None and len(password) < 8:
        raise InvalidInput("password-weak", "A password needs at least 8 characters.")
    with store.write() as tx:
        hashed = hash_password(password) if password else None
        if not tx.users.update(name, role=role, password_hash=hashed, disabled=disabled):
            raise NotFound("user-not-found", f"There is no user named {name!r}.")
        # A changed password, role or a disabled account ends every session of the user;
        # a new password also lifts a login lockout (the guesser no longer knows it).
        SessionRepo(tx).delete_user(name)
        if password:
            LoginRepo(tx).clear(f"user:{name.lower()}")
        tx.events.append(
            "user-changed", actor=actor.label, subject=f"user:{name}",
            details={"role": role, "password": bool(password), "disabled": disabled},
        )  # fmt: skip


def authenticate_user(store: Store, name: str, password: str, station: str | None = None) -> Actor:
    """The actor for a correct name and password; Unauthorized otherwise."""
    with store.read() as tx:
        user = tx.users.get(name)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not ok or user.disabled_at:  # the same answer: no account guessing
        raise Unauthorized("login-failed", "Wrong user name or password.")
    role: Role = user.role  # type: ignore[assignment]
    return Actor(name=user.name, kind="user", role=role, station=station)


def user_actor(store: Store, name: str, station: str | None = None) -> Actor | None:
    """The actor for a logged-in session's user, or None if the user is gone or disabled."""
    with store.read() as tx:
        user = tx.users.get(name)
    if user is None or user.disabled_at:
        return None
    role: Role = user.role  # type: ignore[assignment]
    return Actor(name=user.name, kind="user", role=role, station=station)


@dataclass(frozen=True)
class NewToken:
    """A token as created: the secret is shown once and never stored."""

    name: str
    scopes: tuple[str, ...]
    secret: str


def create_token(store: Store, name: str, scopes: list[str], actor: Actor) -> NewToken:
    """Create an API token with scopes; return the secret (shown once)."""
    require(actor, "manage")
    _check_name(name, "token")
    bad = sorted(set(scopes) - set(SCOPES))
    if bad or not scopes:
        raise InvalidInput(
            "scope-invalid",
            f"scopes must be some of {', '.join(SCOPES)}; got {', '.join(bad) or 'none'}.",
            field="scopes",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as tx:
        try:
            tx.users.add_token(name, sorted(set(scopes)), hash_token(secret), actor.label)
        except IntegrityViolation as exc:
            raise Conflict("token-exists", f"There is already a token named {name!r}.") from exc
        tx.events.append(
            "token-created", actor=actor.label, subject=f"client:{name}",
            details={"scopes": sorted(set(scopes))},
        )  # fmt: skip
    return NewToken(name=name, scopes=tuple(sorted(set(scopes))), secret=secret)


def revoke_token(store: Store, name: str, actor: Actor) -> None:
    """Revoke a token; it stops working at once."""
    require(actor, "manage")
    with store.write() as tx:
        if not tx.users.revoke_token(name):
            raise NotFound("token-not-found", f"There is no live token named {name!r}.")
        tx.events.append("token-revoked", actor=actor.label, subject=f"client:{name}")


def authenticate_token(store: Store, secret: str) -> Actor:
    """The client actor for a live token; Unauthorized otherwise."""
    with store.read() as tx:
        token = tx.users.token_by_hash(hash_token(secret))
    if token is None or token.revoked_at:
        raise Unauthorized("token-invalid", "The API token is missing, unknown or revoked.")
    return Actor(name=token.name, kind="client", scopes=frozenset(token.scopes))


def users_and_tokens(app: App, actor: Actor) -> tuple[list[UserRow], list[TokenRow]]:
    """Every user and API token (hashes stay inside; admins only)."""
    require(actor, "manage")
    with app.store.read() as tx:
        return tx.users.all(), tx.users.tokens()
