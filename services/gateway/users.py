"""People who sign in: usernames, roles, argon2 password hashes, and passwords too easy to guess
refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.gateway.tokens import ROLES
from shared.persistence import users as user_rows
from shared.persistence.tables import User

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): each sign-in costs the gateway 19 MiB
# for a moment instead of argon2-cffi's default 64 MiB, which alone would double its peak
# memory. Hashes made with other settings still verify: each hash names its own.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this when the user is unknown keeps sign-in time the same either way.
# Written out rather than hashed at import, which would cost the gateway 19 MiB at start; it
# must carry the parameters of `_hasher` (a test checks that it does).
_DUMMY_HASH = ("$argon2id$v=19$m=19456,t=2,p=1$kuW4Q7j+N0G9kFj/KxcoCA$"
               "GmD/37+QrthuDZHTHXP/ntAAWhjF1oZuwl+QYwtfJf0")
MIN_PASSWORD_LENGTH = 8
# zxcvbn's score 3: more than 10^8 guesses. Every password of its common-password list (the
# most used ones of public breaches) and their usual variations score below it.
MIN_PASSWORD_SCORE = 3
_RATED_LENGTH = 72  # zxcvbn refuses longer; a password's first 72 characters rate it fairly
_ABOUT_US = ("clone hero", "clonehero", "chhub", "hub")


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
    if (problem := weak_password(password, username)) is not None:
        raise UserError(problem)
    if _by_name(session, username) is not None:
        raise UserError(f"there is already a user named {username!r}")
    user_id = user_rows.add_user(session, username=username,
                             password_hash=_hasher.hash(password), role=role)
    return SignedIn(user_id, username, role)


def weak_password(password: str, username: str) -> str | None:
    """Why `password` is too easy to guess, or None: rated by zxcvbn, which knows the common
    passwords, words, names, keyboard runs, dates and l33t spellings, and here the username
    and the hub's own name too."""
    from zxcvbn import zxcvbn  # its word lists (12 MB) load at the first password set

    rating = zxcvbn(password[:_RATED_LENGTH], user_inputs=[username, *_ABOUT_US])
    if rating["score"] >= MIN_PASSWORD_SCORE:
        return None
    feedback = rating["feedback"]
    hints = [feedback["warning"], *feedback["suggestions"]]
    return " ".join(["that password is too easy to guess.", *filter(None, hints)])


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
