"""The reconciler: the ground truth for bucket drops. It lists the drop area (on any S3 server)
and announces every object that no notification announced, at start and then periodically."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from services.ingest.bucket_drops import DroppedObject, in_drop_area
from shared import telemetry
from shared.events import UploadReceived
from shared.persistence.db import transaction
from shared.persistence.uploads import claim_upload, record_upload_trace
from shared.storage import ObjectStore

STUCK_AFTER_SECONDS = 600.0
"""A claimed upload still `received` after this long was claimed by a process that died
before announcing it: announce it again."""


def unannounced_drops(store: ObjectStore, sessions: sessionmaker[Session], bucket: str,
                      prefix: str) -> list[UploadReceived]:
    """Claim every object of the drop area not yet claimed; their announcements."""
    announcements = []
    for stored in store.list(bucket, prefix):
        if not in_drop_area(stored.key, prefix):
            continue
        etag = (stored.etag or "").strip('"') or None
        received = DroppedObject(bucket, stored.key, etag, stored.size).announcement()
        with transaction(sessions) as session:
            if not claim_upload(session, received, stale_after_seconds=STUCK_AFTER_SECONDS):
                continue
        announcements.append(received)
        if telemetry.enabled():
            found = store.stat(bucket, stored.key)
            trace_drop(sessions, received, found.traceparent if found else None,
                       link_current=False)
    return announcements


def trace_drop(sessions: sessionmaker[Session], received: UploadReceived,
               traceparent: str | None, *, link_current: bool) -> None:
    """Give a claimed drop a trace of its own, under the uploader's `traceparent` when the
    object carried one, and record it on the upload so that its status links to it."""
    trace_id = telemetry.publish_in_own_trace(received, name="bucket drop",
                                              traceparent=traceparent, link_current=link_current)
    if trace_id is not None:
        with transaction(sessions) as session:
            record_upload_trace(session, received.upload_id, trace_id)
