"""A person's data under 152-ФЗ: what is kept about them (/mydata), erasing them (by a
coordinator, on their own request through /forgetme) and erasing by retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.clock import Clock
from core.dates import add_months
from core.models import Role
from services.access import AccessDenied, Actor, organisation_scope
from services.notices import NoticeBell, NoticeKind, plan_notices
from services.recipients import organisation_coordinators
from storage.database import Database
from storage.records import PlannedMessage

# The catalog key of what an erased person is called, stored as the Russian text.
ERASED_NAME_KEY = "people.erased_name"
# An outbox row: an act of destruction, sent as its file to one coordinator.
ACT_KIND = "privacy_act"


@dataclass(frozen=True)
class Destruction:
    """What one retention run erased in one organisation: the act's content."""

    organisation_id: int
    organisation_name: str
    at: datetime
    ended_by: date  # roadmaps whose period ended on or before this day
    months: int
    tasks: int
    evidence: int
    events: int
    people: int
    chats: tuple[int, ...]


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
            if person.has_account(actor.telegram_user_id):
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
                (p.account for p in coordinators if p.account is not None and p.id != person.id),
                now,
                payload={"person_id": person.id, "name": person.full_name},
                event=f"forget{person.id}:{now.date().isoformat()}",
            )
        if told:
            self._bell.ring()
        return ForgetRequest(person.id, told)

    async def apply_retention(self, months: int) -> list[Destruction]:
        """Closed tasks of roadmaps ended ``months`` ago lose their personal data; inactive
        people left with nothing open are erased. Nothing due: nothing changes, no act."""
        if months <= 0:
            return []
        now = self._clock.now()
        ended_by = add_months(now.date(), -months)
        done: list[Destruction] = []
        async with self._database.transaction() as repositories:
            due_tasks = await repositories.privacy.closed_tasks_ended_before(ended_by)
            due_people = await repositories.privacy.expired_people(ended_by, self.erased_name)
            for organisation_id in sorted(set(due_tasks) | set(due_people)):
                counts = await repositories.privacy.scrub_tasks(due_tasks.get(organisation_id, []))
                erased = 0
                for person_id in due_people.get(organisation_id, []):
                    erased += await repositories.privacy.erase_person(person_id, self.erased_name)
                if counts.empty and not erased:
                    continue
                organisation = await repositories.organisations.get(organisation_id)
                coordinators = (
                    await organisation_coordinators(repositories, organisation_id)
                    if organisation is not None
                    else []
                )
                done.append(
                    Destruction(
                        organisation_id=organisation_id,
                        organisation_name=organisation.name if organisation else "—",
                        at=now,
                        ended_by=ended_by,
                        months=months,
                        tasks=counts.tasks,
                        evidence=counts.evidence,
                        events=counts.events,
                        people=erased,
                        chats=tuple(p.account for p in coordinators if p.account is not None),
                    )
                )
        return done

    async def send_act(self, destruction: Destruction, file_name: str) -> None:
        """The act goes to the organisation's coordinators through the outbox."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            await repositories.outbox.plan(
                [
                    PlannedMessage(
                        key=f"{ACT_KIND}:{file_name}:{chat}",
                        kind=ACT_KIND,
                        task_id=None,
                        person_id=None,
                        chat_id=chat,
                        local_day=now.date(),
                        planned_at=now,
                        payload={"file": file_name},
                    )
                    for chat in destruction.chats
                ],
                now,
            )
        if destruction.chats:
            self._bell.ring()
