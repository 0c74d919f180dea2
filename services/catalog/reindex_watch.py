"""What a waiting `chhub reindex` knows: which songs are read by the current parser, which
could not be read again (their `song.failed` from the parse stage), and which are still on
their way. Consumes `song.failed` through a queue of its own; emits nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.events import SongFailed


@dataclass
class ReindexWatch:
    """The songs a reindex sent, and what became of each (pure)."""

    sent: frozenset[uuid.UUID]
    failures: dict[uuid.UUID, str] = field(default_factory=dict)

    def saw(self, event: SongFailed) -> None:
        """A re-read that gave up: the song keeps its older reading."""
        if event.stage == "parse" and event.song_id in self.sent:
            self.failures[event.song_id] = event.reason

    def waiting_for(self, outdated: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Of the songs still read by an older parser, those that have not failed either."""
        return {song_id for song_id in outdated
                if song_id in self.sent and song_id not in self.failures}

    def done(self, outdated: Iterable[uuid.UUID]) -> int:
        """Songs that came to an end: read again, or failed."""
        return len(self.sent) - len(self.waiting_for(outdated))
