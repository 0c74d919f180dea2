"""The one writer of the custom_content table: each custom.* event moves a row forward, never
back, so a late or redelivered event is harmless; the reads the gateway's pages need; and the
originals the retention sweep may remove. Its read model is `CustomItem`."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.events import (
    CustomContentDeleted,
    CustomContentEvent,
    CustomContentPublished,
    CustomContentRejected,
    CustomContentUploaded,
    CustomContentValidated,
)
from shared.persistence.read_model import ReadModel, Timestamp
from shared.persistence.tables import CustomContent

# How far along each state is: whatever order events arrive in, each one adds its facts and
# the row's state is the furthest reached; a deleted row takes nothing more.
_STEP = {"received": 0, "validated": 1, "rejected": 1, "published": 2, "deleted": 3}


def record(session: Session, event: CustomContentEvent) -> None:
    state, values = _change(event)
    row = {"id": event.content_id, "kind": event.kind, "filename": "", "state": state, **values}
    statement = insert(CustomContent).values(**row)
    later = {key: statement.excluded[key] for key in values}
    if isinstance(event, CustomContentUploaded):  # the checked, safe name wins
        later["filename"] = func.coalesce(func.nullif(CustomContent.filename, ""),
                                          statement.excluded.filename)
    reached = case(_STEP, value=CustomContent.state, else_=0)
    later["state"] = case((reached < _STEP[state], state), else_=CustomContent.state)
    session.execute(statement.on_conflict_do_update(
        index_elements=[CustomContent.id], set_={**later, "updated_at": func.now()},
        where=CustomContent.state != "deleted"))


def _change(event: CustomContentEvent) -> tuple[str, dict[str, Any]]:
    match event:
        case CustomContentUploaded():
            return "received", {"filename": event.filename, "size": event.size,
                                "original_bucket": event.bucket, "original_key": event.key}
        case CustomContentValidated():
            return "validated", {
                "filename": event.filename, "sha256": event.sha256, "size": event.size,
                "media": event.media, "warnings": list(event.warnings),
                "details": {"width": event.width, "height": event.height,
                            "colors": [list(c) for c in event.colors]}}
        case CustomContentRejected():
            return "rejected", {"filename": event.filename, "reason": event.reason}
        case CustomContentPublished():
            return "published", {"content_path": event.content_path}
        case CustomContentDeleted():
            return "deleted", {}
    raise AssertionError(event)


def originals_past_retention(session: Session, hours: float) -> list[CustomContent]:
    """Items that were published (and may have been deleted since) whose original is still
    kept `hours` after their last change; a rejected item keeps its original for inspection."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, hours * 3600)
    return list(session.scalars(select(CustomContent).where(
        CustomContent.state.in_(("published", "deleted")),
        CustomContent.content_path.is_not(None), CustomContent.original_key.is_not(None),
        CustomContent.original_deleted_at.is_(None), CustomContent.updated_at < cutoff)))


def mark_original_deleted(session: Session, content_id: uuid.UUID) -> None:
    row = session.get(CustomContent, content_id, with_for_update=True)
    if row is not None:
        row.original_deleted_at = func.now()


class CustomItem(ReadModel):
    """A background, color profile or highway, and what its checks found."""

    id: uuid.UUID
    kind: str
    filename: str
    state: str
    reason: str | None = Field(description="Why it was rejected")
    warnings: tuple[str, ...]
    media: str | None
    sha256: str | None
    size: int
    content_path: str | None = Field(description="Its file in the content folder")
    width: int | None
    height: int | None
    colors: tuple[tuple[str, str, str], ...] = Field(
        description="A color profile's colors: section, key and color")
    created_at: Timestamp | None


def list_custom(session: Session, kind: str) -> list[CustomItem]:
    """Every item of one kind but deleted ones, newest first."""
    rows = session.scalars(select(CustomContent).where(
        CustomContent.kind == kind, CustomContent.state != "deleted")
        .order_by(CustomContent.created_at.desc())).all()
    return [describe(row) for row in rows]


def custom_details(session: Session, content_id: uuid.UUID) -> CustomItem | None:
    row = session.get(CustomContent, content_id)
    return None if row is None or row.state == "deleted" else describe(row)


def describe(row: CustomContent) -> CustomItem:
    return CustomItem(
        id=row.id, kind=row.kind, filename=row.filename, state=row.state, reason=row.reason,
        warnings=tuple(row.warnings), media=row.media, sha256=row.sha256, size=row.size,
        content_path=row.content_path, width=row.details.get("width"),
        height=row.details.get("height"),
        colors=tuple(tuple(c) for c in row.details.get("colors", [])),
        created_at=row.created_at.isoformat() if row.created_at else None)
