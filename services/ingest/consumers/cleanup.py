"""Cleanup consumer: `upload.completed` → the upload's staging area removed. The original stays
in the uploads bucket: for inspection when the upload failed, and until its retention period
has passed when it succeeded (see `retention.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio

from services.ingest.staging import StagingArea
from shared.events import Event, UploadCompleted


def make_handler(staging_root: Path):
    async def clean(event: UploadCompleted) -> Sequence[Event]:
        await anyio.to_thread.run_sync(StagingArea(staging_root, event.upload_id).remove)
        return ()

    return clean
