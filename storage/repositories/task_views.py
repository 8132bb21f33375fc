"""What the views read: progress counted in SQL, the rows a page shows, cards in bulk.

Every method sends a fixed number of statements whatever the number of tasks (one more per
5,000 ids where it binds a list), so /status, /tasks, /roadmap, digests and summaries cost the
same at ten tasks and at a municipality's 25,000.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    RowMapping,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from storage.chunks import chunked
from storage.records import Activity, Evidence, Person, Postponement, Roadmap, Task, TaskEvent
from storage.repositories.people import _person
from storage.repositories.roadmaps import _activity, _roadmap
from storage.schema import (
    activities,
    organisations,
    people,
    postponements,
    roadmaps,
    task_events,
    task_evidence,
    task_executors,
    tasks,
)
from tasks.rules import TaskStatus

DONE = "done"
IN_PROGRESS = "in_progress"
OVERDUE = "overdue"
UPCOMING = "upcoming"
CANNOT = "cannot"


@dataclass(frozen=True)
class ProgressCounts:
    """Live tasks by how they stand: done, in progress, overdue, upcoming, cannot be done."""

    done: int = 0
    in_progress: int = 0
    overdue: int = 0
    upcoming: int = 0
    cannot: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.overdue + self.upcoming + self.cannot


@dataclass(frozen=True)
class RoadmapInZone:
    roadmap: Roadmap
    timezone: str  # its organisation's


@dataclass(frozen=True)
class CardRow:
    """A task with what its card shows from other tables (people, evidence, events aside)."""

    task: Task
    activity: Activity
    parent: Activity | None
    roadmap: Roadmap
    timezone: str


@dataclass(frozen=True)
class ActivityRow:
    """One line of /roadmap: the activity, its step number and its parent's title."""

    activity: Activity
    step_number: int | None  # 1-based among its parent's steps; None for a top-level row
    has_steps: bool
    parent_title: str | None


@dataclass(frozen=True)
class RowFilter:
    """Which rows of a roadmap /roadmap lists, and in what order.

    By default every row in table order (each parent before its steps). Any condition or the
    order by date leaves only the rows that carry tasks (no live steps), those with the
    earliest open deadline first and the rest (all done, or reaching nobody) after them in
    table order.
    """

    by_deadline: bool = False
    overdue_before: date | None = None  # with an open task due before this day
    unreached: bool = False  # with a date and no live task: whom they name reaches nobody
    person_id: int | None = None  # with a live task this person shares

    @property
    def leaves_only(self) -> bool:
        return (
            self.by_deadline
            or self.overdue_before is not None
            or self.unreached
            or self.person_id is not None
        )


def _row_conditions(found: RowFilter) -> list[ColumnElement[bool]]:
    """The rows a filter keeps, over `activities` (the roadmap and liveness aside)."""
    if not found.leaves_only:
        return []
    step = aliased(activities)
    has_steps = exists().where(step.c.parent_id == activities.c.id, step.c.is_removed.is_(False))
    mine = tasks.c.activity_id == activities.c.id
    conditions: list[ColumnElement[bool]] = [~has_steps]
    if found.overdue_before is not None:
        conditions.append(
            exists().where(mine, _LIVE, _OPEN, tasks.c.due_on < found.overdue_before)
        )
    if found.unreached:
        conditions.append(sql_cast(activities.c.deadline_due, String) != "[]")
        conditions.append(~exists().where(mine, _LIVE))
    if found.person_id is not None:
        conditions.append(
            exists()
            .select_from(tasks.join(task_executors, task_executors.c.task_id == tasks.c.id))
            .where(mine, _LIVE, task_executors.c.person_id == found.person_id)
        )
    return conditions


_parent = activities.alias("parent_activity")
_LIVE = tasks.c.is_cancelled.is_(False)
# tasks.rules.is_open in SQL: anything not done is still someone's work.
_OPEN = tasks.c.status != TaskStatus.DONE.value
# Roadmaps newest first, then their tasks by date: the order /status lists them in.
_STATUS_ORDER = (
    roadmaps.c.imported_at.desc(),
    roadmaps.c.id.desc(),
    tasks.c.due_on,
    tasks.c.id,
)


def _today(today_by_zone: Mapping[str, date]) -> ColumnElement[Any]:
    """Today in each task's organisation zone (the caller works the days out per zone)."""
    if len(today_by_zone) == 1:
        (day,) = today_by_zone.values()
        return literal(day, Date)
    return case(
        {zone: literal(day, Date) for zone, day in today_by_zone.items()},
        value=organisations.c.timezone,
    )


def progress_of(
    today_by_zone: Mapping[str, date], done_by: datetime | None = None
) -> ColumnElement[str]:
    """How a live task stands, in SQL: the one place this rule is written.

    Done wins; then a passed date makes it overdue whatever else it says; then cannot-do and
    in-progress as marked; everything else is upcoming. With `done_by` (a report as it stood
    at an earlier day), a task done after that moment counts as not done yet.
    """
    if not today_by_zone:
        overdue: ColumnElement[bool] = literal(False)
    else:
        overdue = tasks.c.due_on < _today(today_by_zone)
    done = tasks.c.status == TaskStatus.DONE.value
    if done_by is not None:
        done = and_(done, tasks.c.done_at <= done_by)
    return case(
        (done, literal(DONE)),
        (overdue, literal(OVERDUE)),
        (tasks.c.status == TaskStatus.CANNOT_DO.value, literal(CANNOT)),
        (tasks.c.status == TaskStatus.IN_PROGRESS.value, literal(IN_PROGRESS)),
        else_=literal(UPCOMING),
    )


def _with_zone(query: Select[Any]) -> Select[Any]:
    return query.select_from(
        tasks.join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id).join(
            organisations, organisations.c.id == roadmaps.c.organisation_id
        )
    )


def _counts(found: Mapping[str, int]) -> ProgressCounts:
    return ProgressCounts(
        done=found.get(DONE, 0),
        in_progress=found.get(IN_PROGRESS, 0),
        overdue=found.get(OVERDUE, 0),
        upcoming=found.get(UPCOMING, 0),
        cannot=found.get(CANNOT, 0),
    )


def _prefixed(row: RowMapping, prefix: str) -> RowMapping:
    return cast(
        RowMapping,
        {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)},
    )


def _labelled(table: Any, prefix: str) -> list[ColumnElement[Any]]:
    return [column.label(prefix + column.name) for column in table.c]


class TaskViewRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def roadmaps_in(self, organisation_ids: Sequence[int] | None) -> list[RoadmapInZone]:
        """Roadmaps of these organisations (None: all), newest first, with their zone."""
        query = select(roadmaps, organisations.c.timezone.label("org_timezone")).join(
            organisations, organisations.c.id == roadmaps.c.organisation_id
        )
        order = (roadmaps.c.imported_at.desc(), roadmaps.c.id.desc())
        if organisation_ids is None:
            result = await self._connection.execute(query.order_by(*order))
            rows = list(result.mappings())
        else:
            rows = []
            for chunk in chunked(organisation_ids):
                result = await self._connection.execute(
                    query.where(roadmaps.c.organisation_id.in_(chunk))
                )
                rows.extend(result.mappings())
            rows.sort(key=lambda row: (row["imported_at"], row["id"]), reverse=True)
        return [RoadmapInZone(_roadmap(row), row["org_timezone"]) for row in rows]

    async def _grouped(
        self,
        roadmap_ids: Sequence[int],
        today_by_zone: Mapping[str, date],
        key: ColumnElement[Any] | None,
        *,
        join_lead: bool = False,
    ) -> list[RowMapping]:
        progress = progress_of(today_by_zone).label("progress")
        keys: list[ColumnElement[Any]] = [tasks.c.roadmap_id, progress]
        if key is not None:
            keys.append(key)
        rows: list[RowMapping] = []
        for chunk in chunked(roadmap_ids):
            source = tasks.join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id).join(
                organisations, organisations.c.id == roadmaps.c.organisation_id
            )
            if key is not None and not join_lead:
                source = source.join(activities, activities.c.id == tasks.c.activity_id)
            if join_lead:
                source = source.join(
                    task_executors,
                    and_(task_executors.c.task_id == tasks.c.id, task_executors.c.is_lead),
                ).join(people, people.c.id == task_executors.c.person_id)
            query = (
                select(*keys, func.count().label("tasks"))
                .select_from(source)
                .where(tasks.c.roadmap_id.in_(chunk), _LIVE)
                .group_by(*keys)
            )
            if key is not None and not join_lead:
                query = query.add_columns(func.min(activities.c.position).label("first"))
                query = query.where(activities.c.section.is_not(None), activities.c.section != "")
            result = await self._connection.execute(query)
            rows.extend(result.mappings())
        return rows

    async def progress(
        self, roadmap_ids: Sequence[int], today_by_zone: Mapping[str, date]
    ) -> dict[int, ProgressCounts]:
        """Counts per roadmap (every roadmap asked for, zeros where it has no live task)."""
        found: dict[int, dict[str, int]] = {roadmap_id: {} for roadmap_id in roadmap_ids}
        for row in await self._grouped(roadmap_ids, today_by_zone, None):
            found[row["roadmap_id"]][row["progress"]] = row["tasks"]
        return {roadmap_id: _counts(counted) for roadmap_id, counted in found.items()}

    async def unreached(self, roadmap_ids: Sequence[int]) -> dict[int, int]:
        """Per roadmap: rows that should carry tasks (live, no live steps, a date set) and
        have none live: whom they name reaches nobody. Every roadmap asked for is there."""
        found = dict.fromkeys(roadmap_ids, 0)
        step = aliased(activities)
        has_steps = exists().where(
            step.c.parent_id == activities.c.id, step.c.is_removed.is_(False)
        )
        has_task = exists().where(tasks.c.activity_id == activities.c.id, _LIVE)
        for chunk in chunked(roadmap_ids):
            result = await self._connection.execute(
                select(activities.c.roadmap_id, func.count())
                .where(
                    activities.c.roadmap_id.in_(chunk),
                    activities.c.is_removed.is_(False),
                    sql_cast(activities.c.deadline_due, String) != "[]",
                    ~has_steps,
                    ~has_task,
                )
                .group_by(activities.c.roadmap_id)
            )
            found.update((roadmap_id, count) for roadmap_id, count in result)
        return found

    async def progress_by_section(
        self, roadmap_ids: Sequence[int], today_by_zone: Mapping[str, date]
    ) -> dict[int, list[tuple[str, ProgressCounts]]]:
        """Counts per section of each roadmap, sections in the order the document has them."""
        section = activities.c.section.label("section")
        found: dict[tuple[int, str], dict[str, int]] = {}
        first: dict[tuple[int, str], int] = {}
        for row in await self._grouped(roadmap_ids, today_by_zone, section):
            where = (row["roadmap_id"], row["section"])
            found.setdefault(where, {})[row["progress"]] = row["tasks"]
            first[where] = min(first.get(where, row["first"]), row["first"])
        grouped: dict[int, list[tuple[str, ProgressCounts]]] = {i: [] for i in roadmap_ids}
        for where in sorted(found, key=lambda where: (first[where], where[1])):
            grouped[where[0]].append((where[1], _counts(found[where])))
        return grouped

    async def progress_by_lead(
        self, roadmap_ids: Sequence[int], today_by_zone: Mapping[str, date]
    ) -> dict[int, list[tuple[str, ProgressCounts]]]:
        """Counts per lead executor's name in each roadmap, by name."""
        name = people.c.full_name.label("full_name")
        found: dict[tuple[int, str], dict[str, int]] = {}
        rows = await self._grouped(roadmap_ids, today_by_zone, name, join_lead=True)
        for row in rows:
            counted = found.setdefault((row["roadmap_id"], row["full_name"]), {})
            counted[row["progress"]] = counted.get(row["progress"], 0) + row["tasks"]
        grouped: dict[int, list[tuple[str, ProgressCounts]]] = {i: [] for i in roadmap_ids}
        for where in sorted(found, key=lambda where: where[1]):
            grouped[where[0]].append((where[1], _counts(found[where])))
        return grouped

    async def overdue_ids(
        self, roadmap_ids: Sequence[int], today_by_zone: Mapping[str, date], limit: int
    ) -> list[int]:
        """The first overdue tasks, roadmaps newest first and then by date."""
        if not today_by_zone:
            return []
        return await self._first(
            roadmap_ids,
            limit,
            _OPEN,
            tasks.c.due_on < _today(today_by_zone),
        )

    async def cannot_ids(self, roadmap_ids: Sequence[int], limit: int) -> list[int]:
        """The first live tasks marked «не может быть выполнено», by date."""
        return await self._first(roadmap_ids, limit, tasks.c.status == TaskStatus.CANNOT_DO.value)

    async def pending_postponements(
        self, roadmap_ids: Sequence[int], limit: int
    ) -> tuple[list[Postponement], int]:
        """The oldest undecided requests to move a live task's date, and how many there are."""
        found: list[Postponement] = []
        total = 0
        waiting = and_(postponements.c.status == "pending", _LIVE)
        source = postponements.join(tasks, tasks.c.id == postponements.c.task_id)
        for chunk in chunked(roadmap_ids):
            where = and_(waiting, tasks.c.roadmap_id.in_(chunk))
            result = await self._connection.execute(
                select(postponements)
                .select_from(source)
                .where(where)
                .order_by(postponements.c.requested_at, postponements.c.id)
                .limit(limit)
            )
            found.extend(Postponement(**dict(row)) for row in result.mappings())
            counted = await self._connection.execute(
                select(func.count()).select_from(source).where(where)
            )
            total += int(counted.scalar_one())
        found.sort(key=lambda item: (item.requested_at, item.id))
        return found[:limit], total

    async def recently_done_ids(self, roadmap_ids: Sequence[int], limit: int) -> list[int]:
        """The last tasks done, latest first."""
        return await self._first(roadmap_ids, limit, tasks.c.done_at.is_not(None), latest=True)

    async def _first(
        self,
        roadmap_ids: Sequence[int],
        limit: int,
        *conditions: ColumnElement[bool],
        latest: bool = False,
    ) -> list[int]:
        order = (tasks.c.done_at.desc(), *_STATUS_ORDER) if latest else _STATUS_ORDER
        query = _with_zone(
            select(
                tasks.c.id.label("task_id"),
                tasks.c.done_at,
                tasks.c.due_on,
                roadmaps.c.id.label("roadmap_id"),
                roadmaps.c.imported_at,
            )
        ).where(_LIVE, *conditions)
        rows: list[RowMapping] = []
        chunks = list(chunked(roadmap_ids))
        for chunk in chunks:
            result = await self._connection.execute(
                query.where(tasks.c.roadmap_id.in_(chunk)).order_by(*order).limit(limit)
            )
            rows.extend(result.mappings())
        if len(chunks) > 1:

            def key(row: RowMapping) -> tuple[Any, ...]:
                first = (-row["done_at"].timestamp(),) if latest else ()
                newest = (-row["imported_at"].timestamp(), -row["roadmap_id"])
                return (*first, *newest, row["due_on"], row["task_id"])

            rows.sort(key=key)
        return [int(row["task_id"]) for row in rows[:limit]]

    async def card_rows(self, task_ids: Sequence[int]) -> list[CardRow]:
        """Tasks with their activity, parent activity, roadmap and zone, in one join."""
        source = (
            tasks.join(activities, activities.c.id == tasks.c.activity_id)
            .outerjoin(_parent, _parent.c.id == activities.c.parent_id)
            .join(roadmaps, roadmaps.c.id == tasks.c.roadmap_id)
            .join(organisations, organisations.c.id == roadmaps.c.organisation_id)
        )
        query = select(
            *_labelled(tasks, "t_"),
            *_labelled(activities, "a_"),
            *_labelled(_parent, "p_"),
            *_labelled(roadmaps, "r_"),
            organisations.c.timezone.label("org_timezone"),
        ).select_from(source)
        found: list[CardRow] = []
        for chunk in chunked(task_ids):
            result = await self._connection.execute(query.where(tasks.c.id.in_(chunk)))
            for row in result.mappings():
                parent = _prefixed(row, "p_")
                found.append(
                    CardRow(
                        task=Task(**_prefixed(row, "t_")),
                        activity=_activity(_prefixed(row, "a_")),
                        parent=None if parent["id"] is None else _activity(parent),
                        roadmap=_roadmap(_prefixed(row, "r_")),
                        timezone=row["org_timezone"],
                    )
                )
        return found

    async def report_tasks(
        self,
        roadmap_id: int,
        today: date,
        *,
        due_from: date | None = None,
        due_until: date | None = None,
        done_by: datetime | None = None,
    ) -> list[tuple[Task, str]]:
        """A roadmap's live tasks due within the days given (all when none), each with how it
        stands (`progress_of`, today in the roadmap's zone), by activity and date."""
        query = select(tasks, progress_of({"": today}, done_by).label("progress")).where(
            tasks.c.roadmap_id == roadmap_id, _LIVE
        )
        if due_from is not None:
            query = query.where(tasks.c.due_on >= due_from)
        if due_until is not None:
            query = query.where(tasks.c.due_on <= due_until)
        result = await self._connection.execute(
            query.order_by(tasks.c.activity_id, tasks.c.due_on, tasks.c.id)
        )
        return [
            (Task(**{c.name: row[c.name] for c in tasks.c}), str(row["progress"]))
            for row in result.mappings()
        ]

    async def executors_of(self, task_ids: Sequence[int]) -> dict[int, list[Person]]:
        """The people of each task, the lead first."""
        grouped: dict[int, list[Person]] = {task_id: [] for task_id in task_ids}
        query = (
            select(task_executors.c.task_id, people)
            .join(people, people.c.id == task_executors.c.person_id)
            .order_by(
                task_executors.c.task_id,
                task_executors.c.is_lead.desc(),
                task_executors.c.person_id,
            )
        )
        for chunk in chunked(task_ids):
            result = await self._connection.execute(
                query.where(task_executors.c.task_id.in_(chunk))
            )
            for row in result.mappings():
                grouped[row["task_id"]].append(_person(row))
        return grouped

    async def evidence_of(self, task_ids: Sequence[int]) -> dict[int, list[Evidence]]:
        grouped: dict[int, list[Evidence]] = {task_id: [] for task_id in task_ids}
        query = select(task_evidence).order_by(task_evidence.c.task_id, task_evidence.c.id)
        for chunk in chunked(task_ids):
            result = await self._connection.execute(
                query.where(task_evidence.c.task_id.in_(chunk))
            )
            for row in result.mappings():
                grouped[row["task_id"]].append(Evidence(**dict(row)))
        return grouped

    async def events_of(self, task_ids: Sequence[int]) -> dict[int, list[TaskEvent]]:
        grouped: dict[int, list[TaskEvent]] = {task_id: [] for task_id in task_ids}
        query = select(task_events).order_by(
            task_events.c.task_id, task_events.c.happened_at, task_events.c.id
        )
        for chunk in chunked(task_ids):
            result = await self._connection.execute(query.where(task_events.c.task_id.in_(chunk)))
            for row in result.mappings():
                grouped[row["task_id"]].append(TaskEvent(**dict(row)))
        return grouped

    def _open_of(self, person_id: int, until: date | None) -> Select[Any]:
        query = (
            select(tasks.c.id)
            .join(task_executors, task_executors.c.task_id == tasks.c.id)
            .where(
                task_executors.c.person_id == person_id,
                _LIVE,
                _OPEN,
            )
        )
        return query if until is None else query.where(tasks.c.due_on <= until)

    async def open_count(self, person_id: int, *, until: date | None = None) -> int:
        """How many live, not yet done tasks this person shares (due by `until` if given)."""
        subquery = self._open_of(person_id, until).subquery()
        result = await self._connection.execute(select(func.count()).select_from(subquery))
        return int(result.scalar_one())

    async def open_ids(
        self,
        person_id: int,
        *,
        until: date | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """Those tasks by date, a slice of them."""
        query = self._open_of(person_id, until).order_by(tasks.c.due_on, tasks.c.id)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        result = await self._connection.execute(query)
        return [int(task_id) for task_id in result.scalars()]

    async def activity_count(self, roadmap_id: int, rows: RowFilter | None = None) -> int:
        result = await self._connection.execute(
            select(func.count())
            .select_from(activities)
            .where(
                activities.c.roadmap_id == roadmap_id,
                activities.c.is_removed.is_(False),
                *_row_conditions(rows or RowFilter()),
            )
        )
        return int(result.scalar_one())

    async def activity_page(
        self, roadmap_id: int, offset: int, limit: int, rows: RowFilter | None = None
    ) -> list[ActivityRow]:
        """A slice of a roadmap's rows: in table order, each parent before its steps, unless
        the filter says otherwise (`RowFilter`)."""
        found = rows or RowFilter()
        child = activities.alias("child_activity")
        has_steps = exists().where(
            child.c.parent_id == activities.c.id, child.c.is_removed.is_(False)
        )
        next_due = (
            select(func.min(tasks.c.due_on))
            .where(tasks.c.activity_id == activities.c.id, _LIVE, _OPEN)
            .scalar_subquery()
        )
        # Step numbers among all of a parent's steps, before any filter leaves some out.
        numbered = (
            select(
                activities,
                func.row_number()
                .over(
                    partition_by=activities.c.parent_id,
                    order_by=(activities.c.position, activities.c.id),
                )
                .label("step_number"),
                has_steps.label("has_steps"),
                next_due.label("next_due"),
                and_(*_row_conditions(found), literal(True)).label("kept"),
            )
            .where(activities.c.roadmap_id == roadmap_id, activities.c.is_removed.is_(False))
            .subquery()
        )
        parent = activities.alias("parent_row")
        order: tuple[ColumnElement[Any], ...] = (numbered.c.position, numbered.c.id)
        if found.leaves_only:
            later = case((numbered.c.next_due.is_(None), 1), else_=0)
            order = (later, numbered.c.next_due, *order)
        query = (
            select(numbered, parent.c.title.label("parent_title"))
            .outerjoin(
                parent,
                and_(parent.c.id == numbered.c.parent_id, parent.c.is_removed.is_(False)),
            )
            .where(numbered.c.kept.is_(True))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        result = await self._connection.execute(query)
        return [
            ActivityRow(
                activity=_activity(row),
                step_number=None if row["parent_id"] is None else int(row["step_number"]),
                has_steps=bool(row["has_steps"]),
                parent_title=row["parent_title"],
            )
            for row in result.mappings()
        ]
