"""The blob collector raced against uploads, edits, deletions and time: whatever the
interleaving, nothing a reference names is ever missing, nothing younger than the window is
deleted, and once all is quiet everything unreferenced goes.

A model of the pipeline drives the real collector, `SongStore` and `keep_blob` over the
in-memory object store; before each of the collector's own calls (reading the catalog, listing,
reading a manifest, checking a blob, deleting it) the test may run any number of the other
actors' steps, so their writes land between the collector's steps."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from services.ingest.blob_lock import LockBusy
from services.ingest.collector import BlobCollector
from shared.manifest import blob_key, manifest_key
from shared.persistence.stored_references import CatalogReferences
from shared.song_store import SongStore
from shared.storage import InMemoryObjectStore
from tests.support.collector_model import WINDOW, Interleaved, Song, WaitingLock, Writer

BUCKET = "chhub-songs"
CONTENTS = [bytes([letter]) * 3 for letter in b"abcd"]  # few, so that songs share blobs
TICKS = [timedelta(minutes=1), timedelta(minutes=20), timedelta(minutes=50), timedelta(hours=2)]


class CollectorRaces(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2030, 1, 1, tzinfo=UTC)
        self.objects = InMemoryObjectStore(clock=lambda: self.now)
        self.objects.ensure_bucket(BUCKET)
        self.lock = WaitingLock(self._finish_writers)
        self.songs_store = SongStore(self.objects, BUCKET, self.lock.writing)
        self.songs: dict[uuid.UUID, Song] = {}
        self.uploads: dict[uuid.UUID, str] = {}  # in_flight, retained, expired
        self.writers: list[Writer] = []
        self.data = None

    # The other actors, each one step at a time.

    def _start_upload(self, contents: list[bytes]) -> None:
        # Ids from a counter: the same steps always make the same keys, in the same order.
        upload, song = (uuid.UUID(int=len(self.uploads) * 2 + n + 1) for n in range(2))
        self.uploads[upload] = "in_flight"
        self.songs[song] = Song(upload=upload)
        files = {f"file{index}": data for index, data in enumerate(contents)}
        self.writers.append(Writer(song, 1, files, self.now))

    def _step_writer(self, index: int) -> None:
        if not self.writers:
            return
        writer = self.writers[index % len(self.writers)]
        if writer.holding is None:
            try:
                with ExitStack() as stack:
                    stack.enter_context(self.lock.writing())
                    writer.holding = stack.pop_all()
            except LockBusy:  # the collector is deleting: the writer waits
                return
            return
        names = sorted(writer.files)
        if len(writer.entries) < len(names):
            name = names[len(writer.entries)]
            writer.entries.append(self.songs_store.keep_file(name, writer.files[name]))
            return
        self.songs_store.write_manifest(writer.song, writer.revision, "0" * 32, writer.entries)
        self.songs[writer.song].manifests[writer.revision] = writer.files
        writer.holding.close()
        self.writers.remove(writer)

    def _finish_writers(self) -> None:
        while self.writers:
            self._step_writer(0)

    def _catalog(self, pick: int) -> None:
        """The catalog takes the newest revision written of a song (refused once deleted)."""
        ready = [(song_id, song) for song_id, song in self.songs.items() if song.manifests
                 and not song.tombstoned and max(song.manifests) > (song.live or 0)]
        if ready:
            _, song = ready[pick % len(ready)]
            song.live = max(song.manifests)

    def _fail(self, pick: int) -> None:
        waiting = [song for song in self.songs.values()
                   if song.manifests and song.live is None and not self._writing(song)]
        if waiting:
            waiting[pick % len(waiting)].failed = True

    def _end_upload(self, pick: int) -> None:
        ended = [upload for upload, state in self.uploads.items() if state == "in_flight" and all(
            song.live is not None or song.failed or song.tombstoned
            for song in self.songs.values() if song.upload == upload)]
        if ended:
            self.uploads[ended[pick % len(ended)]] = "retained"

    def _expire_original(self, pick: int) -> None:
        """Retention removes the originals of uploads whose every song succeeded; one with a
        failed song is kept for inspection."""
        kept = [upload for upload, state in self.uploads.items() if state == "retained" and not any(
            song.failed and song.live is None for song in self.songs.values()
            if song.upload == upload)]
        if kept:
            self.uploads[kept[pick % len(kept)]] = "expired"

    def _delete(self, pick: int) -> None:
        """A song deleted: its tombstone, and its manifests forgotten right away."""
        live = [song_id for song_id, song in self.songs.items() if song.live]
        if live:
            self._forget(live[pick % len(live)])

    def _forget(self, song_id: uuid.UUID) -> None:
        self.songs[song_id].live, self.songs[song_id].tombstoned = None, True
        for stored in list(self.objects.list(BUCKET, f"manifests/{song_id}/")):
            self.objects.delete(BUCKET, stored.key)

    def _edit(self, pick: int, content: bytes) -> None:
        live = [(song_id, song) for song_id, song in self.songs.items()
                if song.live and not self._writing(song)]
        if live:
            song_id, song = live[pick % len(live)]
            files = {**song.manifests[song.live], "song.ini": content}
            self.writers.append(Writer(song_id, max(song.manifests) + 1, files, self.now))

    def _tick(self, step: timedelta) -> None:
        """Time passes; an extract or edit in progress finishes within the window."""
        if all(self.now + step - writer.started < WINDOW for writer in self.writers):
            self.now += step

    def _writing(self, song: Song) -> bool:
        return any(self.songs.get(writer.song) is song for writer in self.writers)

    # The rules: each actor on its own, and the collector with actors between its steps.

    @initialize(history=st.lists(st.tuples(st.sampled_from(CONTENTS),
                                           st.sampled_from(["live", "deleted", "failed"])),
                                 max_size=4))
    def library(self, history):
        """A library that has lived a while: songs kept, deleted, or failed long ago."""
        for content, fate in history:
            self._start_upload([content])
            self._finish_writers()
            song_id, song = list(self.songs.items())[-1]
            song.failed = fate == "failed"
            song.live = None if song.failed else 1
            self.uploads[song.upload] = "retained" if song.failed else "expired"
            if fate == "deleted":
                self._forget(song_id)
        self.now += 2 * WINDOW

    @rule(contents=st.lists(st.sampled_from(CONTENTS), min_size=1, max_size=3))
    def start_upload(self, contents):
        self._start_upload(contents)

    @rule(index=st.integers(0, 5))
    def step_writer(self, index):
        self._step_writer(index)

    @rule(pick=st.integers(0, 5), action=st.sampled_from(
        ["_catalog", "_fail", "_end_upload", "_expire_original", "_delete"]))
    def pipeline(self, pick, action):
        getattr(self, action)(pick)

    @rule(pick=st.integers(0, 5), content=st.sampled_from(CONTENTS))
    def edit(self, pick, content):
        self._edit(pick, content)

    @rule(step=st.sampled_from(TICKS))
    def tick(self, step):
        self._tick(step)

    @rule(data=st.data(), dry_run=st.booleans())
    def collect(self, data, dry_run):
        self.data = data
        try:
            self._collector(interleaved=True).run(dry_run=dry_run)
        finally:
            self.data = None

    @rule()
    def collect_when_quiet(self):
        """Once nothing is being written and the window has passed, all garbage goes."""
        if self.writers:
            return
        self.now += 2 * WINDOW
        self._collector(interleaved=False).run()
        stored = {item.key for item in self.objects.list(BUCKET)}
        assert stored == self._referenced()

    def _between(self) -> None:
        if self.data is None:
            return
        for _ in range(self.data.draw(st.integers(0, 4), label="steps between")):
            step = self.data.draw(st.sampled_from([
                lambda: self._start_upload([self.data.draw(st.sampled_from(CONTENTS))]),
                *[lambda: self._step_writer(self.data.draw(st.integers(0, 5)))] * 4,
                lambda: self._catalog(0), lambda: self._fail(0), lambda: self._end_upload(0),
                lambda: self._expire_original(0), lambda: self._delete(0),
                lambda: self._edit(0, self.data.draw(st.sampled_from(CONTENTS))),
                lambda: self._tick(self.data.draw(st.sampled_from(TICKS))),
            ]))
            step()

    def _collector(self, *, interleaved: bool) -> BlobCollector:
        between = self._between if interleaved else lambda: None
        store = Interleaved(self.objects, between, lambda: self.now)

        def references() -> CatalogReferences:
            between()
            return self._catalog_references()

        return BlobCollector(store, BUCKET, references, self.lock, WINDOW,
                             clock=lambda: self.now, manifest_readers=1)

    def _catalog_references(self) -> CatalogReferences:
        return CatalogReferences(
            live={song_id: (song.live, manifest_key(song_id, song.live))
                  for song_id, song in self.songs.items() if song.live},
            tombstoned=frozenset(s for s, song in self.songs.items() if song.tombstoned),
            in_flight=frozenset(s for s, song in self.songs.items()
                                if self.uploads[song.upload] == "in_flight"),
            retained=frozenset(s for s, song in self.songs.items()
                               if self.uploads[song.upload] == "retained"))

    # What must always hold.

    def _referenced(self) -> set[str]:
        """Every manifest the pipeline may still read, and the blobs they name."""
        keys = set()
        for song_id, song in self.songs.items():
            if song.tombstoned:
                continue
            state = self.uploads[song.upload]
            for revision, files in song.manifests.items():
                if (state == "in_flight" or (song.live and revision >= song.live)
                        or (state == "retained" and not song.live)):
                    keys.add(manifest_key(song_id, revision))
                    keys.update(blob_key(hashlib.sha256(data).hexdigest())
                                for data in files.values())
        return keys

    @invariant()
    def nothing_referenced_is_missing(self):
        for key in self._referenced():
            assert self.objects.stat(BUCKET, key) is not None, f"{key} is referenced but gone"


CollectorRaces.TestCase.settings = settings(max_examples=300, stateful_step_count=40,
                                            deadline=None)
test_the_collector_never_removes_what_a_racing_writer_refers_to = CollectorRaces.TestCase
