"""Reads by a caller's list of ids, shared by the repositories."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked


async def rows_by_id(
    connection: AsyncConnection, table: Table, ids: Sequence[int]
) -> list[RowMapping]:
    """Rows of ``table`` whose id is among ``ids`` (each once): one statement per chunk."""
    found: list[RowMapping] = []
    for part in chunked(sorted(set(ids))):
        result = await connection.execute(select(table).where(table.c.id.in_(part)))
        found.extend(result.mappings())
    return found
