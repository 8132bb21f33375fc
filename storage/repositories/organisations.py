from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import RowMapping, bindparam, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import OrganisationKind
from storage.chunks import chunked, rows_per_statement
from storage.records import Organisation
from storage.schema import organisations


def _organisation(row: RowMapping) -> Organisation:
    return Organisation(
        id=row["id"],
        name=row["name"],
        kind=OrganisationKind(row["kind"]),
        parent_id=row["parent_id"],
        timezone=row["timezone"],
        created_at=row["created_at"],
        reminder_offsets=row["reminder_offsets"],
        reminder_time=row["reminder_time"],
        report_cadence=row["report_cadence"],
    )


class OrganisationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        name: str,
        kind: OrganisationKind,
        timezone: str,
        created_at: datetime,
        parent_id: int | None = None,
    ) -> Organisation:
        result = await self._connection.execute(
            organisations.insert()
            .values(
                name=name,
                kind=kind.value,
                parent_id=parent_id,
                timezone=timezone,
                created_at=created_at,
            )
            .returning(*organisations.c)
        )
        return _organisation(result.mappings().one())

    async def set_report_cadence(self, organisation_id: int, cadence: str | None) -> None:
        await self._connection.execute(
            update(organisations)
            .where(organisations.c.id == organisation_id)
            .values(report_cadence=cadence)
        )

    async def set_reminders(
        self, organisation_id: int, offsets: str | None, reminder_time: str | None
    ) -> None:
        await self._connection.execute(
            update(organisations)
            .where(organisations.c.id == organisation_id)
            .values(reminder_offsets=offsets, reminder_time=reminder_time)
        )

    async def get(self, organisation_id: int) -> Organisation | None:
        result = await self._connection.execute(
            select(organisations).where(organisations.c.id == organisation_id)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _organisation(row)

    async def list_all(self) -> list[Organisation]:
        result = await self._connection.execute(
            select(organisations).order_by(organisations.c.name, organisations.c.id)
        )
        return [_organisation(row) for row in result.mappings()]

    async def descendant_ids(self, organisation_id: int) -> list[int]:
        """The organisation and every organisation below it, at any depth."""
        tree = (
            select(organisations.c.id)
            .where(organisations.c.id == organisation_id)
            .cte("tree", recursive=True)
        )
        tree = tree.union_all(
            select(organisations.c.id).where(organisations.c.parent_id == tree.c.id)
        )
        result = await self._connection.execute(select(tree.c.id).order_by(tree.c.id))
        return list(result.scalars())

    async def ancestor_ids(self, organisation_id: int) -> list[int]:
        """The organisation and every organisation above it, nearest first."""
        chain = (
            select(organisations.c.id, organisations.c.parent_id, literal(0).label("depth"))
            .where(organisations.c.id == organisation_id)
            .cte("chain", recursive=True)
        )
        chain = chain.union_all(
            select(organisations.c.id, organisations.c.parent_id, (chain.c.depth + 1)).where(
                organisations.c.id == chain.c.parent_id
            )
        )
        result = await self._connection.execute(select(chain.c.id).order_by(chain.c.depth))
        return list(result.scalars())

    async def children_of(self, parent_id: int) -> list[Organisation]:
        """The organisations directly under this one, oldest first."""
        result = await self._connection.execute(
            select(organisations)
            .where(organisations.c.parent_id == parent_id)
            .order_by(organisations.c.id)
        )
        return [_organisation(row) for row in result.mappings()]

    async def add_many(
        self,
        names: Sequence[str],
        *,
        kind: OrganisationKind,
        timezone: str,
        parent_id: int,
        created_at: datetime,
    ) -> list[Organisation]:
        """Organisations of one kind under one parent: one statement per chunk of rows."""
        added: list[Organisation] = []
        for part in chunked(names, rows_per_statement(5)):
            result = await self._connection.execute(
                organisations.insert()
                .values(
                    [
                        {
                            "name": name,
                            "kind": kind.value,
                            "parent_id": parent_id,
                            "timezone": timezone,
                            "created_at": created_at,
                        }
                        for name in part
                    ]
                )
                .returning(*organisations.c)
            )
            added.extend(_organisation(row) for row in result.mappings())
        return added

    async def rename_many(self, names: Mapping[int, str]) -> None:
        """New names by organisation id, in one executemany."""
        if not names:
            return
        await self._connection.execute(
            update(organisations)
            .where(organisations.c.id == bindparam("b_id"))
            .values(name=bindparam("b_name")),
            [{"b_id": organisation_id, "b_name": name} for organisation_id, name in names.items()],
        )
