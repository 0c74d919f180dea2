"""How the C heap (glibc malloc) of a service process keeps and gives back memory.

By default glibc gives each thread that allocates at once an arena of its own (up to 8 per
core), and after a large buffer is freed it raises the size above which buffers are mapped
apart, so the next buffers of that size (upload parts, archive members) land in the arenas and
stay resident when freed. A process that streams megabytes through worker threads then keeps
its peak for good. Bounded here: two arenas, and buffers of LARGE_BUFFER_BYTES or more always
mapped apart, so freeing one returns it to the system at once. What a message of many small
objects (a scan read and written) leaves free between the buffers still held is given back
after it (`give_back`), so that the next large message starts from the same size.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

ARENAS = 2
LARGE_BUFFER_BYTES = 2 * 1024 * 1024
# <malloc.h>
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def give_back() -> bool:
    """Return the C heap's free pages to the system (glibc `malloc_trim`), wherever they lie;
    False where the C library cannot."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    trim.argtypes, trim.restype = (ctypes.c_size_t,), ctypes.c_int
    trim(0)
    return True


def bound_native_heap() -> bool:
    """Set the bounds for this process (before it starts its threads); False where the C
    library is not glibc, which has its own policy."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, ARENAS)
                & mallopt(_M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES)
                & mallopt(_M_TRIM_THRESHOLD, LARGE_BUFFER_BYTES))
