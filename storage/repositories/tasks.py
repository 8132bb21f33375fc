from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked, rows_per_statement
from storage.records import Evidence, Postponement, Task, TaskEvent
from storage.schema import postponements, task_events, task_evidence, task_executors, tasks
from tasks.rules import TaskStatus


@dataclass(frozen=True)
class NewTask:
    activity_id: int
    executor_key: str
    occurrence: int
    due_on: date


def _row(table: Table, row: RowMapping) -> dict[str, Any]:
    return {column.name: row[column.name] for column in table.c}


class TaskRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def in_roadmap(self, roadmap_id: int) -> list[Task]:
        result = await self._connection.execute(
            select(tasks).where(tasks.c.roadmap_id == roadmap_id).order_by(tasks.c.id)
        )
        return [Task(**_row(tasks, row)) for row in result.mappings()]

    async def get(self, task_id: int) -> Task | None:
        result = await self._connection.execute(select(tasks).where(tasks.c.id == task_id))
        row = result.mappings().one_or_none()
        return None if row is None else Task(**_row(tasks, row))

    # Set-based writes for a roadmap's tasks: a municipal import touches tens of thousands.

    async def add_many(
        self, roadmap_id: int, new: Sequence[NewTask], *, status: str, now: datetime
    ) -> list[int]:
        """Inserts the tasks; their ids in the same order."""
        rows = [
            {
                "activity_id": task.activity_id,
                "roadmap_id": roadmap_id,
                "executor_key": task.executor_key,
                "occurrence": task.occurrence,
                "due_on": task.due_on,
                "planned_due_on": task.due_on,
                "status": status,
                "status_changed_at": now,
                "created_at": now,
            }
            for task in new
        ]
        # Rows come back with their key, not in order: SQLite can only promise an order by
        # inserting one row per statement.
        ids: dict[tuple[int, str, int], int] = {}
        for part in chunked(rows, rows_per_statement(len(rows[0]) if rows else 1)):
            result = await self._connection.execute(
                tasks.insert().returning(
                    tasks.c.id, tasks.c.activity_id, tasks.c.executor_key, tasks.c.occurrence
                ),
                list(part),
            )
            ids.update(
                ((activity_id, key, occurrence), int(task_id))
                for task_id, activity_id, key, occurrence in result.all()
            )
        return [ids[(task.activity_id, task.executor_key, task.occurrence)] for task in new]

    async def replan_many(self, dates: Mapping[int, tuple[date, date]]) -> None:
        """task id -> (due_on, planned_due_on); each task is live again."""
        if not dates:
            return
        await self._connection.execute(
            update(tasks)
            .where(tasks.c.id == bindparam("task_id"))
            .values(
                due_on=bindparam("new_due_on"),
                planned_due_on=bindparam("new_planned_due_on"),
                is_cancelled=False,
            ),
            [
                {"task_id": task_id, "new_due_on": due, "new_planned_due_on": planned}
                for task_id, (due, planned) in dates.items()
            ],
        )

    async def cancel_many(self, task_ids: Sequence[int]) -> None:
        for part in chunked(sorted(set(task_ids))):
            await self._connection.execute(
                update(tasks).where(tasks.c.id.in_(part)).values(is_cancelled=True)
            )

    async def record_many(self, task_ids: Sequence[int], *, event: str, now: datetime) -> None:
        """The same event, by the system, for each of these tasks."""
        if not task_ids:
            return
        await self._connection.execute(
            task_events.insert(),
            [
                {
                    "task_id": task_id,
                    "happened_at": now,
                    "actor_person_id": None,
                    "actor_telegram_id": None,
                    "event": event,
                    "details": {},
                }
                for task_id in task_ids
            ],
        )

    async def set_executors_many(self, executors: Mapping[int, tuple[Sequence[int], int]]) -> None:
        """task id -> (person ids, lead id), replacing what each task had."""
        for part in chunked(sorted(executors)):
            await self._connection.execute(
                delete(task_executors).where(task_executors.c.task_id.in_(part))
            )
        rows = [
            {"task_id": task_id, "person_id": person_id, "is_lead": person_id == lead_id}
            for task_id, (person_ids, lead_id) in executors.items()
            for person_id in dict.fromkeys(person_ids)
        ]
        if rows:
            await self._connection.execute(task_executors.insert(), rows)

    async def of_activities(self, activity_ids: Sequence[int]) -> list[Task]:
        """Every task of these activities, cancelled ones included."""
        found: list[Task] = []
        for part in chunked(sorted(set(activity_ids))):
            result = await self._connection.execute(
                select(tasks).where(tasks.c.activity_id.in_(part)).order_by(tasks.c.id)
            )
            found.extend(Task(**_row(tasks, row)) for row in result.mappings())
        return found

    async def executors_of(self, task_ids: Sequence[int]) -> dict[int, list[int]]:
        """Person ids per task, the lead first."""
        grouped: dict[int, list[int]] = {task_id: [] for task_id in task_ids}
        for part in chunked(sorted(grouped)):
            result = await self._connection.execute(
                select(task_executors)
                .where(task_executors.c.task_id.in_(part))
                .order_by(task_executors.c.task_id, task_executors.c.is_lead.desc())
            )
            for row in result.mappings():
                grouped[row["task_id"]].append(row["person_id"])
        return grouped

    async def of_person(self, person_id: int) -> list[Task]:
        result = await self._connection.execute(
            select(tasks)
            .join(task_executors, task_executors.c.task_id == tasks.c.id)
            .where(task_executors.c.person_id == person_id, tasks.c.is_cancelled.is_(False))
            .order_by(tasks.c.due_on, tasks.c.id)
        )
        return [Task(**_row(tasks, row)) for row in result.mappings()]

    async def set_status(
        self,
        task_id: int,
        status: str,
        now: datetime,
        *,
        done_by_person_id: int | None = None,
        was: str | None = None,
    ) -> bool:
        """Sets the status; with `was`, only if the task still has that status (two people
        pressing at once, on two instances: the second finds it changed). False: not set."""
        done = status == TaskStatus.DONE.value
        statement = update(tasks).where(tasks.c.id == task_id)
        if was is not None:
            statement = statement.where(tasks.c.status == was)
        result = await self._connection.execute(
            statement.values(
                status=status,
                status_changed_at=now,
                done_at=now if done else None,
                done_by_person_id=done_by_person_id if done else None,
            ).returning(tasks.c.id)
        )
        return result.scalar_one_or_none() is not None

    async def set_due(self, task_id: int, due_on: date) -> None:
        await self._connection.execute(
            update(tasks).where(tasks.c.id == task_id).values(due_on=due_on)
        )

    async def record(
        self,
        task_id: int,
        *,
        event: str,
        now: datetime,
        actor_person_id: int | None,
        actor_telegram_id: int | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._connection.execute(
            task_events.insert().values(
                task_id=task_id,
                happened_at=now,
                actor_person_id=actor_person_id,
                actor_telegram_id=actor_telegram_id,
                event=event,
                details=details or {},
            )
        )

    async def events(self, task_id: int) -> list[TaskEvent]:
        result = await self._connection.execute(
            select(task_events)
            .where(task_events.c.task_id == task_id)
            .order_by(task_events.c.happened_at, task_events.c.id)
        )
        return [TaskEvent(**_row(task_events, row)) for row in result.mappings()]

    async def add_evidence(
        self,
        task_id: int,
        *,
        kind: str,
        value: str,
        file_name: str | None,
        person_id: int | None,
        now: datetime,
    ) -> None:
        await self._connection.execute(
            task_evidence.insert().values(
                task_id=task_id,
                kind=kind,
                value=value,
                file_name=file_name,
                added_by_person_id=person_id,
                added_at=now,
            )
        )

    async def evidence(self, task_id: int) -> list[Evidence]:
        result = await self._connection.execute(
            select(task_evidence)
            .where(task_evidence.c.task_id == task_id)
            .order_by(task_evidence.c.id)
        )
        return [Evidence(**_row(task_evidence, row)) for row in result.mappings()]

    async def add_postponement(
        self,
        task_id: int,
        *,
        person_id: int | None,
        from_due_on: date,
        new_due_on: date,
        reason: str,
        now: datetime,
    ) -> Postponement:
        result = await self._connection.execute(
            postponements.insert()
            .values(
                task_id=task_id,
                requested_by_person_id=person_id,
                requested_at=now,
                from_due_on=from_due_on,
                new_due_on=new_due_on,
                reason=reason,
                status="pending",
            )
            .returning(*postponements.c)
        )
        return Postponement(**_row(postponements, result.mappings().one()))

    async def postponement(self, postponement_id: int) -> Postponement | None:
        result = await self._connection.execute(
            select(postponements).where(postponements.c.id == postponement_id)
        )
        row = result.mappings().one_or_none()
        return None if row is None else Postponement(**_row(postponements, row))

    async def decide(
        self,
        postponement_id: int,
        *,
        status: str,
        telegram_id: int,
        reason: str | None,
        now: datetime,
    ) -> bool:
        """Records the decision unless someone decided first (two coordinators pressing)."""
        result = await self._connection.execute(
            update(postponements)
            .where(postponements.c.id == postponement_id, postponements.c.status == "pending")
            .values(
                status=status,
                decided_by_telegram_id=telegram_id,
                decided_at=now,
                decision_reason=reason,
            )
            .returning(postponements.c.id)
        )
        return result.scalar_one_or_none() is not None
