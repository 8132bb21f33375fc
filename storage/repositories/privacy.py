"""Personal data of one person: read out for them (/mydata), erased on request or by retention.

Erasing keeps the activity (tasks, events, who did what by id) and drops what names or reaches
the person: their name, Telegram id, language, position, their files, comments and links, the
messages waiting for them and the invites made for them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, exists, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked
from storage.schema import (
    activities,
    activity_assignees,
    activity_history,
    invites,
    outbox,
    people,
    postponements,
    responsible_people,
    roadmaps,
    task_events,
    task_evidence,
    task_executors,
    tasks,
)

# Statuses after which a task asks nothing of anyone (tasks.rules.TaskStatus.DONE).
_DONE = "done"
# Evidence written by a person: a file (the messenger's file id), a link or a comment.
_PERSONAL_EVIDENCE = ("document", "photo", "link", "comment")


# Where a Telegram id is kept beside an action: cleared when its person is erased.
_TELEGRAM_ID_COLUMNS = (
    task_events.c.actor_telegram_id,
    activity_history.c.actor_telegram_id,
    postponements.c.decided_by_telegram_id,
    invites.c.created_by_telegram_id,
    invites.c.used_by_telegram_id,
    roadmaps.c.imported_by_telegram_id,
)


@dataclass(frozen=True)
class ScrubCounts:
    """What one retention pass removed from closed tasks."""

    tasks: int = 0
    evidence: int = 0
    events: int = 0

    @property
    def empty(self) -> bool:
        return not (self.evidence or self.events)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(result: Any) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row.items()} for row in result.mappings()]


class PrivacyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def export(self, person_id: int) -> dict[str, Any]:
        """Every row that is about this person, as plain JSON-ready values."""
        execute = self._connection.execute
        person = _rows(
            await execute(
                select(
                    people.c.id,
                    people.c.full_name,
                    people.c.position,
                    people.c.role,
                    people.c.organisation_id,
                    people.c.telegram_user_id,
                    people.c.max_account_id,
                    people.c.language_code,
                    people.c.is_active,
                    people.c.is_head,
                    people.c.created_at,
                ).where(people.c.id == person_id)
            )
        )
        mine = select(task_executors.c.task_id).where(task_executors.c.person_id == person_id)
        task_rows = _rows(
            await execute(
                select(
                    tasks.c.id,
                    activities.c.title,
                    roadmaps.c.title.label("roadmap"),
                    tasks.c.status,
                    tasks.c.is_cancelled,
                    tasks.c.due_on,
                    tasks.c.planned_due_on,
                    tasks.c.status_changed_at,
                    tasks.c.done_at,
                )
                .join(activities, activities.c.id == tasks.c.activity_id)
                .join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id)
                .where(tasks.c.id.in_(mine))
                .order_by(tasks.c.due_on, tasks.c.id)
            )
        )
        evidence = _rows(
            await execute(
                select(
                    task_evidence.c.task_id,
                    task_evidence.c.kind,
                    task_evidence.c.value,
                    task_evidence.c.file_name,
                    task_evidence.c.added_at,
                )
                .where(task_evidence.c.added_by_person_id == person_id)
                .order_by(task_evidence.c.id)
            )
        )
        asked = _rows(
            await execute(
                select(
                    postponements.c.task_id,
                    postponements.c.requested_at,
                    postponements.c.from_due_on,
                    postponements.c.new_due_on,
                    postponements.c.reason,
                    postponements.c.status,
                    postponements.c.decided_at,
                    postponements.c.decision_reason,
                )
                .where(postponements.c.requested_by_person_id == person_id)
                .order_by(postponements.c.id)
            )
        )
        events = _rows(
            await execute(
                select(
                    task_events.c.task_id,
                    task_events.c.happened_at,
                    task_events.c.event,
                    task_events.c.details,
                    task_events.c.actor_telegram_id,
                )
                .where(task_events.c.actor_person_id == person_id)
                .order_by(task_events.c.id)
            )
        )
        return {
            "person": person[0] if person else None,
            "tasks": task_rows,
            "evidence": evidence,
            "postponements": asked,
            "task_events": events,
        }

    async def erase_person(self, person_id: int, label: str) -> bool:
        """Erases this person (see the module); False when there is nobody to erase."""
        execute = self._connection.execute
        found = (
            (
                await execute(
                    select(
                        people.c.full_name, people.c.telegram_user_id, people.c.max_account_id
                    ).where(people.c.id == person_id)
                )
            )
            .mappings()
            .one_or_none()
        )
        if found is None:
            return False
        name = found["full_name"]
        accounts = [
            found[c] for c in ("telegram_user_id", "max_account_id") if found[c] is not None
        ]
        await execute(
            update(people)
            .where(people.c.id == person_id)
            .values(
                full_name=label,
                name_key=f"{label} #{person_id}",
                telegram_user_id=None,
                max_account_id=None,
                messenger=None,
                language_code=None,
                position=None,
                is_active=False,
                is_reachable=False,
                is_head=False,
                is_admin=False,
            )
        )
        await execute(
            delete(task_evidence).where(
                task_evidence.c.added_by_person_id == person_id,
                task_evidence.c.kind.in_(_PERSONAL_EVIDENCE),
            )
        )
        await execute(
            update(activity_assignees)
            .where(activity_assignees.c.person_id == person_id)
            .values(name=label, job_title=None)
        )
        await execute(
            delete(responsible_people).where(responsible_people.c.person_id == person_id)
        )
        await execute(delete(invites).where(invites.c.person_id == person_id))
        await execute(delete(outbox).where(outbox.c.person_id == person_id))
        if name != label:
            # The roadmap's own words name them too («Шабанова Н.С., зам. директора»).
            await execute(
                update(activities)
                .where(activities.c.responsible_text.contains(name, autoescape=True))
                .values(responsible_text=func.replace(activities.c.responsible_text, name, label))
            )
            await self._scrub_json_mentions(name, label)
        if accounts:
            await self._forget_accounts(accounts)
        return True

    async def _forget_accounts(self, accounts: list[int]) -> None:
        """Telegram and MAX accounts alike (the columns' names are older than MAX)."""
        execute = self._connection.execute
        for column in _TELEGRAM_ID_COLUMNS:
            await execute(
                update(column.table).where(column.in_(accounts)).values({column.name: None})
            )
        await execute(delete(outbox).where(outbox.c.chat_id.in_(accounts)))

    async def _scrub_json_mentions(self, name: str, label: str) -> None:
        """Notices told to others («Шабанова Н.С. выполнила…») and history details carry the
        name inside JSON: those waiting are dropped, the history keeps its facts unnamed."""
        execute = self._connection.execute
        result = await execute(
            select(outbox.c.id, outbox.c.payload).where(outbox.c.payload.isnot(None))
        )
        naming = [row.id for row in result if name in json.dumps(row.payload, ensure_ascii=False)]
        for part in chunked(naming):
            await execute(delete(outbox).where(outbox.c.id.in_(part)))
        for table in (activity_history, task_events):
            result = await execute(select(table.c.id, table.c.details))
            changed = [
                (
                    row.id,
                    json.loads(json.dumps(row.details, ensure_ascii=False).replace(name, label)),
                )
                for row in result
                if name in json.dumps(row.details, ensure_ascii=False)
            ]
            for row_id, details in changed:
                await execute(update(table).where(table.c.id == row_id).values(details=details))

    async def closed_tasks_ended_before(self, last_end: date) -> dict[int, list[int]]:
        """Closed tasks (done or cancelled) of roadmaps whose period ended on or before
        ``last_end`` that still hold personal data, by the roadmap's organisation."""
        holds = or_(
            exists().where(
                task_evidence.c.task_id == tasks.c.id,
                task_evidence.c.kind.in_(_PERSONAL_EVIDENCE),
            ),
            exists().where(
                task_events.c.task_id == tasks.c.id, task_events.c.actor_telegram_id.isnot(None)
            ),
        )
        result = await self._connection.execute(
            select(roadmaps.c.organisation_id, tasks.c.id)
            .join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id)
            .where(
                roadmaps.c.period_end <= last_end,
                or_(tasks.c.status == _DONE, tasks.c.is_cancelled.is_(True)),
                holds,
            )
            .order_by(tasks.c.id)
        )
        found: dict[int, list[int]] = {}
        for organisation_id, task_id in result.all():
            found.setdefault(organisation_id, []).append(task_id)
        return found

    async def scrub_tasks(self, task_ids: Sequence[int]) -> ScrubCounts:
        """Their evidence dropped and their events no longer say whose Telegram acted."""
        evidence = events = 0
        for part in chunked(task_ids):
            dropped = await self._connection.execute(
                delete(task_evidence).where(
                    task_evidence.c.task_id.in_(part),
                    task_evidence.c.kind.in_(_PERSONAL_EVIDENCE),
                )
            )
            cleared = await self._connection.execute(
                update(task_events)
                .where(
                    task_events.c.task_id.in_(part), task_events.c.actor_telegram_id.isnot(None)
                )
                .values(actor_telegram_id=None)
            )
            evidence += dropped.rowcount or 0
            events += cleared.rowcount or 0
        return ScrubCounts(len(task_ids), evidence, events)

    async def expired_people(self, last_end: date, label: str) -> dict[int, list[int]]:
        """Inactive people, not yet erased, with no open task anywhere and no task in a
        roadmap still within retention (and at least one task), by organisation."""
        open_task = (
            select(task_executors.c.person_id)
            .join(tasks, tasks.c.id == task_executors.c.task_id)
            .join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id)
            .where(
                or_(
                    and_(tasks.c.status != _DONE, tasks.c.is_cancelled.is_(False)),
                    roadmaps.c.period_end > last_end,
                )
            )
        )
        any_task = select(task_executors.c.person_id)
        result = await self._connection.execute(
            select(people.c.organisation_id, people.c.id)
            .where(
                people.c.is_active.is_(False),
                people.c.full_name != label,
                people.c.id.in_(any_task),
                not_(people.c.id.in_(open_task)),
            )
            .order_by(people.c.id)
        )
        found: dict[int, list[int]] = {}
        for organisation_id, person_id in result.all():
            found.setdefault(organisation_id or 0, []).append(person_id)
        return found
