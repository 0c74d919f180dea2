"""The hand-over between an upload's bytes arriving on the event loop and the worker thread that
streams them into the object store: each piece is copied once, straight into the part buffer
the store's reader holds out (`PartFeed`).
"""

from __future__ import annotations

import threading

import anyio

READ_BYTES = 1024 * 1024  # what `PartFeed.read` asks of the writer at a time


class _Aborted(Exception):
    pass


class PartFeed:
    """A file-like object that a worker thread reads into its part buffer (`readinto`) and
    that the event loop writes into: each piece of the body is copied once, straight into
    the buffer the reader waits to fill, so a file of any size costs the reader's one part
    and nothing beside it. While the reader sends a part, the writer waits for the next
    buffer (and the client's bytes wait in the socket meanwhile)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._target: memoryview | None = None
        self._filled = 0
        self._ended = False
        self._closed = False
        self._error: BaseException | None = None

    # The reader's side, in a worker thread.

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Wait until the writer has filled `buffer` or ended; the bytes written into it."""
        with self._changed:
            if self._error is None and not self._ended:
                self._target, self._filled = memoryview(buffer).cast("B"), 0
                self._changed.notify_all()
                while self._target is not None and self._error is None:
                    self._changed.wait()
            self._target = None
            if self._error is not None:
                raise self._error
            filled, self._filled = self._filled, 0
            return filled

    def read(self, size: int = -1) -> bytes:
        if size < 0:  # everything up to the end
            return b"".join(iter(lambda: self.read(READ_BYTES), b""))
        buffer = bytearray(size)
        del buffer[self.readinto(buffer):]
        return bytes(buffer)

    def close(self) -> None:
        """The reader reads no more (it has stored the file, or failed)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    # The writer's side, on the event loop.

    async def write(self, data: bytes) -> None:
        """Copy `data` into the reader's buffers, waiting (in a worker thread) whenever the
        reader has none waiting; dropped once the reader has closed."""
        view = memoryview(data)
        while view:
            target = self._target
            if target is None:
                if not await anyio.to_thread.run_sync(self._wait_for_target):
                    return
                continue
            count = min(len(view), len(target) - self._filled)
            target[self._filled:self._filled + count] = view[:count]
            self._filled += count
            view = view[count:]
            if self._filled == len(target):
                self._hand_over()

    def end(self) -> None:
        """No more bytes: the reader gets what its buffer holds, then the end."""
        with self._changed:
            self._ended = True
            self._hand_over()

    def abort(self) -> None:
        """The upload is given up: the reader's read raises."""
        with self._changed:
            self._error = _Aborted()
            self._changed.notify_all()

    def _hand_over(self) -> None:
        with self._changed:
            self._target = None
            self._changed.notify_all()

    def _wait_for_target(self) -> bool:
        with self._changed:
            while self._target is None and not self._closed:
                self._changed.wait()
            return self._target is not None
