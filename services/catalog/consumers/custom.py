"""Custom content catalog consumer: every `custom.*` event → the item's row in
`custom_content` (received, validated or rejected, published, deleted)."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy.orm import Session, sessionmaker

from shared.events import CustomContentEvent, Event
from shared.persistence import custom_content
from shared.persistence.db import transaction


def make_handler(sessions: sessionmaker[Session]):
    async def record(event: CustomContentEvent) -> Sequence[Event]:
        await anyio.to_thread.run_sync(_record, sessions, event)
        return ()

    return record


def _record(sessions: sessionmaker[Session], event: CustomContentEvent) -> None:
    with transaction(sessions) as session:
        custom_content.record(session, event)
