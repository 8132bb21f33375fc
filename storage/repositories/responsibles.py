"""Who answers for a body or group a roadmap names, per organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked
from storage.schema import responsible_people


class ResponsibleRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def in_organisations(
        self, organisation_ids: Sequence[int]
    ) -> dict[int, dict[str, tuple[int, ...]]]:
        """Per organisation, each body's people by key (in the order they were picked)."""
        found: dict[int, dict[str, list[int]]] = {}
        for part in chunked(sorted(set(organisation_ids))):
            result = await self._connection.execute(
                select(
                    responsible_people.c.organisation_id,
                    responsible_people.c.name_key,
                    responsible_people.c.person_id,
                )
                .where(responsible_people.c.organisation_id.in_(part))
                .order_by(responsible_people.c.created_at, responsible_people.c.person_id)
            )
            for organisation_id, key, person_id in result:
                found.setdefault(organisation_id, {}).setdefault(key, []).append(person_id)
        return {
            organisation_id: {key: tuple(people) for key, people in bodies.items()}
            for organisation_id, bodies in found.items()
        }

    async def set(
        self,
        organisation_id: int,
        name_key: str,
        name: str,
        person_ids: Sequence[int],
        now: datetime,
    ) -> None:
        """The body's people from now on (none: it is forgotten)."""
        await self._connection.execute(
            delete(responsible_people).where(
                responsible_people.c.organisation_id == organisation_id,
                responsible_people.c.name_key == name_key,
            )
        )
        people = list(dict.fromkeys(person_ids))
        if people:
            await self._connection.execute(
                responsible_people.insert(),
                [
                    {
                        "organisation_id": organisation_id,
                        "name_key": name_key,
                        "person_id": person_id,
                        "name": name,
                        "created_at": now,
                    }
                    for person_id in people
                ],
            )
