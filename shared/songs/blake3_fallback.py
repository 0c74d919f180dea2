"""A pure-Python BLAKE3 (32-byte digest), used only when the `blake3` package is missing.

It follows the BLAKE3 reference implementation; it is slow (about a second per MB) but gives
the same chart hashes, so the core still works where the compiled package is not installed.
"""

from __future__ import annotations

import struct

_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
       0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
_CHUNK_START, _CHUNK_END, _PARENT, _ROOT = 1, 2, 4, 8
_CHUNK_LEN, _BLOCK_LEN, _MASK = 1024, 64, 0xFFFFFFFF


def _g(state: list[int], a: int, b: int, c: int, d: int, x: int, y: int) -> None:
    state[a] = (state[a] + state[b] + x) & _MASK
    state[d] = ((state[d] ^ state[a]) >> 16 | (state[d] ^ state[a]) << 16) & _MASK
    state[c] = (state[c] + state[d]) & _MASK
    state[b] = ((state[b] ^ state[c]) >> 12 | (state[b] ^ state[c]) << 20) & _MASK
    state[a] = (state[a] + state[b] + y) & _MASK
    state[d] = ((state[d] ^ state[a]) >> 8 | (state[d] ^ state[a]) << 24) & _MASK
    state[c] = (state[c] + state[d]) & _MASK
    state[b] = ((state[b] ^ state[c]) >> 7 | (state[b] ^ state[c]) << 25) & _MASK


def _compress(cv: tuple[int, ...], block: bytes, counter: int, block_len: int,
              flags: int) -> list[int]:
    words = list(struct.unpack("<16I", block.ljust(_BLOCK_LEN, b"\0")))
    state = [*cv, *_IV[:4], counter & _MASK, counter >> 32 & _MASK, block_len, flags]
    for round_ in range(7):
        _g(state, 0, 4, 8, 12, words[0], words[1])
        _g(state, 1, 5, 9, 13, words[2], words[3])
        _g(state, 2, 6, 10, 14, words[4], words[5])
        _g(state, 3, 7, 11, 15, words[6], words[7])
        _g(state, 0, 5, 10, 15, words[8], words[9])
        _g(state, 1, 6, 11, 12, words[10], words[11])
        _g(state, 2, 7, 8, 13, words[12], words[13])
        _g(state, 3, 4, 9, 14, words[14], words[15])
        if round_ < 6:
            words = [words[i] for i in _PERMUTATION]
    return [state[i] ^ state[i + 8] for i in range(8)] + [state[i + 8] ^ cv[i] for i in range(8)]


def _chunk_output(chunk: bytes, counter: int) -> tuple[tuple[int, ...], bytes, int, int]:
    """Everything but the last block compressed: (cv, last block, its length, its flags)."""
    cv: tuple[int, ...] = _IV
    blocks = [chunk[i : i + _BLOCK_LEN] for i in range(0, max(len(chunk), 1), _BLOCK_LEN)]
    for index, block in enumerate(blocks[:-1]):
        flags = _CHUNK_START if index == 0 else 0
        cv = tuple(_compress(cv, block, counter, _BLOCK_LEN, flags)[:8])
    flags = _CHUNK_END | (_CHUNK_START if len(blocks) == 1 else 0)
    return cv, blocks[-1], len(blocks[-1]), flags


def blake3_digest(data: bytes) -> bytes:
    """The 32-byte BLAKE3 hash of `data`."""
    chunks = [data[i : i + _CHUNK_LEN] for i in range(0, max(len(data), 1), _CHUNK_LEN)]
    stack: list[tuple[int, ...]] = []
    for counter, chunk in enumerate(chunks[:-1]):
        cv, block, length, flags = _chunk_output(chunk, counter)
        chaining = tuple(_compress(cv, block, counter, length, flags)[:8])
        total = counter + 1
        while total & 1 == 0:  # merge finished subtrees, as the reference hasher does
            left = stack.pop()
            chaining = tuple(_compress(_IV, struct.pack("<16I", *left, *chaining), 0,
                                       _BLOCK_LEN, _PARENT)[:8])
            total >>= 1
        stack.append(chaining)
    cv, block, length, flags = _chunk_output(chunks[-1], len(chunks) - 1)
    counter = len(chunks) - 1
    while stack:
        chaining = tuple(_compress(cv, block, counter, length, flags)[:8])
        cv, block, counter, length, flags = (_IV, struct.pack("<16I", *stack.pop(), *chaining),
                                             0, _BLOCK_LEN, _PARENT)
    return struct.pack("<8I", *_compress(cv, block, counter, length, flags | _ROOT)[:8])
