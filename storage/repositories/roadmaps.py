from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.warnings import ParseWarning
from storage.chunks import chunked, rows_per_statement
from storage.records import (
    Activity,
    ActivityFields,
    Assignee,
    AssigneeFields,
    HistoryEntry,
    Roadmap,
)
from storage.repositories.bulk import rows_by_id
from storage.schema import activities, activity_assignees, activity_history, roadmaps


def _warnings_to_json(warnings: Sequence[ParseWarning]) -> list[dict[str, Any]]:
    return [{"code": warning.code, "params": dict(warning.params)} for warning in warnings]


def _warnings_from_json(value: list[dict[str, Any]]) -> tuple[ParseWarning, ...]:
    return tuple(ParseWarning.of(item["code"], **item["params"]) for item in value)


def _roadmap(row: RowMapping) -> Roadmap:
    return Roadmap(**{column.name: row[column.name] for column in roadmaps.c})


def _activity_values(fields: ActivityFields) -> dict[str, Any]:
    return {
        "position": fields.position,
        "number": fields.number,
        "section": fields.section,
        "title": fields.title,
        "result": fields.result,
        "deadline_text": fields.deadline_text,
        "deadline_kind": fields.deadline_kind,
        "deadline_start": fields.deadline_start,
        "deadline_due": [day.isoformat() for day in fields.deadline_due],
        "deadline_warnings": _warnings_to_json(fields.deadline_warnings),
        "responsible_text": fields.responsible_text,
        "responsible_warnings": _warnings_to_json(fields.responsible_warnings),
        "source_ref": fields.source_ref,
    }


_DEADLINE_COLUMNS = ("deadline_kind", "deadline_start", "deadline_due", "deadline_warnings")


def _assignee(row: RowMapping) -> Assignee:
    return Assignee(
        id=row["id"],
        activity_id=row["activity_id"],
        fields=AssigneeFields(
            position=row["position"],
            kind=row["kind"],
            name=row["name"],
            job_title=row["job_title"],
            person_id=row["person_id"],
            is_lead=row["is_lead"],
        ),
    )


def _activity(row: RowMapping) -> Activity:
    fields = ActivityFields(
        position=row["position"],
        number=row["number"],
        section=row["section"],
        title=row["title"],
        result=row["result"],
        deadline_text=row["deadline_text"],
        deadline_kind=row["deadline_kind"],
        deadline_start=row["deadline_start"],
        deadline_due=tuple(date.fromisoformat(day) for day in row["deadline_due"]),
        deadline_warnings=_warnings_from_json(row["deadline_warnings"]),
        responsible_text=row["responsible_text"],
        responsible_warnings=_warnings_from_json(row["responsible_warnings"]),
        source_ref=row["source_ref"],
    )
    return Activity(
        id=row["id"],
        roadmap_id=row["roadmap_id"],
        parent_id=row["parent_id"],
        fields=fields,
        deadline_manual=row["deadline_manual"],
        responsible_manual=row["responsible_manual"],
        is_removed=row["is_removed"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class RoadmapRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        organisation_id: int,
        title: str,
        title_key: str,
        period_start: date,
        period_end: date,
        source_name: str,
        imported_by_telegram_id: int | None,
        now: datetime,
    ) -> Roadmap:
        result = await self._connection.execute(
            roadmaps.insert()
            .values(
                organisation_id=organisation_id,
                title=title,
                title_key=title_key,
                period_start=period_start,
                period_end=period_end,
                source_name=source_name,
                imported_by_telegram_id=imported_by_telegram_id,
                imported_at=now,
                updated_at=now,
            )
            .returning(*roadmaps.c)
        )
        return _roadmap(result.mappings().one())

    async def get(self, roadmap_id: int) -> Roadmap | None:
        result = await self._connection.execute(
            select(roadmaps).where(roadmaps.c.id == roadmap_id)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _roadmap(row)

    async def by_ids(self, roadmap_ids: Sequence[int]) -> dict[int, Roadmap]:
        rows = await rows_by_id(self._connection, roadmaps, roadmap_ids)
        return {row["id"]: _roadmap(row) for row in rows}

    async def find_by_title_key(self, organisation_id: int, title_key: str) -> Roadmap | None:
        result = await self._connection.execute(
            select(roadmaps)
            .where(
                roadmaps.c.organisation_id == organisation_id,
                roadmaps.c.title_key == title_key,
            )
            .order_by(roadmaps.c.id.desc())
            .limit(1)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _roadmap(row)

    async def in_organisations(self, organisation_ids: Sequence[int]) -> list[Roadmap]:
        result = await self._connection.execute(
            select(roadmaps)
            .where(roadmaps.c.organisation_id.in_(organisation_ids))
            .order_by(roadmaps.c.imported_at.desc(), roadmaps.c.id.desc())
        )
        return [_roadmap(row) for row in result.mappings()]

    async def mark_reimported(
        self,
        roadmap_id: int,
        *,
        title: str,
        period_start: date,
        period_end: date,
        source_name: str,
        now: datetime,
    ) -> None:
        await self._connection.execute(
            update(roadmaps)
            .where(roadmaps.c.id == roadmap_id)
            .values(
                title=title,
                period_start=period_start,
                period_end=period_end,
                source_name=source_name,
                updated_at=now,
            )
        )


class ActivityRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def set_deadline(
        self,
        activity_id: int,
        *,
        kind: str,
        start: date | None,
        due: Sequence[date],
        now: datetime,
    ) -> None:
        await self._connection.execute(
            update(activities)
            .where(activities.c.id == activity_id)
            .values(
                deadline_kind=kind,
                deadline_start=start,
                deadline_due=[day.isoformat() for day in due],
                deadline_warnings=[],
                deadline_manual=True,
                updated_at=now,
            )
        )

    async def set_people(
        self, activity_id: int, assignees: Sequence[AssigneeFields], now: datetime
    ) -> None:
        """The people a coordinator chose for the activity, instead of whom the file names."""
        await self._connection.execute(
            update(activities)
            .where(activities.c.id == activity_id)
            .values(responsible_manual=True, updated_at=now)
        )
        await self.replace_assignees_many({activity_id: assignees})

    # Set-based writes: an import of a municipal plan stores thousands of rows at once.

    async def add_many(
        self,
        roadmap_id: int,
        rows: Sequence[tuple[int | None, ActivityFields]],
        now: datetime,
    ) -> list[int]:
        """Inserts (parent id, fields) rows of distinct positions; their ids in that order."""
        values = [
            {
                "roadmap_id": roadmap_id,
                "parent_id": parent_id,
                "created_at": now,
                "updated_at": now,
                **_activity_values(fields),
            }
            for parent_id, fields in rows
        ]
        # Rows come back with their position (unique within one file), not in order: SQLite
        # can only promise an order by inserting one row per statement.
        ids: dict[int, int] = {}
        for part in chunked(values, rows_per_statement(len(values[0]) if values else 1)):
            result = await self._connection.execute(
                activities.insert().returning(activities.c.id, activities.c.position),
                list(part),
            )
            ids.update((position, int(activity_id)) for activity_id, position in result.all())
        return [ids[fields.position] for _parent, fields in rows]

    async def update_many(
        self, rows: Sequence[tuple[int, ActivityFields, bool]], now: datetime
    ) -> None:
        """(activity id, fields, keep deadline) rows; the deadline kept where asked."""
        for keep in (False, True):
            params = []
            for activity_id, fields, keep_deadline in rows:
                if keep_deadline is not keep:
                    continue
                row = _activity_values(fields)
                if keep:
                    for key in _DEADLINE_COLUMNS:
                        del row[key]
                params.append({"activity_id": activity_id, **row})
            if not params:
                continue
            # Bind names differ from column names: an executemany UPDATE needs that.
            values: dict[str, Any] = {
                key: bindparam(f"v_{key}") for key in params[0] if key != "activity_id"
            }
            if not keep:
                values["deadline_manual"] = False
            await self._connection.execute(
                update(activities)
                .where(activities.c.id == bindparam("v_activity_id"))
                .values(is_removed=False, updated_at=now, **values),
                [{f"v_{key}": value for key, value in p.items()} for p in params],
            )

    async def set_removed_many(self, activity_ids: Sequence[int], now: datetime) -> None:
        for part in chunked(sorted(set(activity_ids))):
            await self._connection.execute(
                update(activities)
                .where(activities.c.id.in_(part))
                .values(is_removed=True, updated_at=now)
            )

    async def record_many(
        self,
        entries: Sequence[tuple[int, str, dict[str, Any]]],
        *,
        now: datetime,
        actor_telegram_id: int | None,
    ) -> None:
        """(activity id, event, details) entries of one actor at one moment."""
        if not entries:
            return
        await self._connection.execute(
            activity_history.insert(),
            [
                {
                    "activity_id": activity_id,
                    "happened_at": now,
                    "actor_telegram_id": actor_telegram_id,
                    "event": event,
                    "details": details,
                }
                for activity_id, event, details in entries
            ],
        )

    async def replace_assignees_many(
        self, assignees: Mapping[int, Sequence[AssigneeFields]]
    ) -> None:
        """activity id -> its assignees, replacing what each activity had."""
        for part in chunked(sorted(assignees)):
            await self._connection.execute(
                activity_assignees.delete().where(activity_assignees.c.activity_id.in_(part))
            )
        rows = [
            {
                "activity_id": activity_id,
                "position": assignee.position,
                "kind": assignee.kind,
                "name": assignee.name,
                "job_title": assignee.job_title,
                "person_id": assignee.person_id,
                "is_lead": assignee.is_lead,
            }
            for activity_id, fields in assignees.items()
            for assignee in fields
        ]
        if rows:
            await self._connection.execute(activity_assignees.insert(), rows)

    async def by_ids(self, activity_ids: Sequence[int]) -> dict[int, Activity]:
        rows = await rows_by_id(self._connection, activities, activity_ids)
        return {row["id"]: _activity(row) for row in rows}

    async def with_live_steps(self, activity_ids: Sequence[int]) -> set[int]:
        """Those of these activities that have a step not removed (they get no tasks)."""
        found: set[int] = set()
        for part in chunked(sorted(set(activity_ids))):
            result = await self._connection.execute(
                select(activities.c.parent_id)
                .where(activities.c.parent_id.in_(part), activities.c.is_removed.is_(False))
                .distinct()
            )
            found.update(int(parent_id) for parent_id in result.scalars())
        return found

    async def assignees_in_roadmap(self, roadmap_id: int) -> dict[int, list[Assignee]]:
        """The assignees of every activity of a roadmap, in one query."""
        result = await self._connection.execute(
            select(activity_assignees)
            .join(activities, activities.c.id == activity_assignees.c.activity_id)
            .where(activities.c.roadmap_id == roadmap_id)
            .order_by(activity_assignees.c.activity_id, activity_assignees.c.position)
        )
        grouped: dict[int, list[Assignee]] = {}
        for row in result.mappings():
            grouped.setdefault(row["activity_id"], []).append(_assignee(row))
        return grouped

    async def get(self, activity_id: int) -> Activity | None:
        result = await self._connection.execute(
            select(activities).where(activities.c.id == activity_id)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _activity(row)

    async def in_roadmap(
        self, roadmap_id: int, *, include_removed: bool = False
    ) -> list[Activity]:
        """Activities and steps of a roadmap, each parent before its steps, in table order."""
        query = select(activities).where(activities.c.roadmap_id == roadmap_id)
        if not include_removed:
            query = query.where(activities.c.is_removed.is_(False))
        result = await self._connection.execute(
            query.order_by(activities.c.position, activities.c.id)
        )
        return [_activity(row) for row in result.mappings()]

    async def assignees_of(self, activity_ids: Sequence[int]) -> dict[int, list[Assignee]]:
        grouped: dict[int, list[Assignee]] = {activity_id: [] for activity_id in activity_ids}
        for part in chunked(sorted(grouped)):
            result = await self._connection.execute(
                select(activity_assignees)
                .where(activity_assignees.c.activity_id.in_(part))
                .order_by(activity_assignees.c.activity_id, activity_assignees.c.position)
            )
            for row in result.mappings():
                grouped[row["activity_id"]].append(_assignee(row))
        return grouped

    async def record(
        self,
        activity_id: int,
        *,
        event: str,
        details: dict[str, Any],
        now: datetime,
        actor_telegram_id: int | None,
    ) -> None:
        await self._connection.execute(
            activity_history.insert().values(
                activity_id=activity_id,
                happened_at=now,
                actor_telegram_id=actor_telegram_id,
                event=event,
                details=details,
            )
        )

    async def history(self, activity_id: int) -> list[HistoryEntry]:
        result = await self._connection.execute(
            select(activity_history)
            .where(activity_history.c.activity_id == activity_id)
            .order_by(activity_history.c.happened_at, activity_history.c.id)
        )
        return [
            HistoryEntry(**{column.name: row[column.name] for column in activity_history.c})
            for row in result.mappings()
        ]
