"""Per-key debouncing on the event loop.

``Debouncer.schedule(key, delay, job)`` runs ``await job()`` once ``delay``
seconds have passed without another ``schedule`` for the same key; a newer call
cancels the waiting (or running) older one. Keys are independent, so a burst of
typing in one document never delays another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Hashable


class Debouncer:
    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}

    def schedule(self, key: Hashable, delay: float, job: Callable[[], Awaitable[Any]]) -> asyncio.Task[Any]:
        """Run ``job`` after ``delay`` seconds unless rescheduled first; returns its task."""
        self.cancel(key)
        task = asyncio.get_running_loop().create_task(self._run(delay, job))
        self._tasks[key] = task
        task.add_done_callback(lambda t, key=key: self._forget(key, t))
        return task

    def pending(self, key: Hashable) -> asyncio.Task[Any] | None:
        """The scheduled or running task for ``key``, if any."""
        task = self._tasks.get(key)
        return task if task is not None and not task.done() else None

    def cancel(self, key: Hashable) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        for key in list(self._tasks):
            self.cancel(key)

    def _forget(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    @staticmethod
    async def _run(delay: float, job: Callable[[], Awaitable[Any]]) -> Any:
        if delay > 0:
            await asyncio.sleep(delay)
        return await job()
