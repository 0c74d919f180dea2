"""People who sign in: usernames, roles and argon2 password hashes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalog.tables import User
from services.gateway.tokens import ROLES

_hasher = PasswordHasher()
# Verifying against this when the user is unknown keeps sign-in time the same either way.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user cannot be created as asked."""


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to, as the pages need it."""

    id: uuid.UUID
    username: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def create_user(session: Session, username: str, password: str, role: str) -> SignedIn:
    username = username.strip()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not username or len(username) > 64:
        raise UserError("a username has 1 to 64 characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if _by_name(session, username) is not None:
        raise UserError(f"there is already a user named {username!r}")
    user = User(id=uuid.uuid4(), username=username, password_hash=_hasher.hash(password),
                role=role)
    session.add(user)
    return SignedIn(user.id, user.username, user.role)


def authenticate(session: Session, username: str, password: str) -> SignedIn | None:
    """The user if the password is right and the account enabled, else None."""
    user = _by_name(session, username.strip())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(user.id, user.username, user.role)


def signed_in(session: Session, user_id: uuid.UUID) -> SignedIn | None:
    """The session's user as the database knows it now (role changes apply at once)."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(user.id, user.username, user.role)


def list_users(session: Session) -> list[SignedIn]:
    rows = session.execute(select(User).order_by(func.lower(User.username))).scalars()
    return [SignedIn(u.id, u.username, u.role) for u in rows]


def _by_name(session: Session, username: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.username) == username.lower())).scalar()
