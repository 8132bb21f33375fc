"""MAX message ids (strings) and the numbers the bot knows them by (storage/schema.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked
from storage.schema import max_messages


class MaxMessageRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def numbers(self, mids: Sequence[str]) -> dict[str, int]:
        """The number of each mid, given one now if it had none: one insert and one select
        per few thousand mids, safe when two instances number the same mid at once."""
        wanted = sorted(set(mids))
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        found: dict[str, int] = {}
        for part in chunked(wanted):
            await self._connection.execute(
                dialect.insert(max_messages)
                .values([{"mid": mid} for mid in part])
                .on_conflict_do_nothing(index_elements=[max_messages.c.mid])
            )
            result = await self._connection.execute(
                select(max_messages.c.mid, max_messages.c.id).where(max_messages.c.mid.in_(part))
            )
            found.update((mid, int(number)) for mid, number in result.all())
        return found

    async def mid(self, number: int) -> str | None:
        result = await self._connection.execute(
            select(max_messages.c.mid).where(max_messages.c.id == number)
        )
        return result.scalar_one_or_none()
