"""A stem's length read from its first and last bytes agrees with the whole file's, and the
parse stage reads no stem whole to learn it."""

from __future__ import annotations

import uuid

import pytest

from services.ingest.consumers.parse import make_handler
from shared.events import SongExtracted
from shared.song_store import AUDIO_HEAD_BYTES, AUDIO_TAIL_BYTES, SongStore
from shared.songs import scan_song
from shared.songs.audio import AudioReadError, audio_length_ms, length_from_ends
from shared.songs.hashes import folder_md5
from shared.storage import InMemoryObjectStore
from tests.unit.test_audio_length import CORPUS_AUDIO, wav_bytes

pytestmark = pytest.mark.unit

SONG = CORPUS_AUDIO[0].parents[1] / "Amazing"


def _ends(data: bytes) -> tuple[bytes, bytes]:
    return data[:AUDIO_HEAD_BYTES], data[-AUDIO_TAIL_BYTES:]


@pytest.mark.parametrize("path", [p for p in CORPUS_AUDIO if p.stat().st_size > AUDIO_HEAD_BYTES],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_ends_of_a_corpus_stem_give_its_whole_length_or_defer_to_it(path):
    data = path.read_bytes()
    try:
        whole = audio_length_ms(data)
    except AudioReadError:
        assert length_from_ends(*_ends(data), len(data)) is None
        return
    from_ends = length_from_ends(*_ends(data), len(data))
    if path.suffix.lower() in (".ogg", ".opus", ".wav"):
        assert from_ends == pytest.approx(whole)
    else:
        assert from_ends is None or from_ends == pytest.approx(whole)


def test_a_long_wav_is_measured_from_its_header_and_its_size():
    data = wav_bytes(30.0)
    assert length_from_ends(*_ends(data), len(data)) == pytest.approx(30_000)


class ReadCountingStore(InMemoryObjectStore):
    """An in-memory object store that counts the bytes each read hands out."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes_read = 0

    def get_bytes(self, bucket: str, key: str) -> bytes:
        data = super().get_bytes(bucket, key)
        self.bytes_read += len(data)
        return data

    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes:
        data = InMemoryObjectStore.get_bytes(self, bucket, key)[offset:offset + length]
        self.bytes_read += len(data)
        return data


async def test_parse_reads_only_the_ends_of_a_songs_stems():
    files = {p.name: p.read_bytes() for p in SONG.iterdir() if p.is_file()}
    files["guitar.wav"] = wav_bytes(60.0)  # 10 MB: read whole, it would dominate the count
    store = ReadCountingStore()
    store.ensure_bucket("songs")
    songs = SongStore(store, "songs")
    md5 = folder_md5(files)
    key, _ = songs.save_revision(uuid.uuid4(), 1, md5, files)
    event = SongExtracted(event_id=uuid.uuid4(), upload_id=uuid.uuid4(), song_id=uuid.uuid4(),
                          revision=1, manifest_key=key, md5=md5, file_count=len(files),
                          total_bytes=sum(map(len, files.values())))
    (parsed,) = await make_handler(songs)(event)
    assert parsed.scan == scan_song(files).as_dict()
    audio = sum(len(data) for name, data in files.items() if name.endswith((".ogg", ".wav")))
    assert store.bytes_read < audio / 10
