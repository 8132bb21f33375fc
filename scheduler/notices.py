"""Notices go the moment they are planned: a service rings, the tick sends the notices only.

The same outbox, pacing, retries and 403 handling as reminders (``ReminderTick.run`` with the
notice kinds). Should this fail, or the process stop first, the minute tick sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from scheduler.tick import ReminderTick
from services.notices import NOTICE_KINDS

logger = logging.getLogger(__name__)

# On a stop, notices under way get this long to finish; the rest wait for the next start.
STOP_GRACE_SECONDS = 5.0


class NoticeDelivery:
    def __init__(self, tick: ReminderTick) -> None:
        self._tick = tick
        self._rung = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def ring(self) -> None:
        """Notices were planned (and committed): send them soon. Never blocks the caller."""
        self._idle.clear()
        self._rung.set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="notices")

    async def stop(self) -> None:
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), STOP_GRACE_SECONDS)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def settled(self) -> None:
        """Until every ring so far has been answered (tests wait on this, not on time)."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            await self._rung.wait()
            self._rung.clear()
            try:
                await self._tick.run(kinds=NOTICE_KINDS)
            except Exception:  # the minute tick sends them instead
                logger.exception("notices could not be sent now; the minute tick will")
            if not self._rung.is_set():
                self._idle.set()
