"""Where the import's progress lines go: one line rewritten in place on a terminal; plain lines
every few seconds elsewhere, so a log stays readable."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

TTY_REFRESH_SECONDS = 0.1
CLEAR_TO_END = "\x1b[K"


class ProgressLine:
    def __init__(self, stream: TextIO, *, tty: bool, every_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._tty = tty
        self._every = TTY_REFRESH_SECONDS if tty else every_seconds
        self._clock = clock
        self._shown_at: float | None = None
        self._pending = False  # a line is on the terminal without its newline

    def show(self, text: str, *, last: bool = False) -> None:
        """Show `text` now if the previous line is old enough; `last` always shows and ends
        the line (the end of a stage)."""
        now = self._clock()
        if not last and self._shown_at is not None and now - self._shown_at < self._every:
            return
        self._shown_at = now
        if self._tty:
            self._stream.write(f"\r{text}{CLEAR_TO_END}" + ("\n" if last else ""))
            self._pending = not last
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        if last:
            self._shown_at = None  # the next stage's first line shows at once

    def end(self) -> None:
        """Leave the terminal's line, so what is written next starts on its own."""
        if self._pending:
            self._stream.write("\n")
            self._stream.flush()
            self._pending = False
