"""Removes the originals of successful uploads once their retention period has passed."""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import queries
from services.catalog.db import transaction
from services.catalog.progress import mark_original_deleted
from shared.storage import ObjectStore

log = structlog.get_logger(__name__)


def remove_expired_originals(store: ObjectStore, sessions: sessionmaker[Session],
                             retention_hours: float) -> int:
    """Delete each expired original (a file, or every file of a folder upload); how many."""
    with sessions() as session:
        expired = queries.originals_past_retention(session, retention_hours)
    for upload in expired:
        keys = ([stored.key for stored in store.list(upload.bucket, upload.key.rstrip("/") + "/")]
                if upload.is_folder or upload.key.endswith("/") else [upload.key])
        for key in keys:
            store.delete(upload.bucket, key)
        with transaction(sessions) as session:
            mark_original_deleted(session, upload.id)
        log.info("retention.original_removed", upload_id=str(upload.id), objects=len(keys))
    return len(expired)
