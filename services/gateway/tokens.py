"""API tokens: created once and shown once, kept only as sha256, revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.persistence import api_tokens
from shared.persistence.tables import ApiToken

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
    return issue_token(session, name, role)[1]


def issue_token(session: Session, name: str, role: str) -> tuple[uuid.UUID, str]:
    """A new token's id and secret; only the secret's sha256 is stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = f"chh_{secrets.token_urlsafe(32)}"
    return api_tokens.add_token(session, name=name, role=role,
                                token_sha256=_digest(token)), token


def principal_for(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_sha256 == _digest(token),
                               ApiToken.revoked_at.is_(None))
    ).scalar()
    return Principal(row.name, row.role) if row else None


def revoke_token(session: Session, token: str) -> bool:
    """Revoke `token` from now on; False when it is unknown or already revoked."""
    return api_tokens.revoke_by_digest(session, _digest(token))


def revoke_token_by_id(session: Session, token_id: uuid.UUID) -> bool:
    """Revoke the token with this id; False when it is unknown or already revoked."""
    return api_tokens.revoke_by_id(session, token_id)
