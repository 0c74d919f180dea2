"""The library's size as Prometheus gauges, counted in the catalog database at each scrape."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared import telemetry
from shared.metrics import expect_upload_outcomes
from shared.persistence.tables import Song, Upload

log = structlog.get_logger(__name__)


class LibraryCollector(Collector):
    """`chhub_library_songs` and `chhub_library_songs_by_instrument{instrument}`."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("chhub_library_songs", "Songs in the library.")
        yield GaugeMetricFamily("chhub_library_songs_by_instrument", "By instrument.",
                                labels=["instrument"])
        yield GaugeMetricFamily("chhub_uploads_unfinished", "Unfinished uploads.")
        yield GaugeMetricFamily("chhub_upload_stalest_seconds", "Stalest unfinished upload.")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        total = GaugeMetricFamily("chhub_library_songs", "Songs in the library.")
        by_instrument = GaugeMetricFamily("chhub_library_songs_by_instrument",
                                          "Songs in the library charted for each instrument.",
                                          labels=["instrument"])
        try:
            with self._sessions() as session:
                total.add_metric([], session.execute(select(func.count(Song.id))).scalar_one())
                instrument = func.unnest(Song.instruments).label("instrument")
                rows = session.execute(select(instrument, func.count()).group_by(instrument))
                for name, count in rows:
                    by_instrument.add_metric([name], count)
            uploads = list(self._unfinished())
        except Exception as error:  # a scrape must not fail because the database is away
            log.warning("metrics.library_unavailable", error=str(error))
            return
        yield total
        yield by_instrument
        yield from uploads

    def _unfinished(self) -> Iterator[GaugeMetricFamily]:
        """Uploads not at an end, and how long the stalest has gone without progress."""
        unfinished = GaugeMetricFamily("chhub_uploads_unfinished",
                                       "Uploads not yet completed or failed.")
        stalest = GaugeMetricFamily("chhub_upload_stalest_seconds",
                                    "Seconds since the least recently advanced unfinished "
                                    "upload last moved (0 when none).")
        with self._sessions() as session:
            count, oldest = session.execute(
                select(func.count(Upload.id), func.min(Upload.updated_at))
                .where(Upload.state.in_(("receiving", "received", "processing")))).one()
            now = session.execute(select(func.now())).scalar_one()
        unfinished.add_metric([], count)
        stalest.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield unfinished
        yield stalest


def watch_library(sessions: sessionmaker[Session]) -> None:
    """Serve the library's gauges and every upload outcome (when telemetry is on)."""
    if telemetry.enabled():
        REGISTRY.register(LibraryCollector(sessions))
        expect_upload_outcomes()
