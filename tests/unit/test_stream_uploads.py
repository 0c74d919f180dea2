"""A stream of known length goes to S3 in parts: the adapter hands the client reads of whole
parts, however short the stream's reads. A stream of unknown length goes in parts as small as
S3 allows, as long as S3's 10,000 parts still hold the largest upload accepted."""

from minio.helpers import read_part_data

from shared.settings import IngestSettings
from shared.storage_parts import WholeReads, stream_part_size

S3_SMALLEST_PART = 5 * 1024 * 1024
S3_MOST_PARTS = 10_000


class ShortReads:
    """A stream that returns at most `piece` bytes a read (as a pipe fed in pieces does)."""

    def __init__(self, data: bytes, piece: int) -> None:
        self.data, self.piece, self.reads = data, piece, 0

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        size = self.piece if size < 0 else min(size, self.piece)
        taken, self.data = self.data[:size], self.data[size:]
        return taken


def test_a_read_returns_the_size_asked_for_until_the_stream_ends():
    stream = WholeReads(ShortReads(bytes(range(256)) * 40, piece=100))
    assert stream.read(1000) == (bytes(range(256)) * 40)[:1000]
    assert len(stream.read(9999)) == 10240 - 1000
    assert stream.read(10) == b""


def test_the_client_gathers_a_part_in_one_read():
    data = bytes(range(256)) * 4096  # 1 MiB
    stream = WholeReads(ShortReads(data, piece=4096))
    reads_of_client = []
    original = stream.read

    def counted(size: int = -1) -> bytes:
        reads_of_client.append(size)
        return original(size)

    stream.read = counted
    assert read_part_data(stream, 512 * 1024) == data[:512 * 1024]
    assert len(reads_of_client) == 1


def test_a_stream_of_unknown_length_starts_with_the_smallest_part_s3_takes():
    assert stream_part_size(1) == S3_SMALLEST_PART


def test_s3s_ten_thousand_parts_of_a_stream_hold_twice_the_largest_upload_accepted():
    parts = [stream_part_size(number) for number in range(1, S3_MOST_PARTS + 1)]
    assert min(parts) >= S3_SMALLEST_PART
    assert sum(parts) >= 2 * IngestSettings.model_fields["max_upload_bytes"].default
