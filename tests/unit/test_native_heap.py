"""The C heap bounds of a service process: few arenas, large buffers given back when freed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

# Runs in a fresh interpreter: the bounds apply to a process before its threads start.
PROBE = """
import ctypes, json, sys, threading
from shared.native_heap import bound_native_heap, LARGE_BUFFER_BYTES

if sys.argv[1] == "bounded":
    assert bound_native_heap()

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)

# A large buffer freed: glibc's default then keeps the next ones of its size in the arenas.
libc.free(libc.malloc(4 * LARGE_BUFFER_BYTES))
mapped_before = libc.mallinfo2().hblkhd
buffer = libc.malloc(3 * LARGE_BUFFER_BYTES)
mapped_apart = libc.mallinfo2().hblkhd - mapped_before >= 3 * LARGE_BUFFER_BYTES
libc.free(buffer)

# Eight threads allocating at once: each new thread takes a new arena while the limit allows.
heaps, ready = set(), threading.Barrier(8)
def allocate():
    ready.wait()
    heaps.add(libc.malloc(4096) >> 26)  # thread arenas are 64 MiB-aligned heaps
    ready.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"mapped_apart": mapped_apart, "heaps": len(heaps)}))
"""


# What a large message leaves: many small buffers freed among the few still held, which no
# trimming of the heap's top reaches.
FRAGMENTED = """
import ctypes, json, sys
from shared.native_heap import bound_native_heap, give_back

bound_native_heap()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)

def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

buffers = [libc.malloc(1024) for _ in range(40_000)]
for buffer in buffers:
    ctypes.memset(buffer, 1, 1024)
for index, buffer in enumerate(buffers):
    if index % 100:
        libc.free(buffer)
freed = resident_bytes()
if sys.argv[1] == "given back":
    assert give_back()
print(json.dumps({"released": freed - resident_bytes()}))
"""


def test_free_pages_among_held_buffers_are_given_back():
    def released(mode: str) -> int:
        result = subprocess.run([sys.executable, "-c", FRAGMENTED, mode], capture_output=True,
                                text=True, check=True)
        return json.loads(result.stdout)["released"]

    assert released("given back") > 20 * 2**20  # of the 39 MB freed among 40 held buffers
    assert released("kept") < 2**20  # what giving back changes


def probe(mode: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def test_large_buffers_are_mapped_apart_even_after_one_was_freed():
    assert probe("bounded")["mapped_apart"] is True
    assert probe("default")["mapped_apart"] is False  # what the bound changes


def test_threads_share_at_most_two_arenas():
    assert probe("bounded")["heaps"] <= 2
    assert probe("default")["heaps"] > 2  # what the bound changes


def test_every_service_process_bounds_its_heap_before_it_starts(monkeypatch):
    from click.testing import CliRunner

    from services import cli

    calls = []
    monkeypatch.setattr("shared.native_heap.bound_native_heap", lambda: calls.append(1))
    monkeypatch.setattr("shared.logs.configure_logging", lambda **_: None)
    monkeypatch.setattr("shared.observability.start_observability",
                        lambda *_: (_ for _ in ()).throw(SystemExit(0)))
    CliRunner().invoke(cli.main, ["run", "catalog"])
    assert calls == [1]
