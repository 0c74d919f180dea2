"""The one writer of the `api_tokens` table: a token is added by its sha256 and later revoked,
never removed. Works in the caller's transaction; the gateway's `tokens` module makes the
secrets and checks the roles. `list_tokens` reads them back as `TokenSummary`, never the
secret."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.persistence.read_model import ReadModel, Timestamp
from shared.persistence.tables import ApiToken


class TokenSummary(ReadModel):
    """An API token as the operations page lists it: never its secret."""

    id: uuid.UUID
    name: str
    role: str
    created_at: Timestamp
    revoked_at: Timestamp | None


def list_tokens(session: Session) -> list[TokenSummary]:
    """Every token, newest first: its name, role and dates."""
    rows = session.execute(select(ApiToken).order_by(ApiToken.created_at.desc())).scalars()
    return [TokenSummary(id=row.id, name=row.name, role=row.role,
                         created_at=row.created_at.isoformat(),
                         revoked_at=row.revoked_at.isoformat() if row.revoked_at else None)
            for row in rows]


def add_token(session: Session, *, name: str, role: str, token_sha256: str) -> uuid.UUID:
    """Add a token by its sha256; the new token's id."""
    token_id = uuid.uuid4()
    session.execute(insert(ApiToken).values(id=token_id, name=name, role=role,
                                            token_sha256=token_sha256))
    return token_id


def revoke_by_digest(session: Session, token_sha256: str) -> bool:
    """Revoke the live token with this sha256; False when there is none."""
    return _revoke(session, ApiToken.token_sha256 == token_sha256)


def revoke_by_id(session: Session, token_id: uuid.UUID) -> bool:
    """Revoke the live token with this id; False when there is none."""
    return _revoke(session, ApiToken.id == token_id)


def _revoke(session: Session, which) -> bool:
    revoked = session.execute(update(ApiToken).where(which, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=func.now()).returning(ApiToken.id))
    return revoked.first() is not None
