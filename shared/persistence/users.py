"""The one writer of the `users` table: a person's row, added with an argon2 hash of the
password (the gateway's `users` module hashes and checks passwords). Works in the caller's
transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.persistence.tables import User


def add_user(session: Session, *, username: str, password_hash: str, role: str) -> uuid.UUID:
    user_id = uuid.uuid4()
    session.execute(insert(User).values(id=user_id, username=username,
                                        password_hash=password_hash, role=role))
    return user_id
