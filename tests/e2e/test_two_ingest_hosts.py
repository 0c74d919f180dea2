"""Two ingest hosts (each its own data and staging folders) compete for the same queues beside
one catalog; one host dies in the middle of a pack. Every song completes once, no host reads
the pack's archive more than once, and the dead host's staging area is freed when it is back."""

from __future__ import annotations

import json
import os
import time

import httpx
from sqlalchemy import text

from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

SONGS = 16
AMAZING = "donnaken15-charts/Amazing"
HOST_B = ("ingest-b1", "ingest-b2", "ingest-b3")


def archive_reads(log: str, upload_id: str) -> int:
    return sum(1 for line in log.splitlines()
               if '"staging.original_read"' in line and upload_id in line)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_pack_split_over_two_hosts_survives_one_dying_and_reads_its_archive_once_per_host(
        stack, admin_token, corpus, catalog, unique, tmp_path):
    host_b = {"CHHUB_DATA_DIR": str(tmp_path / "data"),
              "CHHUB_STAGING_DIR": str(tmp_path / "staging"),
              "CHHUB_STAGING_SWEEP_SECONDS": "0.5"}
    marker = tmp_path / "crashed"
    # Host B: two extract workers sharing its staging folder; the first dies right after it
    # stores its first song, before publishing (as if its host were cut off there).
    stack.start("ingest", name="ingest-b1", **host_b,
                CHHUB_ONLY_CONSUMERS=json.dumps(["ingest.extract"]),
                CHHUB_CRASH_BEFORE_PUBLISH=f"ingest.extract@{marker}")
    stack.start("ingest", name="ingest-b2", **host_b,
                CHHUB_ONLY_CONSUMERS=json.dumps(["ingest.extract", "ingest.parse"]))
    try:
        for name in HOST_B[:2]:
            wait_until(lambda name=name: "waiting for messages" in stack.log_of(name), 180,
                       stack.log_of(name)[-2000:])
        pack = {}
        for index in range(SONGS):
            files = song_files(corpus / AMAZING, f"{unique}-{index}",
                               **{"guitar.ogg": os.urandom(1024 * 1024)})
            pack.update({f"Pack/Song {index}/{name}": data for name, data in files.items()})
        upload_id = upload(stack, admin_token, zip_bytes(pack), "two-hosts.zip")

        wait_until(lambda: stack.processes["ingest-b1"].poll() is not None, 120,
                   "host B's first worker never got a song")
        stack.kill("ingest-b2")  # the rest of host B goes down with it
        stack.kill("ingest-b1")
        state = httpx.get(f"{stack.gateway_url}/api/uploads/{upload_id}").json()
        assert state["state"] != "completed", "the pack finished before host B died"

        details = wait_for_upload(stack, upload_id, timeout=300)
        assert details["state"] == "completed", details
        assert [song["stage"] for song in details["songs"]] == ["published"] * SONGS
        ids = {song["song_id"] for song in details["songs"]}
        with catalog.connect() as connection:
            rows = connection.execute(
                text("SELECT id FROM songs WHERE id = ANY(CAST(:ids AS uuid[]))"),
                {"ids": sorted(ids)}).scalars().all()
        assert len(ids) == SONGS and sorted(map(str, rows)) == sorted(ids)

        # Host B back: it frees what it kept for the pack, which ended meanwhile.
        stack.start("ingest", name="ingest-b3", **host_b,
                    CHHUB_ONLY_CONSUMERS=json.dumps(["ingest.extract"]))
        area = tmp_path / "staging" / upload_id
        wait_until(lambda: not area.exists(), 60, f"host B still keeps {area}")

        host_a_reads = archive_reads(stack.log_of("ingest"), upload_id)
        host_b_reads = sum(archive_reads(stack.log_of(name), upload_id) for name in HOST_B)
        assert (host_a_reads, host_b_reads) == (1, 1)
    finally:
        for name in HOST_B:
            if name in stack.processes:
                stack.kill(name)
