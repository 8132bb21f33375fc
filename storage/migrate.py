"""Applying Alembic migrations from code (at start-up and by `python -m bot migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Instances sharing a schema (the first on the search path, where the tables are) must not
# migrate at once, so the lock is that schema's: bots in other schemas of one server (a trial
# deployment; the test suite's schema per test, on several workers) never queue behind each
# other's migrations. The seed is any constant, the same for every instance.
_POSTGRES_MIGRATION_LOCK = 7_201_220_401
LOCK_SCHEMA_MIGRATIONS = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(coalesce(current_schema(), ''), :key))"
).bindparams(key=_POSTGRES_MIGRATION_LOCK)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Several instances may start together against one regional database.
        connection.execute(LOCK_SCHEMA_MIGRATIONS)
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known_revision(revision: str) -> bool:
    """Whether this version's migrations include `revision` (a newer bot's is unknown)."""
    return any(
        script.revision == revision
        for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


async def upgrade_url(url: str) -> str | None:
    """Brings the database at `url` to the newest schema; the revision it is at then."""
    database = Database.from_url(url)
    try:
        await upgrade_to_head(database.engine)
        return await current_revision(database.engine)
    finally:
        await database.close()
