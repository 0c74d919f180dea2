"""Removes the originals of successful uploads, songs and custom content alike, once their
retention period has passed; a failed one is kept for inspection."""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session, sessionmaker

from shared.persistence import custom_content, queries
from shared.persistence.db import transaction
from shared.persistence.uploads import mark_original_deleted
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


def remove_expired_custom_originals(store: ObjectStore, sessions: sessionmaker[Session],
                                    retention_hours: float) -> int:
    """Delete the original of each custom item published that long ago; how many."""
    with sessions() as session:
        expired = custom_content.originals_past_retention(session, retention_hours)
    for item in expired:
        store.delete(item.original_bucket, item.original_key)
        with transaction(sessions) as session:
            custom_content.mark_original_deleted(session, item.id)
        log.info("retention.custom_original_removed", content_id=str(item.id))
    return len(expired)
