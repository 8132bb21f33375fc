from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from storage.database import Database, create_engine, sqlite_file
from storage.migrate import current_revision, head_revision, upgrade_to_head
from storage.schema import metadata


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
