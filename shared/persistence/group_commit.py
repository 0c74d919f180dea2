"""Group commit: changes handed in by handlers running at the same time are written in one
transaction, and each handler gets its own change's result once that transaction committed.

A consumer that applies small changes, one message each, pays a transaction per message: the
begin, the commit, a connection lent from the pool and checked. With `GroupCommit.apply`, the
changes that arrive while one transaction runs wait and go together in the next, so a quiet
consumer commits each change at once and a busy one commits many at a time. It never waits for
more to arrive.

If a transaction fails, its changes are each tried again alone, so a change that cannot be
written fails its own handler only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

import anyio
from sqlalchemy.orm import Session, sessionmaker

from shared.metrics import GROUP_COMMIT_CHANGES
from shared.persistence.db import transaction

Change = TypeVar("Change")
Result = TypeVar("Result")


class GroupCommit(Generic[Change, Result]):
    """Applies changes with `write(session, change)`, at most `most` in one transaction, in the
    order of `order(change)` (a stable sort: changes of one key keep their arrival order), so
    that concurrent transactions lock the rows they share in the same order. Each commit's
    number of changes goes to `chhub_group_commit_changes{writer=name}`."""

    def __init__(self, name: str, sessions: sessionmaker[Session],
                 write: Callable[[Session, Change], Result], *, most: int = 64,
                 order: Callable[[Change], Hashable] | None = None) -> None:
        self._sessions = sessions
        self._write = write
        self._most = most
        self._order = order
        self._waiting: list[tuple[Change, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._changes_per_commit = GROUP_COMMIT_CHANGES.labels(writer=name)

    async def apply(self, change: Change) -> Result:
        """`write`'s result for `change`, once the transaction that wrote it committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((change, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await future

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:self._most]
                del self._waiting[:self._most]
                await self._write_batch(batch)
        finally:  # cancelled (the service stops): nobody will write what still waits
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()

    async def _write_batch(self, batch: list[tuple[Change, asyncio.Future[Result]]]) -> None:
        changes = [change for change, _ in batch]
        try:
            results = await anyio.to_thread.run_sync(self._write_together, changes)
        except Exception:
            for change, future in batch:
                try:
                    result = await anyio.to_thread.run_sync(self._write_together, [change])
                except Exception as error:
                    _fail(future, error)
                else:
                    _resolve(future, result[0])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _resolve(future, result)

    def _write_together(self, changes: Sequence[Change]) -> list[Result]:
        positions = range(len(changes))
        if self._order is not None:
            positions = sorted(positions, key=lambda i: self._order(changes[i]))
        results: dict[int, Result] = {}
        with transaction(self._sessions) as session:
            for i in positions:
                results[i] = self._write(session, changes[i])
        self._changes_per_commit.observe(len(changes))
        return [results[i] for i in range(len(changes))]


def _resolve(future: asyncio.Future, result: object) -> None:
    if not future.done():  # done: its handler was cancelled meanwhile; the message comes again
        future.set_result(result)


def _fail(future: asyncio.Future, error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
