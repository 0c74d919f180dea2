"""The catalog service reads and records one `song.parsed` at a time (each may carry a megabyte
of scan), and leaves its other consumers to the channel's prefetch."""

from __future__ import annotations

import pytest

from services.catalog.app import CatalogSettings, create_app
from shared.topology import CATALOG, PROGRESS

pytestmark = pytest.mark.unit


def test_the_catalog_consumer_takes_one_message_at_once(monkeypatch):
    taken: dict[str, int | None] = {}
    monkeypatch.setattr("shared.service.subscribe", lambda broker, consumer, handler, **options:
                        taken.setdefault(consumer.queue_name, options.get("at_once")))
    create_app(CatalogSettings())
    assert taken[CATALOG.queue_name] == 1
    assert taken[PROGRESS.queue_name] is None
