"""The PostgreSQL pool: sized by the setting, no ping per checkout, a dropped connection costs
one failed transaction and no more."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import QueuePool

from storage.database import POOL_RECYCLE_SECONDS, Database, create_engine
from tests.conftest import POSTGRES_URL_VARIABLE


def test_postgres_pool_is_sized_recycled_and_never_pinged() -> None:
    # The pool has no public accessors for these; the private names are SQLAlchemy 2's.
    engine = create_engine("postgresql+asyncpg://bot@db.example/roadmap", pool_size=15)
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.size() == 15
    assert pool._max_overflow == 15
    assert pool._recycle == POOL_RECYCLE_SECONDS
    assert not pool._pre_ping


async def test_a_connection_the_server_dropped_fails_once_then_the_pool_reconnects() -> None:
    base_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base_url:
        pytest.skip(f"PostgreSQL: set {POSTGRES_URL_VARIABLE} to run on it (CI does)")
    database = Database.from_url(base_url, pool_size=2)
    admin = create_async_engine(base_url)
    try:
        async with database.engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with admin.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        with pytest.raises(DBAPIError) as failed:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await admin.dispose()
        await database.close()
