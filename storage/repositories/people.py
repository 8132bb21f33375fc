from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.messengers import Messenger, messenger_of
from core.models import Role
from storage.chunks import chunked, rows_per_statement
from storage.records import Person
from storage.repositories.bulk import rows_by_id
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
        consent_version=row["consent_version"],
        consent_at=row["consent_at"],
        max_account_id=row["max_account_id"],
        messenger=row["messenger"],
    )


def _account_column(account: int) -> ColumnElement[Any]:
    """The column holding accounts of this one's messenger."""
    if messenger_of(account) is Messenger.MAX:
        return people.c.max_account_id
    return people.c.telegram_user_id


# Built once: asked on every first update of an account (survey respondents, mostly).
_BY_ACCOUNT = {
    column.name: select(people).where(column == bindparam("account"))
    for column in (people.c.telegram_user_id, people.c.max_account_id)
}


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

    async def by_account(self, account: int) -> Person | None:
        """The person linked to this account (Telegram or MAX: core.messengers)."""
        result = await self._connection.execute(
            _BY_ACCOUNT[_account_column(account).name], {"account": account}
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

    async def find_by_name_keys(
        self, organisation_id: int, name_keys: Sequence[str]
    ) -> dict[str, list[Person]]:
        """People of the organisation under each of these keys (the oldest first)."""
        found: dict[str, list[Person]] = {}
        for part in chunked(sorted(set(name_keys))):
            result = await self._connection.execute(
                select(people)
                .where(people.c.organisation_id == organisation_id, people.c.name_key.in_(part))
                .order_by(people.c.id)
            )
            for row in result.mappings():
                found.setdefault(row["name_key"], []).append(_person(row))
        return found

    async def by_ids(self, person_ids: Sequence[int]) -> dict[int, Person]:
        """These people, by id, in one statement per few thousand ids."""
        rows = await rows_by_id(self._connection, people, person_ids)
        return {row["id"]: _person(row) for row in rows}

    async def add_many(
        self,
        organisation_id: int,
        entries: Sequence[tuple[str, str, str | None]],
        *,
        role: Role,
        created_at: datetime,
    ) -> list[int]:
        """(full name, name key, position) entries of distinct keys; ids in that order."""
        rows = [
            {
                "full_name": full_name,
                "name_key": name_key,
                "position": position,
                "role": role.value,
                "organisation_id": organisation_id,
                "created_at": created_at,
            }
            for full_name, name_key, position in entries
        ]
        ids: dict[str, int] = {}
        for part in chunked(rows, rows_per_statement(6)):
            result = await self._connection.execute(
                people.insert().returning(people.c.id, people.c.name_key), list(part)
            )
            ids.update((name_key, int(person_id)) for person_id, name_key in result.all())
        return [ids[name_key] for _name, name_key, _position in entries]

    async def in_organisations(self, organisation_ids: list[int]) -> list[Person]:
        result = await self._connection.execute(
            select(people)
            .where(people.c.organisation_id.in_(organisation_ids))
            .order_by(people.c.full_name, people.c.id)
        )
        return [_person(row) for row in result.mappings()]

    async def link_account(
        self,
        person_id: int,
        account: int,
        language_code: str | None,
        consent: tuple[str, datetime] | None = None,
    ) -> None:
        """Links a Telegram or MAX account; messages go there from now on (the last linked).
        ``consent``: the version of the consent text the person agreed to, and when."""
        values: dict[str, object] = {
            _account_column(account).name: account,
            "messenger": messenger_of(account).value,
            "language_code": language_code,
            "is_reachable": True,
        }
        if consent is not None:
            values["consent_version"], values["consent_at"] = consent
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(**values)
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

    async def record_consent(self, person_id: int, version: str, at: datetime) -> None:
        await self._connection.execute(
            update(people)
            .where(people.c.id == person_id)
            .values(consent_version=version, consent_at=at)
        )

    async def unlink(self, person_id: int) -> None:
        """Every account of this person (Telegram and MAX) is unlinked."""
        await self._connection.execute(
            update(people)
            .where(people.c.id == person_id)
            .values(telegram_user_id=None, max_account_id=None, messenger=None)
        )

    async def choose_messenger(self, person_id: int, messenger: Messenger) -> None:
        await self._connection.execute(
            update(people).where(people.c.id == person_id).values(messenger=messenger.value)
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

    async def by_accounts(self, accounts: Sequence[int]) -> dict[int, Person]:
        """The people linked to these accounts (a private chat's id is its user's), by
        account: one statement per few thousand accounts."""
        found: dict[int, Person] = {}
        wanted = set(accounts)
        for part in chunked(sorted(wanted)):
            result = await self._connection.execute(
                select(people).where(
                    or_(people.c.telegram_user_id.in_(part), people.c.max_account_id.in_(part))
                )
            )
            for row in result.mappings():
                person = _person(row)
                for account in person.accounts:
                    if account in wanted:
                        found[account] = person
        return found

    async def set_unreachable(self, accounts: Sequence[int]) -> list[int]:
        """These accounts blocked the bot (or left the messenger); the ids of the people who
        had been reachable until now. One statement per few thousand accounts."""
        changed: list[int] = []
        for chunk in chunked(sorted(set(accounts))):
            result = await self._connection.execute(
                update(people)
                .where(
                    or_(people.c.telegram_user_id.in_(chunk), people.c.max_account_id.in_(chunk)),
                    people.c.is_reachable,
                )
                .values(is_reachable=False)
                .returning(people.c.id)
            )
            changed.extend(result.scalars())
        return changed

    async def add_heads(
        self, heads: Sequence[HeadFields], *, role: Role, created_at: datetime
    ) -> None:
        """New people, each the head of their organisation: one statement per chunk."""
        for part in chunked(heads, rows_per_statement(7)):
            await self._connection.execute(
                people.insert().values(
                    [
                        {
                            "organisation_id": head.organisation_id,
                            "full_name": head.full_name,
                            "name_key": head.name_key,
                            "position": head.position,
                            "role": role.value,
                            "is_head": True,
                            "created_at": created_at,
                        }
                        for head in part
                    ]
                )
            )

    async def clear_heads(self, organisation_ids: Sequence[int]) -> None:
        """Nobody heads these organisations any more (their people stay)."""
        for part in chunked(organisation_ids):
            await self._connection.execute(
                update(people)
                .where(people.c.organisation_id.in_(part), people.c.is_head.is_(True))
                .values(is_head=False)
            )

    async def make_heads(self, person_ids: Sequence[int]) -> None:
        """These people head their organisations (clear the old heads first)."""
        for part in chunked(person_ids):
            await self._connection.execute(
                update(people).where(people.c.id.in_(part)).values(is_head=True)
            )

    async def set_names_and_positions(
        self, changes: Sequence[tuple[int, str, str | None]]
    ) -> None:
        """(person id, full name, position) in one executemany; name keys stay as they are."""
        if not changes:
            return
        await self._connection.execute(
            update(people)
            .where(people.c.id == bindparam("b_id"))
            .values(full_name=bindparam("b_name"), position=bindparam("b_position")),
            [
                {"b_id": person_id, "b_name": full_name, "b_position": position}
                for person_id, full_name, position in changes
            ],
        )


@dataclass(frozen=True)
class HeadFields:
    """A head to add in bulk (PersonRepository.add_heads)."""

    organisation_id: int
    full_name: str
    name_key: str
    position: str | None
