from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.records import Invite
from storage.schema import invites


def _invite(row: RowMapping) -> Invite:
    return Invite(**{column.name: row[column.name] for column in invites.c})


class InviteRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        code_hash: str,
        person_id: int,
        created_by_telegram_id: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite:
        result = await self._connection.execute(
            invites.insert()
            .values(
                code_hash=code_hash,
                person_id=person_id,
                created_by_telegram_id=created_by_telegram_id,
                created_at=now,
                expires_at=expires_at,
            )
            .returning(*invites.c)
        )
        return _invite(result.mappings().one())

    async def by_hash(self, code_hash: str) -> Invite | None:
        result = await self._connection.execute(
            select(invites).where(invites.c.code_hash == code_hash)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _invite(row)

    async def get(self, invite_id: int) -> Invite | None:
        result = await self._connection.execute(select(invites).where(invites.c.id == invite_id))
        row = result.mappings().one_or_none()
        return None if row is None else _invite(row)

    async def revoke_open(self, person_id: int, now: datetime) -> None:
        """Every unused, unrevoked invite of this person stops working."""
        await self._connection.execute(
            update(invites)
            .where(
                invites.c.person_id == person_id,
                invites.c.used_at.is_(None),
                invites.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    async def claim(self, invite_id: int, telegram_user_id: int, now: datetime) -> bool:
        """Marks the invite used, if it still can be; two presses cannot both succeed."""
        result = await self._connection.execute(
            update(invites)
            .where(
                invites.c.id == invite_id,
                invites.c.used_at.is_(None),
                invites.c.revoked_at.is_(None),
                invites.c.expires_at > now,
            )
            .values(used_at=now, used_by_telegram_id=telegram_user_id)
            .returning(invites.c.id)
        )
        return result.scalar_one_or_none() is not None

    async def revoke(self, invite_id: int, now: datetime) -> None:
        await self._connection.execute(
            update(invites)
            .where(invites.c.id == invite_id, invites.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def open_for(self, person_ids: Sequence[int], now: datetime) -> set[int]:
        """Which of these people have an invite that still works."""
        result = await self._connection.execute(
            select(invites.c.person_id).where(
                invites.c.person_id.in_(person_ids),
                invites.c.used_at.is_(None),
                invites.c.revoked_at.is_(None),
                invites.c.expires_at > now,
            )
        )
        return set(result.scalars())
