"""API tokens: created once and shown once, kept only as sha256, revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalog.tables import ApiToken

ROLES = ("viewer", "uploader", "admin")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = f"chh_{secrets.token_urlsafe(32)}"
    session.add(ApiToken(name=name, role=role, token_sha256=_digest(token)))
    return token


def principal_for(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == _digest(token),
                               ApiToken.revoked_at.is_(None))
    ).scalar()
    return Principal(row.name, row.role) if row else None


def revoke_token(session: Session, token: str) -> bool:
    """Revoke `token` from now on; False when it is unknown or already revoked."""
    row = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == _digest(token),
                               ApiToken.revoked_at.is_(None))
    ).scalar()
    if row is not None:
        row.revoked_at = func.now()
    return row is not None


def list_tokens(session: Session) -> list[dict[str, Any]]:
    """Every token, newest first: its name, role and dates, never its secret."""
    rows = session.execute(select(ApiToken).order_by(ApiToken.created_at.desc())).scalars()
    return [{"id": str(row.id), "name": row.name, "role": row.role,
             "created_at": row.created_at.isoformat(),
             "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}
            for row in rows]


def revoke_token_by_id(session: Session, token_id: uuid.UUID) -> bool:
    """Revoke the token with this id; False when it is unknown or already revoked."""
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = func.now()
    return True
