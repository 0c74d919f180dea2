"""The home page reads queue depths over one broker connection it keeps: page views open none."""

from __future__ import annotations

import threading
import time

import httpx

from services.gateway.home_figures import QUEUES_MAX_AGE_SECONDS
from shared.topology import ALL_CONSUMERS
from tests.support.sockets import connections_to

BROKER_PORT = 5672


def test_many_home_page_views_open_no_broker_connection(stack):
    gateway = stack.processes["gateway"].pid
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        first = client.get("/")
        assert first.status_code == 200
        assert all(consumer.queue_name in first.text for consumer in ALL_CONSUMERS)
        before = connections_to(gateway, BROKER_PORT)
        seen: set[int] = set()
        done = threading.Event()

        def watch() -> None:  # a connection opened and closed within one view is still seen
            while not done.is_set():
                seen.update(connections_to(gateway, BROKER_PORT))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            pages = [client.get("/") for _ in range(20)]
            time.sleep(QUEUES_MAX_AGE_SECONDS + 0.5)  # the depths are read again meanwhile
            pages += [client.get("/") for _ in range(20)]
        finally:
            done.set()
            watcher.join()
    assert all(page.status_code == 200 for page in pages)
    assert seen <= before, f"page views opened {len(seen - before)} broker connections"
    assert connections_to(gateway, BROKER_PORT) == before
