from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import Role
from storage.chunks import chunked
from storage.records import Person
from storage.schema import activity_assignees, invites, people


def _person(row: RowMapping) -> Person:
    return Person(
        id=row["id"],
        organisation_id=row["organisation_id"],
        full_name=row["full_name"],
        name_key=row["name_key"],
        position=row["position"],
        role=Role(row["role"]),
        telegram_user_id=row["telegram_user_id"],
        language_code=row["language_code"],
        is_reachable=row["is_reachable"],
        is_active=row["is_active"],
        is_admin=row["is_admin"],
        is_head=row["is_head"],
        created_at=row["created_at"],
    )


class PersonRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        full_name: str,
        name_key: str,
        role: Role,
        created_at: datetime,
        organisation_id: int | None = None,
        position: str | None = None,
        telegram_user_id: int | None = None,
        is_admin: bool = False,
    ) -> Person:
        result = await self._connection.execute(
            people.insert()
            .values(
                full_name=full_name,
                name_key=name_key,
                role=role.value,
                organisation_id=organisation_id,
                position=position,
                telegram_user_id=telegram_user_id,
                is_admin=is_admin,
                created_at=created_at,
            )
            .returning(*people.c)
        )
        return _person(result.mappings().one())

    async def get(self, person_id: int) -> Person | None:
        result = await self._connection.execute(select(people).where(people.c.id == person_id))
        row = result.mappings().one_or_none()
        return None if row is None else _person(row)

    async def by_telegram_id(self, telegram_user_id: int) -> Person | None:
        result = await self._connection.execute(
            select(people).where(people.c.telegram_user_id == telegram_user_id)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _person(row)

    async def find_by_name_key(self, organisation_id: int, name_key: str) -> list[Person]:
        result = await self._connection.execute(
            select(people)
            .where(people.c.organisation_id == organisation_id, people.c.name_key == name_key)
            .order_by(people.c.id)
        )
        return [_person(row) for row in result.mappings()]

    async def in_organisations(self, organisation_ids: list[int]) -> list[Person]:
        result = await self._connection.execute(
            select(people)
            .where(people.c.organisation_id.in_(organisation_ids))
            .order_by(people.c.full_name, people.c.id)
        )
        return [_person(row) for row in result.mappings()]

    async def link_telegram(
        self, person_id: int, telegram_user_id: int, language_code: str | None
    ) -> None:
        await self._connection.execute(
            update(people)
            .where(people.c.id == person_id)
            .values(
                telegram_user_id=telegram_user_id,
                language_code=language_code,
                is_reachable=True,
            )
        )

    async def set_reachable(self, person_id: int, reachable: bool) -> None:
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(is_reachable=reachable)
        )

    async def set_role(self, person_id: int, role: Role) -> None:
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(role=role.value)
        )

    async def set_active(self, person_id: int, active: bool) -> None:
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(is_active=active)
        )

    async def unlink_telegram(self, person_id: int) -> None:
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(telegram_user_id=None)
        )

    async def set_head(self, person_id: int, organisation_id: int) -> None:
        """This person heads the organisation; whoever did before no longer does."""
        await self._connection.execute(
            update(people)
            .where(people.c.organisation_id == organisation_id, people.c.id != person_id)
            .values(is_head=False)
        )
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(is_head=True)
        )

    async def heads_in(self, organisation_ids: list[int]) -> list[Person]:
        result = await self._connection.execute(
            select(people)
            .where(
                people.c.organisation_id.in_(organisation_ids),
                people.c.is_head.is_(True),
                people.c.is_active.is_(True),
            )
            .order_by(people.c.organisation_id, people.c.id)
        )
        return [_person(row) for row in result.mappings()]

    async def merge_into(self, keep_id: int, drop_id: int) -> None:
        """Everything that named the duplicate now names the kept person; the duplicate goes."""
        await self._connection.execute(
            update(activity_assignees)
            .where(activity_assignees.c.person_id == drop_id)
            .values(person_id=keep_id)
        )
        await self._connection.execute(
            update(invites).where(invites.c.person_id == drop_id).values(person_id=keep_id)
        )
        await self._connection.execute(delete(people).where(people.c.id == drop_id))

    async def by_ids(self, person_ids: Sequence[int]) -> dict[int, Person]:
        """These people, by id, in one statement per few thousand ids."""
        found: dict[int, Person] = {}
        for chunk in chunked(sorted(set(person_ids))):
            result = await self._connection.execute(select(people).where(people.c.id.in_(chunk)))
            found.update((row["id"], _person(row)) for row in result.mappings())
        return found

    async def set_unreachable(self, person_ids: Sequence[int]) -> None:
        """These people blocked the bot (or left Telegram): one statement for all of them."""
        for chunk in chunked(sorted(set(person_ids))):
            await self._connection.execute(
                update(people).where(people.c.id.in_(chunk)).values(is_reachable=False)
            )
