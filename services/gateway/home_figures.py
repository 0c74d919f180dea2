"""The home page's costly figures: queue depths and library totals cost more than a page view
should (a broker round trip per queue; counts over every song), so they are served from
snapshots read again in the background every few seconds over one long-lived broker
connection."""

from __future__ import annotations

from services.gateway.deps import Gateway
from services.gateway.queue_depths import QueueDepths, QueueHealth
from services.gateway.snapshots import Snapshot
from shared.persistence.library_totals import LibraryTotals, library_totals

QUEUES_MAX_AGE_SECONDS = 3.0
TOTALS_MAX_AGE_SECONDS = 10.0


class HomeFigures:
    """The home page's costly figures, each a snapshot of its own age."""

    def __init__(self, gateway: Gateway) -> None:
        self._depths = QueueDepths(gateway.settings.broker_url)
        self.queues: Snapshot[list[QueueHealth]] = Snapshot(self._depths.read,
                                                            QUEUES_MAX_AGE_SECONDS)
        self.totals: Snapshot[LibraryTotals] = Snapshot(lambda: gateway.read(library_totals),
                                                        TOTALS_MAX_AGE_SECONDS)

    async def close(self) -> None:
        await self.queues.close()
        await self.totals.close()
        await self._depths.close()
