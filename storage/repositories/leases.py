"""Leases: a named job held by one instance until a moment, renewed while it runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.schema import leases


class LeaseRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Takes or renews the lease until `until`: True when `holder` has it now (it was free,
        lapsed, or already theirs). One statement: two instances asking at once cannot both
        get it."""
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(leases).values(name=name, holder=holder, expires_at=until)
        statement = statement.on_conflict_do_update(
            index_elements=[leases.c.name],
            set_={"holder": holder, "expires_at": until},
            where=or_(leases.c.holder == holder, leases.c.expires_at < now),
        ).returning(leases.c.holder)
        result = await self._connection.execute(statement)
        return result.scalar_one_or_none() == holder

    async def held(self, name: str) -> tuple[str, datetime] | None:
        """Who holds the lease and until when (lapsed or not); None if nobody ever took it."""
        result = await self._connection.execute(
            select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name)
        )
        row = result.one_or_none()
        return None if row is None else (row.holder, row.expires_at)

    async def release(self, name: str, holder: str) -> None:
        """Gives the lease up at a clean stop, so a successor need not wait for it to lapse."""
        await self._connection.execute(
            delete(leases).where(leases.c.name == name, leases.c.holder == holder)
        )
