"""Who is acting: resolved once per update, checked again by every rule that needs it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from core.models import Role
from storage.database import Database
from storage.records import Person


@dataclass(frozen=True)
class Actor:
    telegram_user_id: int
    person: Person | None
    is_admin: bool

    @property
    def role(self) -> Role | None:
        if self.is_admin:
            return Role.ADMIN
        if self.person is None or not self.person.is_active:
            return None
        return self.person.role

    @property
    def is_known(self) -> bool:
        return self.role is not None


async def resolve_actor(
    database: Database, admin_ids: Collection[int], telegram_user_id: int
) -> Actor:
    async with database.transaction() as repositories:
        person = await repositories.people.by_telegram_id(telegram_user_id)
    is_admin = telegram_user_id in admin_ids or (
        person is not None and person.is_active and person.is_admin
    )
    return Actor(telegram_user_id=telegram_user_id, person=person, is_admin=is_admin)
