"""A stage worker (a service process told which queues to consume) competes with the service's
first process for those stages only, and every song still completes once."""

from __future__ import annotations

import json
import re
import time

from sqlalchemy import text

from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

SONGS = 8


def received(log: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for queue in re.findall(r"\| (ingest\.[a-z]+) +\| \S+ - Received", log):
        counts[queue] = counts.get(queue, 0) + 1
    return counts


def test_an_extract_and_parse_worker_shares_the_work_of_a_pack(stack, admin_token, corpus,
                                                               catalog, unique):
    only = ["ingest.extract", "ingest.parse"]
    stack.start("ingest", name="ingest-worker", CHHUB_ONLY_CONSUMERS=json.dumps(only))
    try:
        deadline = time.monotonic() + 60
        while "waiting for messages" not in stack.log_of("ingest-worker"):
            assert time.monotonic() < deadline, stack.log_of("ingest-worker")[-2000:]
            time.sleep(0.3)
        files = {}
        for index, folder in enumerate(sorted(p for p in (corpus / "donnaken15-charts").iterdir()
                                              if (p / "notes.chart").exists())[:SONGS]):
            for name, data in song_files(folder, f"{unique}-{index}").items():
                files[f"Song {index}/{name}"] = data
        details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files), "pack.zip"),
                                  timeout=300)
        assert details["state"] == "completed", details
        assert [song["stage"] for song in details["songs"]] == ["published"] * SONGS
        with catalog.connect() as connection:
            cataloged = connection.execute(
                text("SELECT count(*) FROM songs WHERE id = ANY(CAST(:ids AS uuid[]))"),
                {"ids": [song["song_id"] for song in details["songs"]]}).scalar_one()
        assert cataloged == SONGS

        log = stack.log_of("ingest-worker")
        subscribed = set(re.findall(r"\| (ingest\.[a-z]+) +\| +- `\w+` waiting", log))
        assert subscribed == set(only)
        assert set(received(log)) <= set(only)
        assert sum(received(log).values()) > 0
    finally:
        stack.kill("ingest-worker")
