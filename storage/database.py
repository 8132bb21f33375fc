"""Engine set-up and the unit of work handed to services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.repositories import Repositories

SQLITE_BUSY_TIMEOUT_MS = 5000


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the scheduler read while a handler writes; foreign keys are off by default in
    # SQLite; the busy timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL points at, or None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_engine(url: str) -> AsyncEngine:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error in the log shows the SQL, never the values bound to it (names,
    # Telegram ids, survey answers next to the token of the person who gave them).
    engine = create_async_engine(url, pool_pre_ping=path is None, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


class Database:
    """Hands out repositories bound to one short transaction at a time.

    Transactions stay short on purpose: a handler that held one open while it waits for
    Telegram would block every other SQLite writer for that long.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite's busy handler polls, first come is not first served: under a burst of
        # writers an unlucky one can lose every poll for the whole busy timeout. Writers of
        # this process queue here instead, fairly, and SQLite sees one at a time.
        self._sqlite_writers = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_engine(url))

    @asynccontextmanager
    async def transaction(self, *, immediate: bool = False) -> AsyncIterator[Repositories]:
        """Everything done inside commits together, or nothing does.

        ``immediate``: for short writing transactions that many people run at once (a survey
        submit after a post in a class chat). On SQLite they wait their turn in this process's
        queue, then take the write lock up front (BEGIN IMMEDIATE) rather than upgrading a
        read halfway. Other engines need neither.
        """
        if not immediate or self.engine.dialect.name != "sqlite":
            async with self.engine.begin() as connection:
                yield Repositories(connection)
            return
        async with self._sqlite_writers, self.engine.begin() as connection:
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield Repositories(connection)

    async def close(self) -> None:
        await self.engine.dispose()
