"""Small in-process memories of what the database said, so a button press needs no round trip.

Each memory watches tables: a write to one of them committed in this process forgets everything
at once (storage.database.Database.generation), so this process never serves what it has itself
changed. Other instances' writes are not seen: an entry also expires after its `ttl`, which
bounds how long another instance's change can go unnoticed here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from datetime import timedelta
from typing import Generic, TypeVar

from core.clock import Clock
from storage.database import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def keep_recent(entries: dict[K, V], key: K, value: V, size: int) -> None:
    """``value`` under ``key`` as the most recently used; the least recently used one goes
    when ``entries`` already holds ``size`` (dicts keep insertion order)."""
    entries.pop(key, None)
    if len(entries) >= size:
        del entries[next(iter(entries))]
    entries[key] = value


class Memo(Generic[K, V]):
    def __init__(
        self,
        database: Database,
        clock: Clock,
        tables: tuple[str, ...],
        *,
        ttl: timedelta,
        size: int,
    ) -> None:
        self._database = database
        self._clock = clock
        self._tables = tables
        self._ttl = ttl
        self._size = size
        self._entries: dict[K, tuple[V, float]] = {}
        self._generation = self._current()

    def _current(self) -> int:
        return sum(self._database.generation(table) for table in self._tables)

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The remembered value, or `load()`'s, remembered unless a watched table changed
        while it loaded (it may be stale then)."""
        generation = self._current()
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        now = self._clock.now().timestamp()
        found = self._entries.get(key)
        # A clock set back must not keep an entry alive: the age is checked both ways.
        if found is not None and 0 <= now - found[1] < self._ttl.total_seconds():
            self._entries[key] = self._entries.pop(key)  # the least recently used goes first
            return found[0]
        value = await load()
        if self._current() == generation:
            keep_recent(self._entries, key, (value, now), self._size)
        return value
