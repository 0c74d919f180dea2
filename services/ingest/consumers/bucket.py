"""Bucket consumer: MinIO's bucket notifications (exchange `chhub.minio`) → `upload.received`
for each archive created in the drop area that no one announced before."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.bucket_drops import BucketNotification, DroppedObject
from services.ingest.reconciler import STUCK_AFTER_SECONDS, trace_drop
from shared.events import Event, UploadReceived
from shared.persistence.db import transaction
from shared.persistence.uploads import claim_upload
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, sessions: sessionmaker[Session], drop_prefix: str):
    async def announce_drops(notification: BucketNotification) -> Sequence[Event]:
        announcements = []
        for dropped in notification.created_objects(drop_prefix):
            received = await anyio.to_thread.run_sync(_claim, store, sessions, dropped)
            if received is not None:
                announcements.append(received)
        return announcements

    return announce_drops


def _claim(store: ObjectStore, sessions: sessionmaker[Session],
           dropped: DroppedObject) -> UploadReceived | None:
    stored = store.stat(dropped.bucket, dropped.key)  # also for the uploader's traceparent
    if stored is None:
        return None
    if dropped.etag is None:  # older MinIO versions leave the ETag out of the record
        dropped = DroppedObject(dropped.bucket, dropped.key, stored.etag, stored.size)
    received = dropped.announcement()
    with transaction(sessions) as session:
        # A copy claimed but never announced (its process died) is the reconciler's to redo.
        if not claim_upload(session, received, stale_after_seconds=STUCK_AFTER_SECONDS):
            return None
    trace_drop(sessions, received, stored.traceparent, link_current=True)
    return received
