"""Fixtures shared by every test: a clock that tests move, and migrated databases."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.clock import ManualClock
from storage.database import Database
from storage.migrate import upgrade_to_head

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
POSTGRES_URL_VARIABLE = "TEST_DATABASE_URL"

# No property here is about speed: hypothesis's 200 ms per example is a wall-clock budget that
# a loaded machine fails. A property that is about speed sets its own deadline.
settings.register_profile("roadmap-bot", deadline=None)
settings.load_profile("roadmap-bot")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, the rest in their order: across xdist workers the run ends when the
    last one does, and a 20-second test (mypy over a fresh checkout) started near the end kept
    one worker busy while the other sat idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2022, 9, 20, 9, 0, tzinfo=VLADIVOSTOK))


@pytest.fixture
def redis_bot_id() -> int:
    """A bot id of this test's own, for Redis: conversation keys begin with the bot id, so the
    test's keys are its alone in the shared database (TEST_REDIS_URL), whatever else runs
    meanwhile: another xdist worker, another checkout's suite, the bench. Nothing is flushed."""
    return 1_000_000_000 + secrets.randbelow(1_000_000_000)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'roadmap.sqlite3'}"


async def _postgres_schema_url(base_url: str) -> tuple[str, str]:
    """A fresh schema per test, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base_url)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return base_url, schema


async def _drop_postgres_schema(base_url: str, schema: str) -> None:
    admin = create_async_engine(base_url)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[Database]:
    """A migrated database on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        db = Database.from_url(sqlite_url)
        await upgrade_to_head(db.engine)
        yield db
        await db.close()
        return
    base_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base_url:
        pytest.skip(f"PostgreSQL: set {POSTGRES_URL_VARIABLE} to run on it (CI does)")
    base_url, schema = await _postgres_schema_url(base_url)
    # As storage.database.create_engine makes it, on a schema of its own.
    engine = create_async_engine(
        base_url,
        hide_parameters=True,
        connect_args={"server_settings": {"search_path": schema}},
    )
    db = Database(engine)
    await upgrade_to_head(db.engine)
    yield db
    await db.close()
    await _drop_postgres_schema(base_url, schema)
