"""The catalog reads and records one `song.parsed` at a time (each may carry a megabyte of
scan), and leaves its other consumers to the channel's prefetch."""

from __future__ import annotations

import pytest

from shared.topology import CATALOG, PROGRESS

pytestmark = pytest.mark.unit


def test_the_catalog_consumer_takes_one_message_at_once():
    assert CATALOG.at_once == 1
    assert PROGRESS.at_once is None
