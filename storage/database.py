"""Engine set-up and the unit of work handed to services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolResetState

from storage.private_files import private_sqlite
from storage.repositories import Repositories
from storage.writes import WRITTEN, note_write

SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a WAL checkpoint waits for readers of an older snapshot before it gives up for now.
_CHECKPOINT_WAIT_MS = 250
# PostgreSQL connections kept open per instance (and as many again at a peak). Several instances
# share the server's max_connections (100 by default): instances × 2 × this must stay below it.
DEFAULT_POOL_SIZE = 10
# A pooled connection older than this is closed and opened afresh when next checked out, before
# a firewall or PgBouncer drops it silently for being idle.
POOL_RECYCLE_SECONDS = 1800


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the scheduler read while a handler writes; foreign keys are off by default
        # in SQLite; the busy timeout makes a second writer wait instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # What is deleted is overwritten with zeros, in the pages and in freed pages: a survey
        # response rewritten by mixing leaves no copy of itself in the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return set_pragmas


def _rollback_if_open(dbapi_connection: Any, record: Any, reset_state: PoolResetState) -> None:
    # What "rollback on return" is for, without a round trip to the connection's thread after
    # every commit: a connection comes back with a transaction open only after a failure.
    driver = record.driver_connection
    if reset_state.asyncio_safe and driver is not None and driver.in_transaction:
        dbapi_connection.rollback()


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL points at, or None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_engine(
    url: str,
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> AsyncEngine:
    path = sqlite_file(url)
    if path is not None:
        private_sqlite(path)
    # hide_parameters: an error in the log shows the SQL, never the values bound to it (names,
    # Telegram ids, survey answers next to the token of the person who gave them).
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, hide_parameters=True, pool_reset_on_return=None)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine.sync_engine, "reset", _rollback_if_open)
        return engine
    # No pre-ping: a `SELECT 1` round trip on every checkout doubled the cost of a short
    # transaction. A connection the server dropped (a restart, a failover) fails the one
    # statement that meets it; SQLAlchemy sees the disconnect, discards every pooled connection
    # older than it, and the next transaction connects afresh. That update gets the error
    # handler's apology and a person presses again.
    return create_async_engine(
        url,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=POOL_RECYCLE_SECONDS,
    )


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
        self._generations: dict[str, int] = {}
        event.listen(engine.sync_engine, "before_execute", note_write)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ) -> Database:
        """``busy_timeout_ms``: how long a SQLite writer waits out another process's write."""
        return cls(create_engine(url, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms))

    def generation(self, table: str) -> int:
        """Grows after every committed transaction of this process that wrote to this table
        (however it did: a service, an import, the CLI, a test). Whatever was read from it
        before the number grew may be stale: caches compare it instead of asking the database.
        Other processes' writes do not show here; those caches also expire."""
        return self._generations.get(table, 0)

    @asynccontextmanager
    async def transaction(
        self, *, immediate: bool = False, writes_first: bool = False
    ) -> AsyncIterator[Repositories]:
        """Everything done inside commits together, or nothing does.

        ``immediate``: for short writing transactions that many people run at once (a survey
        submit after a post in a class chat). On SQLite they wait their turn in this process's
        queue, then take the write lock up front (BEGIN IMMEDIATE) rather than upgrading a
        read halfway. Other engines need neither.

        ``writes_first`` (with ``immediate``): the first statement writes, so SQLite takes the
        write lock with it (waiting out another process's writer like BEGIN IMMEDIATE does)
        and there is no read to upgrade: the BEGIN IMMEDIATE round trip is left out.
        """
        if not immediate or self.engine.dialect.name != "sqlite":
            async with self._watching_writes(self.engine.begin()) as connection:
                yield Repositories(connection)
            return
        async with self._sqlite_writers, self._watching_writes(self.engine.begin()) as connection:
            if not writes_first:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield Repositories(connection)

    @asynccontextmanager
    async def _watching_writes(
        self, begin: AbstractAsyncContextManager[AsyncConnection]
    ) -> AsyncIterator[AsyncConnection]:
        """Generations grow after the commit, never before: a reader that ran between a write
        and its commit saw the old rows, and must not keep them under the new number."""
        written: set[str] = set()
        async with begin as connection:
            info = connection.sync_connection.info if connection.sync_connection else {}
            info.pop(WRITTEN, None)
            try:
                yield connection
            finally:
                written = info.pop(WRITTEN, set())
        for table in written:
            self._generations[table] = self._generations.get(table, 0) + 1

    async def forget_old_versions(self, tables: Sequence[str]) -> bool:
        """Makes what was deleted from or rewritten in these tables unreadable from a copy of
        the database's files; False when it could not yet (try again later).

        SQLite keeps the pages of every commit in the WAL file, in commit order, until a
        checkpoint copies them into the database and TRUNCATE empties the file (deleted rows
        are zeroed by secure_delete, set on every connection). It cannot finish while another
        connection reads an older snapshot, and waits for that only briefly. PostgreSQL
        keeps old row versions (with the xmin of the transaction that wrote them) until VACUUM
        removes them; VACUUM runs outside a transaction and blocks neither readers nor writers.
        """
        if self.engine.dialect.name == "sqlite":
            async with self._sqlite_writers, self.engine.connect() as connection:
                timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
                # Writers wait while it runs: a reader in the way makes it give up soon, and
                # the caller tries again later, instead of holding them up for the timeout.
                await connection.exec_driver_sql(f"PRAGMA busy_timeout={_CHECKPOINT_WAIT_MS}")
                try:
                    result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy: int = result.scalar_one()
                finally:
                    await connection.exec_driver_sql(f"PRAGMA busy_timeout={int(timeout)}")
            return busy == 0
        preparer = self.engine.dialect.identifier_preparer
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(
                "VACUUM " + ", ".join(preparer.quote(table) for table in tables)
            )
        return True

    async def close(self) -> None:
        await self.engine.dispose()
