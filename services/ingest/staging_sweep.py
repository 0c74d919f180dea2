"""Staging sweep: frees this host's staging areas of uploads that have ended. Consumes and
emits nothing: `upload.completed` reaches one ingest process only (competing consumers), so
every ingest process also looks, now and then, for areas its own staging folder still holds
for uploads that ended on another host, and removes them."""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.staging import StagingArea, staged_uploads
from shared.metrics import UPLOAD_OUTCOMES
from shared.persistence.tables import Upload

log = structlog.get_logger(__name__)


def sweep_ended(staging_root: Path, sessions: sessionmaker[Session]) -> int:
    """Remove the areas of uploads that have ended (completed or failed); how many."""
    staged = staged_uploads(staging_root)
    if not staged:
        return 0
    with sessions() as session:
        ended = set(session.scalars(select(Upload.id).where(
            Upload.id.in_(staged), Upload.state.in_(UPLOAD_OUTCOMES))))
    for upload_id in ended:
        StagingArea(staging_root, upload_id).remove()
        log.info("staging.area_swept", upload_id=str(upload_id))
    return len(ended)
