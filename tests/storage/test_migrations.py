from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.database import Database, create_engine, sqlite_file
from storage.migrate import (
    LOCK_SCHEMA_MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from storage.schema import metadata
from tests.conftest import POSTGRES_URL_VARIABLE

# Only catches a hang: every wait below ends as soon as its condition holds.
HANG_CEILING = 120


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrations_build_exactly_the_schema(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_upgrade_twice_is_harmless(database: Database) -> None:
    await upgrade_to_head(database.engine)
    assert await current_revision(database.engine) == head_revision()


async def _someone_waits_for_the_lock_of(holder: int, admin: AsyncEngine) -> None:
    """Until PostgreSQL shows the advisory lock that backend holds asked for by another."""
    query = text(
        "SELECT count(*) FROM pg_locks asked JOIN pg_locks held"
        " USING (locktype, database, classid, objid, objsubid)"
        " WHERE asked.locktype = 'advisory' AND NOT asked.granted"
        " AND held.granted AND held.pid = :holder"
    )
    while True:
        async with admin.connect() as connection:
            if (await connection.execute(query, {"holder": holder})).scalar_one():
                return
        await asyncio.sleep(0.05)


async def test_a_migration_waits_for_one_on_its_schema_and_not_for_one_on_another() -> None:
    base_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base_url:
        pytest.skip(f"PostgreSQL: set {POSTGRES_URL_VARIABLE} to run on it (CI does)")
    schemas = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    admin = create_async_engine(base_url)
    busy, other = (
        create_async_engine(base_url, connect_args={"server_settings": {"search_path": schema}})
        for schema in schemas
    )
    async with admin.begin() as connection:
        for schema in schemas:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        async with busy.begin() as migrating:  # another instance migrating this schema
            await migrating.execute(LOCK_SCHEMA_MIGRATIONS)
            holder = (await migrating.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            waiting = asyncio.create_task(upgrade_to_head(busy))
            await asyncio.wait_for(_someone_waits_for_the_lock_of(holder, admin), HANG_CEILING)
            await asyncio.wait_for(upgrade_to_head(other), HANG_CEILING)
            assert await current_revision(other) == head_revision()
            assert not waiting.done()
        await asyncio.wait_for(waiting, HANG_CEILING)
        assert await current_revision(busy) == head_revision()
    finally:
        for engine in (busy, other):
            await engine.dispose()
        async with admin.begin() as connection:
            for schema in schemas:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    path = sqlite_file(sqlite_url)
    assert path is not None and not path.parent.exists()
    engine = create_engine(sqlite_url)  # creates the folder the file lives in
    async with engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    await engine.dispose()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy is not None and busy >= 1000
    assert Path(path).parent.is_dir()


def test_sqlite_file_only_for_file_databases() -> None:
    assert sqlite_file("sqlite+aiosqlite:///data/x.sqlite3") == Path("data/x.sqlite3")
    assert sqlite_file("sqlite+aiosqlite://") is None
    assert sqlite_file("postgresql+asyncpg://u@h/db") is None


def _upgrade_to(revision: str) -> Any:
    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return upgrade


async def test_responses_of_open_surveys_go_into_the_pool_when_mixing_arrives(
    sqlite_url: str,
) -> None:
    """Before 0013 each response was written next to its token: those of open surveys are
    put into the pending pool, so the job mixes them; a closed survey was sealed already."""
    engine = create_engine(sqlite_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to("0012"))
            await connection.execute(
                text(
                    "INSERT INTO surveys (id, organisation_id, code, definition, status, "
                    "created_at) VALUES (1, NULL, 'Open000001', '{}', 'open', '2022-09-01'), "
                    "(2, NULL, 'Closed0001', '{}', 'closed', '2022-09-01')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO survey_responses (id, survey_id, day) VALUES "
                    "('a1', 1, '2022-09-20'), ('a2', 1, '2022-09-21'), ('b1', 2, '2022-09-20')"
                )
            )
        await upgrade_to_head(engine)
        database = Database(engine)
        async with database.transaction() as repositories:
            pools = await repositories.surveys.pending_pools()
        assert [(pool.survey_id, pool.pending, pool.mixed) for pool in pools] == [(1, 2, 0)]
        async with engine.connect() as connection:
            columns = (await connection.execute(text("SELECT * FROM survey_responses"))).keys()
        assert "day" not in columns
    finally:
        await engine.dispose()
