"""A person's data under 152-ФЗ: what is kept about them (/mydata), erasing them (by a
coordinator, on their own request through /forgetme) and erasing by retention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from core.models import Role
from services.access import AccessDenied, Actor, organisation_scope
from services.notices import NoticeBell, NoticeKind, plan_notices
from services.recipients import organisation_coordinators
from storage.database import Database

# The catalog key of what an erased person is called, stored as the Russian text.
ERASED_NAME_KEY = "people.erased_name"


@dataclass(frozen=True)
class ForgetRequest:
    person_id: int
    told: tuple[int, ...]


class PrivacyService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        erased_name: str,
        bell: NoticeBell | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self.erased_name = erased_name
        self._bell = bell or NoticeBell()

    async def export(self, actor: Actor) -> dict[str, Any]:
        """Everything kept about the acting person."""
        if actor.person is None:
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            data = await repositories.privacy.export(actor.person.id)
            organisation = (
                await repositories.organisations.get(actor.person.organisation_id)
                if actor.person.organisation_id is not None
                else None
            )
        if data["person"] is not None:
            data["person"]["organisation"] = organisation.name if organisation else None
        return data

    async def erase(self, actor: Actor, person_id: int) -> None:
        """A coordinator erases someone of their organisations; never themselves."""
        if actor.role not in (Role.ADMIN, Role.COORDINATOR):
            raise AccessDenied("access.denied")
        if actor.person is not None and actor.person.id == person_id:
            raise AccessDenied("people.not_yourself_erase")
        scope = await organisation_scope(self._database, actor)
        async with self._database.transaction() as repositories:
            person = await repositories.people.get(person_id)
            if person is None or (scope is not None and person.organisation_id not in scope):
                raise AccessDenied("access.denied")
            if person.telegram_user_id is not None and person.telegram_user_id == (
                actor.telegram_user_id
            ):
                raise AccessDenied("people.not_yourself_erase")
            await repositories.privacy.erase_person(person_id, self.erased_name)

    async def request_forget(self, actor: Actor) -> ForgetRequest:
        """The person asks to be forgotten: their coordinators are told, with the button."""
        person = actor.person
        if person is None or person.organisation_id is None:
            raise AccessDenied("access.denied")
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            coordinators = await organisation_coordinators(repositories, person.organisation_id)
            told = await plan_notices(
                repositories,
                NoticeKind.FORGET_ASKED,
                (
                    p.telegram_user_id
                    for p in coordinators
                    if p.telegram_user_id is not None and p.id != person.id
                ),
                now,
                payload={"person_id": person.id, "name": person.full_name},
                event=f"forget{person.id}:{now.date().isoformat()}",
            )
        if told:
            self._bell.ring()
        return ForgetRequest(person.id, told)
