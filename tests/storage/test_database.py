"""Writers under load and errors in logs: a burst of submits never fails; values never leak."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.database import Database

WRITERS = 30
HOLD_SECONDS = 0.05  # each writer holds the write lock this long
BUSY_TIMEOUT_MS = 1000  # shorter than the real one, so the test need not wait it out


async def test_writers_outlasting_the_busy_timeout_all_commit(tmp_path: Path) -> None:
    # Together they hold the lock longer than SQLite's busy timeout: with SQLite's polling
    # alone the unlucky ones would give up with "database is locked".
    assert WRITERS * HOLD_SECONDS > BUSY_TIMEOUT_MS / 1000
    database = Database.from_url(
        f"sqlite+aiosqlite:///{tmp_path / 'burst.sqlite3'}", busy_timeout_ms=BUSY_TIMEOUT_MS
    )
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE burst (n INTEGER PRIMARY KEY)"))

        async def write(n: int) -> None:
            async with database.transaction(immediate=True) as repositories:
                connection = repositories.surveys._connection
                await connection.execute(text("SELECT count(*) FROM burst"))
                await asyncio.sleep(HOLD_SECONDS)
                await connection.execute(text("INSERT INTO burst (n) VALUES (:n)"), {"n": n})

        await asyncio.gather(*(write(n) for n in range(WRITERS)))
        async with database.engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM burst"))
        assert count == WRITERS
    finally:
        await database.close()


async def test_writers_that_write_first_still_take_turns(database: Database) -> None:
    # No BEGIN IMMEDIATE: the first INSERT takes the write lock, and the queue still holds:
    # no two such transactions are ever open at once, and all of them commit.
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE burst (n INTEGER PRIMARY KEY)"))
    open_now, most_open = 0, 0

    async def write(n: int) -> None:
        nonlocal open_now, most_open
        async with database.transaction(immediate=True, writes_first=True) as repositories:
            open_now += 1
            most_open = max(most_open, open_now)
            connection = repositories.surveys._connection
            await connection.execute(text("INSERT INTO burst (n) VALUES (:n)"), {"n": n})
            await asyncio.sleep(0.01)
            open_now -= 1

    await asyncio.gather(*(write(n) for n in range(WRITERS)))
    async with database.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM burst"))
    assert count == WRITERS
    if database.engine.dialect.name == "sqlite":  # other engines need no queue
        assert most_open == 1


async def test_database_errors_never_carry_the_values(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE secrets (token TEXT PRIMARY KEY)"))
        await connection.execute(text("INSERT INTO secrets VALUES (:t)"), {"t": "answer-of-777"})
    with pytest.raises(IntegrityError) as caught:
        async with database.engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO secrets VALUES (:t)"), {"t": "answer-of-777"}
            )
    assert "answer-of-777" not in str(caught.value)


async def test_a_connection_returned_inside_a_transaction_comes_back_clean(tmp_path) -> None:
    # SQLite's pool skips the rollback after every commit; one left open is still rolled back.
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'reset.sqlite3'}")
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (n INTEGER)"))
        async with database.engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.execute("BEGIN")
            await raw.execute("INSERT INTO notes VALUES (1)")
            assert raw.in_transaction
        async with database.transaction() as repositories:
            connection = repositories.surveys._connection
            again = (await connection.get_raw_connection()).driver_connection
            assert again is raw
            assert await connection.scalar(text("SELECT count(*) FROM notes")) == 0
    finally:
        await database.close()
