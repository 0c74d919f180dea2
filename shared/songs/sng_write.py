"""Writing a `.sng` container: metadata and files in, the masked container's bytes out."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .sng_layout import (
    FILE_META_MIN_SIZE,
    FILE_RANGE,
    HEADER_SIZE,
    I32,
    IDENTIFIER,
    MASK_SIZE,
    U32,
    U64,
    VERSION,
    SngFormatError,
    apply_xor_mask,
    file_name_problem,
    metadata_problem,
)


def write_sng(
    metadata: Mapping[str, str], files: Mapping[str, bytes], *, xor_mask: bytes | None = None
) -> bytes:
    """Serialize a `.sng`: files in name order, masked; the default mask is a content hash."""
    names = sorted(files)
    _check_writable(metadata, names)
    metadata_section = _metadata_section(metadata)
    mask = _content_mask(metadata_section, names, files) if xor_mask is None else bytes(xor_mask)
    if len(mask) != MASK_SIZE:
        raise SngFormatError(f"xor mask must be {MASK_SIZE} bytes, not {len(mask)}")
    encoded_names = [name.encode() for name in names]
    index_size = U64.size + sum(FILE_META_MIN_SIZE + len(raw) for raw in encoded_names)
    section_lengths = 3 * U64.size
    data_start = HEADER_SIZE + section_lengths + len(metadata_section) + index_size
    index, position = [U64.pack(len(names))], data_start
    for name, raw in zip(names, encoded_names, strict=True):
        index.append(bytes([len(raw)]) + raw + FILE_RANGE.pack(len(files[name]), position))
        position += len(files[name])
    file_index = b"".join(index)
    return b"".join([
        IDENTIFIER, U32.pack(VERSION), mask,
        U64.pack(len(metadata_section)), metadata_section,
        U64.pack(len(file_index)), file_index,
        U64.pack(position - data_start), *(apply_xor_mask(files[name], mask) for name in names),
    ])


def _check_writable(metadata: Mapping[str, str], names: list[str]) -> None:
    for key, value in metadata.items():
        if problem := metadata_problem(key, value):
            raise SngFormatError(f"metadata pair {problem}")
    seen: set[str] = set()
    for name in names:
        problem = "is repeated" if name.casefold() in seen else file_name_problem(name)
        if problem:
            raise SngFormatError(f"file name {name!r} {problem}")
        seen.add(name.casefold())


def _metadata_section(metadata: Mapping[str, str]) -> bytes:
    parts = [U64.pack(len(metadata))]
    for key, value in metadata.items():
        for text in (key.encode(), value.encode()):
            parts += [I32.pack(len(text)), text]
    return b"".join(parts)


def _content_mask(metadata_section: bytes, names: list[str], files: Mapping[str, bytes]) -> bytes:
    digest = hashlib.sha256(metadata_section)
    for name in names:
        digest.update(name.encode() + b"\0" + U64.pack(len(files[name])))
        digest.update(files[name])
    return digest.digest()[:MASK_SIZE]
