"""Importing a parsed roadmap: people matched or created, activities added, updated or retired.

A corrected file updates the roadmap it replaces in place (same organisation, same title):
activities are matched by number and title, so their ids, manual deadlines and history
survive, and rows that did not change are not written again. The import is worked out in
memory from one read and written in short transactions (see ``RoadmapService.apply``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.dates import format_day
from core.models import Role
from core.organisation_names import guess_kind
from roadmap.deadlines import DeadlineKind, parse_deadline
from roadmap.importer import ParsedActivity, ParsedRoadmap, title_key
from roadmap.period import Period
from roadmap.responsible import ResponsibleKind, body_key, person_key
from services.access import (
    AccessDenied,
    Actor,
    may_import,
    organisation_scope,
    require_roadmap_access,
)
from services.people import is_heads_of_schools
from services.reminders import Planning
from services.tasks import SyncResult, derive_tasks, resolution_for, sync_tasks, task_changes
from services.views import RoadmapPage, RowView, roadmap_page, row_filter
from storage.database import Database
from storage.records import (
    Activity,
    ActivityFields,
    Assignee,
    AssigneeFields,
    Organisation,
    Person,
    Roadmap,
    Task,
)
from storage.repositories import Repositories
from tasks.derive import AssigneeRef, Resolution
from tasks.reach import Reach, row_reach

# Fields whose change a coordinator is told about; position and source row shift whenever a
# row is inserted above and mean nothing.
_COMPARED = ("number", "section", "title", "result", "deadline_text", "responsible_text")

RowPath = tuple[int, ...]
_T = TypeVar("_T")


@dataclass(frozen=True)
class RowLabel:
    number: str | None
    title: str


@dataclass(frozen=True)
class ImportPlan:
    roadmap: Roadmap | None  # the roadmap a re-import updates; None for a new one
    added: tuple[RowLabel, ...]
    changed: tuple[RowLabel, ...]
    removed: tuple[RowLabel, ...]
    new_people: tuple[str, ...]
    known_people: tuple[str, ...]
    reach: Reach = field(default_factory=lambda: Reach(()))
    # Rows whose deadline was set in the chat while the file now says another: kept as set.
    kept_deadlines: tuple[KeptDeadline, ...] = ()
    # Rows whose people were chosen in the chat while the file now names others: kept.
    kept_people: tuple[KeptPeople, ...] = ()
    # How many tasks each named person gets, the most first.
    tasks_by_person: tuple[tuple[str, int], ...] = ()
    # «Руководители ОО» rows: how many heads they fan out to, and how many tasks each gets.
    heads: int = 0
    tasks_per_head: int = 0

    @property
    def is_reimport(self) -> bool:
        return self.roadmap is not None


@dataclass(frozen=True)
class ImportResult:
    roadmap: Roadmap
    plan: ImportPlan


@dataclass
class _Match:
    """New rows (by path: (i,) an activity, (i, j) its step) matched to stored activities."""

    by_path: dict[RowPath, Activity] = field(default_factory=dict)
    unmatched_old: list[Activity] = field(default_factory=list)


def _rows(parsed: ParsedRoadmap) -> Iterator[tuple[RowPath, ParsedActivity]]:
    for index, activity in enumerate(parsed.activities):
        yield (index,), activity
        for step_index, step in enumerate(activity.steps):
            yield (index, step_index), step


def _number_key(number: str | None) -> str:
    return (number or "").strip().rstrip(".")


# Matching passes, strict to loose: the key of a row of the file and of a stored activity.
# A row whose key is None takes no part in that pass.
_Pass = tuple[Callable[[ParsedActivity], object], Callable[[Activity], object]]
_PASSES: tuple[_Pass, ...] = (
    (
        lambda row: (_number_key(row.number), title_key(row.title)),
        lambda act: (_number_key(act.fields.number), title_key(act.fields.title)),
    ),
    (
        lambda row: _number_key(row.number) or None,
        lambda act: _number_key(act.fields.number) or None,
    ),
    (
        lambda row: (title_key(row.title), title_key(row.deadline.text)),
        lambda act: (title_key(act.fields.title), title_key(act.fields.deadline_text)),
    ),
    (lambda row: title_key(row.title), lambda act: title_key(act.fields.title)),
)


def _pair(
    new: Sequence[tuple[RowPath, ParsedActivity]],
    old: Sequence[Activity],
    match: _Match,
    *,
    by_position: bool,
) -> None:
    """Match in passes from strict to loose; each stored activity is used at most once."""
    free = list(old)
    for keys in _PASSES:
        free = _pair_by(keys, new, free, match)
    if by_position:
        # Steps that changed every cell still are "the second step of activity 3".
        for path, _row in new:
            if path not in match.by_path and free:
                match.by_path[path] = free.pop(0)
    match.unmatched_old.extend(free)


def _pair_by(
    keys: _Pass,
    new: Sequence[tuple[RowPath, ParsedActivity]],
    free: Sequence[Activity],
    match: _Match,
) -> list[Activity]:
    """One pass: each row not matched yet takes the first free activity with its key.

    The free activities are indexed by the key, so a 2,000-row plan matches in linear time.
    Returns those still free, in their order.
    """
    row_key, act_key = keys
    index: dict[object, list[Activity]] = {}
    for act in free:
        index.setdefault(act_key(act), []).append(act)
    taken: set[int] = set()
    for path, row in new:
        if path in match.by_path:
            continue
        key = row_key(row)
        candidates = index.get(key) if key is not None else None
        if candidates:
            match.by_path[path] = candidates.pop(0)
            taken.add(match.by_path[path].id)
    return [act for act in free if act.id not in taken]


def _match(parsed: ParsedRoadmap, stored: Sequence[Activity]) -> _Match:
    match = _Match()
    rows = list(_rows(parsed))
    parents = [act for act in stored if act.parent_id is None]
    steps_of: dict[int, list[Activity]] = {}
    for act in stored:
        if act.parent_id is not None:
            steps_of.setdefault(act.parent_id, []).append(act)
    new_steps_of: dict[int, list[tuple[RowPath, ParsedActivity]]] = {}
    for path, row in rows:
        if len(path) == 2:
            new_steps_of.setdefault(path[0], []).append((path, row))
    _pair([(p, r) for p, r in rows if len(p) == 1], parents, match, by_position=False)
    matched_parents: dict[int, int] = {
        act.id: path[0] for path, act in match.by_path.items() if len(path) == 1
    }
    for parent_id, index in matched_parents.items():
        _pair(new_steps_of.get(index, []), steps_of.get(parent_id, []), match, by_position=True)
    for parent_id, steps in steps_of.items():
        if parent_id not in matched_parents:
            match.unmatched_old.extend(steps)
    return match


def _fields(row: ParsedActivity, position: int) -> ActivityFields:
    return ActivityFields(
        position=position,
        number=row.number,
        section=row.section,
        title=row.title,
        result=row.result,
        deadline_text=row.deadline.text,
        deadline_kind=row.deadline.kind.value,
        deadline_start=row.deadline.start,
        deadline_due=row.deadline.due,
        deadline_warnings=row.deadline.warnings,
        responsible_text=row.responsible_text,
        responsible_warnings=row.responsible_warnings,
        source_ref=row.source_ref,
    )


def _changed_fields(row: ParsedActivity, stored: Activity) -> list[str]:
    new = _fields(row, stored.fields.position)
    return [name for name in _COMPARED if getattr(new, name) != getattr(stored.fields, name)]


def _label(row: ParsedActivity | ActivityFields) -> RowLabel:
    return RowLabel(number=row.number, title=row.title)


@dataclass(frozen=True)
class _Snapshot:
    """What an import compares the file with, read before anything is written."""

    roadmap: Roadmap | None
    stored: list[Activity]
    assignees: dict[int, list[AssigneeFields]]
    people: dict[str, list[Person]]  # the organisation's people under the file's name keys
    resolution: Resolution  # whom bodies and «руководители ОО» reach
    tasks: dict[int, list[Task]]  # by activity


@dataclass(frozen=True)
class _Row:
    """A row of the file (an activity or a step) with what would be stored for it."""

    path: RowPath
    parsed: ParsedActivity
    fields: ActivityFields
    assignees: list[AssigneeFields]
    has_steps: bool  # an activity whose steps carry its tasks

    def estimate(self, resolution: Resolution) -> int:
        """How many tasks a new row makes: «Руководители ОО» fans out to every head."""
        fans_out = any(item.kind is ResponsibleKind.GROUP for item in self.parsed.responsible)
        return len(self.parsed.deadline.due) * (len(resolution.heads) + 1 if fans_out else 1)


def _file_rows(parsed: ParsedRoadmap, person_ids: dict[str, int]) -> Iterator[_Row]:
    for position, (path, row) in enumerate(_rows(parsed)):
        yield _Row(
            path,
            row,
            _fields(row, position),
            _assignees(row, person_ids),
            has_steps=len(path) == 1 and bool(parsed.activities[path[0]].steps),
        )


@dataclass
class _Group:
    """One activity of the file with its steps: written together, in one transaction."""

    index: int
    inserts: list[tuple[RowPath, ActivityFields]] = field(default_factory=list)
    updates: list[tuple[int, ActivityFields, bool]] = field(default_factory=list)
    history: list[tuple[RowPath, str, dict[str, Any]]] = field(default_factory=list)
    assignees: list[tuple[RowPath, list[AssigneeFields]]] = field(default_factory=list)
    ids: dict[RowPath, int] = field(default_factory=dict)  # rows already stored
    dirty: bool = False  # its tasks (and their reminders) need bringing in line
    tasks: int = 0  # how many tasks it has: the size of its transaction

    @property
    def writes(self) -> bool:
        return bool(self.inserts or self.updates or self.history or self.assignees or self.dirty)

    def add_new(self, row: _Row, source: dict[str, Any], resolution: Resolution) -> None:
        """A row the roadmap does not have yet: inserted, with its people and tasks."""
        self.inserts.append((row.path, row.fields))
        self.history.append((row.path, "imported", source))
        self.assignees.append((row.path, row.assignees))
        self.dirty = True
        self.tasks += row.estimate(resolution)

    def add_stored(
        self, row: _Row, found: Activity, snapshot: _Snapshot, source: dict[str, Any]
    ) -> None:
        """What of a stored activity the row changes: its fields, history, people, tasks."""
        self.ids[row.path] = found.id
        changes = _changed_fields(row.parsed, found)
        if found.responsible_manual:
            # People chosen in the chat win over the file's, as a chat deadline does.
            row = replace(row, assignees=snapshot.assignees.get(found.id, []))
        # A deadline set in the chat wins over the file, even a file with a new one: the
        # preview names that conflict (ImportPlan.kept_deadlines) instead of undoing it.
        keep = found.deadline_manual
        stored = _stored_fields(found, row.fields, keep)
        if found.is_removed or stored != found.fields:
            self.updates.append((found.id, row.fields, keep))
        if found.is_removed:
            self.history.append((row.path, "restored", source))
        elif changes:
            self.history.append((row.path, "changed", {**source, "fields": changes}))
        if snapshot.assignees.get(found.id, []) != row.assignees:
            self.assignees.append((row.path, row.assignees))
        self._compare_tasks(row, found, stored, snapshot)

    def _compare_tasks(
        self, row: _Row, found: Activity, stored: ActivityFields, snapshot: _Snapshot
    ) -> None:
        """Whether the activity's tasks need bringing in line, and how many it has."""
        wanted = derive_tasks(
            [replace(found, fields=stored, is_removed=False)],
            {found.id: row.assignees},
            snapshot.resolution,
            {found.id} if row.has_steps else (),
        )
        tasks = snapshot.tasks.get(found.id, [])
        if (
            found.is_removed
            or stored.deadline_kind != found.fields.deadline_kind
            or stored.deadline_start != found.fields.deadline_start
            or not task_changes(wanted, tasks).is_empty
        ):
            self.dirty = True
        self.tasks += max(len(tasks), len(wanted), 1)


# A write transaction holds SQLite's only write lock: while it runs, the reminder tick and
# every other writer wait. An import writes in transactions of about this many tasks (with
# their reminders), each well under a second, and waits its turn between them.
TASKS_PER_WRITE = 1_000
ACTIVITIES_PER_WRITE = 500
# Between two of them the import steps aside this long on SQLite: a writer of another
# connection (the tick, a second process) polls for the lock and must find it free.
SQLITE_WRITE_PAUSE = 0.1


def _people_keys(parsed: ParsedRoadmap) -> dict[str, str]:
    return {person.name: person_key(person.name) for person in parsed.people()}


@dataclass(frozen=True)
class KeptPeople:
    """People chosen in the chat that a re-import does not undo, though the file names others."""

    label: RowLabel
    file_text: str  # whom the file now names
    kept: tuple[str, ...]  # the people chosen in the chat


@dataclass(frozen=True)
class KeptDeadline:
    """A deadline set in the chat that a re-import does not undo, though the file changed it."""

    label: RowLabel
    file_text: str  # the deadline as the file now words it
    kept: tuple[date, ...]  # the dates set in the chat


def _plan_of(parsed: ParsedRoadmap, snapshot: _Snapshot, match: _Match) -> ImportPlan:
    added: list[RowLabel] = []
    changed: list[RowLabel] = []
    kept: list[KeptDeadline] = []
    kept_people: list[KeptPeople] = []
    for path, row in _rows(parsed):
        found = match.by_path.get(path)
        if found is None:
            added.append(_label(row))
            continue
        changes = _changed_fields(row, found)
        if found.is_removed or changes:
            changed.append(_label(row))
        if found.deadline_manual and "deadline_text" in changes:
            kept.append(KeptDeadline(_label(row), row.deadline.text, found.fields.deadline_due))
        if found.responsible_manual and "responsible_text" in changes:
            chosen = tuple(a.name for a in snapshot.assignees.get(found.id, []))
            kept_people.append(KeptPeople(_label(row), row.responsible_text, chosen))
    new_people: list[str] = []
    known_people: list[str] = []
    for name, key in _people_keys(parsed).items():
        (known_people if snapshot.people.get(key) else new_people).append(name)
    return ImportPlan(
        roadmap=snapshot.roadmap,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(_label(act.fields) for act in match.unmatched_old if not act.is_removed),
        new_people=tuple(new_people),
        known_people=tuple(known_people),
        reach=reach_of_file(parsed, snapshot.resolution),
        kept_deadlines=tuple(kept),
        kept_people=tuple(kept_people),
        tasks_by_person=_tasks_by_person(parsed),
        heads=len(snapshot.resolution.heads),
        tasks_per_head=sum(
            max(len(row.deadline.due), 1)
            for row in parsed.leaves()
            if any(
                item.kind is ResponsibleKind.GROUP and is_heads_of_schools(item.name)
                for item in row.responsible
            )
        ),
    )


def reach_of_file(parsed: ParsedRoadmap, resolution: Resolution) -> Reach:
    """Whom the file's rows that carry tasks would reach, and which reach nobody."""
    return Reach(
        tuple(
            row_reach(
                row.source_ref,
                row.title,
                [AssigneeRef(item.kind.value, item.name, None, False) for item in row.responsible],
                resolution,
                is_heads_of_schools,
            )
            for row in parsed.leaves()
        ),
        resolution.headless,
    )


def reach_of_roadmap(
    activities: Sequence[Activity],
    assignees: Mapping[int, Sequence[Assignee]],
    resolution: Resolution,
) -> Reach:
    """Whom a stored roadmap's rows that carry tasks reach (an activity with steps does not)."""
    with_steps = {a.parent_id for a in activities if a.parent_id is not None}
    return Reach(
        tuple(
            row_reach(
                activity.fields.number or activity.fields.source_ref,
                activity.fields.title,
                [
                    AssigneeRef(a.fields.kind, a.fields.name, a.fields.person_id, a.fields.is_lead)
                    for a in assignees.get(activity.id, ())
                ],
                resolution,
                is_heads_of_schools,
            )
            for activity in activities
            if activity.id not in with_steps and not activity.is_removed
        ),
        resolution.headless,
    )


def _tasks_by_person(parsed: ParsedRoadmap) -> tuple[tuple[str, int], ...]:
    counted: Counter[str] = Counter()
    for row in parsed.leaves():
        for person in dict.fromkeys(
            i.name for i in row.responsible if i.kind is ResponsibleKind.PERSON
        ):
            counted[person] += max(len(row.deadline.due), 1)
    return tuple(counted.most_common())


def _stored_fields(found: Activity, fields: ActivityFields, keep_deadline: bool) -> ActivityFields:
    """The fields an update leaves in the row (a kept manual deadline stays)."""
    if not keep_deadline:
        return fields
    return replace(
        fields,
        deadline_kind=found.fields.deadline_kind,
        deadline_start=found.fields.deadline_start,
        deadline_due=found.fields.deadline_due,
        deadline_warnings=found.fields.deadline_warnings,
    )


class RoadmapService:
    def __init__(self, database: Database, clock: Clock, planning: Planning | None = None) -> None:
        self._database = database
        self._clock = clock
        self._planning = planning
        # Two imports at once would compare the file with the same state and both write.
        self._importing = asyncio.Lock()

    async def organisation(self, organisation_id: int) -> Organisation | None:
        async with self._database.transaction() as repositories:
            return await repositories.organisations.get(organisation_id)

    async def find_organisation(self, name: str) -> Organisation | None:
        """The organisation with this name (case folded), if there is one; creates nothing."""
        async with self._database.transaction() as repositories:
            return _named(await repositories.organisations.list_all(), name)

    async def organisation_named(self, name: str, timezone: str) -> Organisation:
        """The organisation with this name (case folded), created when new as the kind its
        name says (an education department is a municipality, not a school)."""
        async with self._database.transaction(immediate=True) as repositories:
            found = _named(await repositories.organisations.list_all(), name)
            if found is not None:
                return found
            return await repositories.organisations.add(
                name=name.strip(),
                kind=guess_kind(name),
                timezone=timezone,
                created_at=self._clock.now(),
            )

    async def plan(self, organisation_id: int | None, parsed: ParsedRoadmap) -> ImportPlan:
        """What an import would add, change and remove; writes nothing.

        ``organisation_id`` None: the organisation does not exist yet, so everything is new.
        """
        async with self._database.transaction() as repositories:
            snapshot = await self._snapshot(repositories, organisation_id, parsed, tasks=False)
        return _plan_of(parsed, snapshot, _match(parsed, snapshot.stored))

    async def _snapshot(
        self,
        repositories: Repositories,
        organisation_id: int | None,
        parsed: ParsedRoadmap,
        *,
        tasks: bool,
    ) -> _Snapshot:
        if organisation_id is None:
            return _Snapshot(None, [], {}, {}, Resolution(), {})
        roadmap = await repositories.roadmaps.find_by_title_key(
            organisation_id, title_key(parsed.title)
        )
        stored: list[Activity] = []
        assignees: dict[int, list[AssigneeFields]] = {}
        by_activity: dict[int, list[Task]] = {}
        if roadmap is not None:
            stored = await repositories.activities.in_roadmap(roadmap.id, include_removed=True)
            assignees = {
                activity_id: [a.fields for a in found]
                for activity_id, found in (
                    await repositories.activities.assignees_in_roadmap(roadmap.id)
                ).items()
            }
            if tasks:
                for task in await repositories.tasks.in_roadmap(roadmap.id):
                    by_activity.setdefault(task.activity_id, []).append(task)
        people = await repositories.people.find_by_name_keys(
            organisation_id, list(_people_keys(parsed).values())
        )
        resolution = await resolution_for(repositories, organisation_id)
        return _Snapshot(roadmap, stored, assignees, people, resolution, by_activity)

    async def apply(
        self,
        organisation_id: int,
        parsed: ParsedRoadmap,
        *,
        source_name: str,
        actor_telegram_id: int | None,
    ) -> ImportResult:
        """Store the roadmap (or update the one it corrects).

        Everything is worked out from one read first; the writes follow in short transactions
        (people and the roadmap, then a few hundred activities with their tasks and reminders
        each), so nobody else waits long for the database. Rows a re-import leaves as they
        were are not written, and their tasks' reminders are not re-planned. A stop halfway
        leaves whole activities stored or not at all: importing the file again completes it.
        """
        async with self._importing:
            return await self._apply(organisation_id, parsed, source_name, actor_telegram_id)

    async def _apply(
        self,
        organisation_id: int,
        parsed: ParsedRoadmap,
        source_name: str,
        actor_telegram_id: int | None,
    ) -> ImportResult:
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            snapshot = await self._snapshot(repositories, organisation_id, parsed, tasks=True)
        match = _match(parsed, snapshot.stored)
        plan = _plan_of(parsed, snapshot, match)
        known, new_people = _split_people(parsed, snapshot)

        async with self._database.transaction(immediate=True) as repositories:
            roadmap = await _store_roadmap(
                repositories,
                organisation_id,
                parsed,
                snapshot.roadmap,
                source_name=source_name,
                actor_telegram_id=actor_telegram_id,
                now=now,
            )
            created = await repositories.people.add_many(
                organisation_id,
                [(name, key, position) for key, (name, position) in new_people.items()],
                role=Role.EXECUTOR,
                created_at=now,
            )
        person_ids = _person_ids(parsed, known, dict(zip(new_people, created, strict=True)))

        # Removed rows first: a parent whose steps all went becomes a task of its own below.
        removed = [act for act in match.unmatched_old if not act.is_removed]
        await self._retire(roadmap, removed, snapshot, source_name, now, actor_telegram_id)

        groups = self._groups(parsed, snapshot, match, person_ids, source_name)
        for part_groups in self._parts(
            [group for group in groups if group.writes], lambda group: group.tasks
        ):
            await self._pause()
            async with self._database.transaction(immediate=True) as repositories:
                await self._write(
                    repositories, roadmap, part_groups, snapshot, now, actor_telegram_id
                )
        return ImportResult(roadmap=roadmap, plan=plan)

    async def _retire(
        self,
        roadmap: Roadmap,
        removed: Sequence[Activity],
        snapshot: _Snapshot,
        source_name: str,
        now: datetime,
        actor_telegram_id: int | None,
    ) -> None:
        """Marks the activities the file no longer has as removed; their tasks go with them."""
        history_source: dict[str, Any] = {"source": source_name}
        for part in self._parts(removed, lambda act: len(snapshot.tasks.get(act.id, ())) or 1):
            await self._pause()
            async with self._database.transaction(immediate=True) as repositories:
                ids = [act.id for act in part]
                await repositories.activities.set_removed_many(ids, now)
                await repositories.activities.record_many(
                    [(activity_id, "removed", history_source) for activity_id in ids],
                    now=now,
                    actor_telegram_id=actor_telegram_id,
                )
                await sync_tasks(
                    repositories,
                    roadmap,
                    self._clock,
                    self._planning,
                    activity_ids=ids,
                    resolution=snapshot.resolution,
                )

    async def _pause(self) -> None:
        if self._database.engine.dialect.name == "sqlite":
            await asyncio.sleep(SQLITE_WRITE_PAUSE)

    @staticmethod
    def _parts(items: Sequence[_T], size: Callable[[_T], int]) -> Iterator[list[_T]]:
        """Consecutive runs of items of about TASKS_PER_WRITE tasks each."""
        part: list[_T] = []
        tasks = 0
        for item in items:
            part.append(item)
            tasks += size(item)
            if tasks >= TASKS_PER_WRITE or len(part) >= ACTIVITIES_PER_WRITE:
                yield part
                part, tasks = [], 0
        if part:
            yield part

    def _groups(
        self,
        parsed: ParsedRoadmap,
        snapshot: _Snapshot,
        match: _Match,
        person_ids: dict[str, int],
        source_name: str,
    ) -> list[_Group]:
        source: dict[str, Any] = {"source": source_name}
        groups = [_Group(index) for index in range(len(parsed.activities))]
        for row in _file_rows(parsed, person_ids):
            group = groups[row.path[0]]
            found = match.by_path.get(row.path)
            if found is None:
                group.add_new(row, source, snapshot.resolution)
            else:
                group.add_stored(row, found, snapshot, source)
        return groups

    async def _write(
        self,
        repositories: Repositories,
        roadmap: Roadmap,
        groups: Sequence[_Group],
        snapshot: _Snapshot,
        now: datetime,
        actor_telegram_id: int | None,
    ) -> None:
        ids = await _insert_activities(repositories, roadmap, groups, now)
        await repositories.activities.update_many(
            [update for group in groups for update in group.updates], now
        )
        await repositories.activities.replace_assignees_many(
            {ids[path]: assignees for group in groups for path, assignees in group.assignees}
        )
        await repositories.activities.record_many(
            [
                (ids[path], event, details)
                for group in groups
                for path, event, details in group.history
            ],
            now=now,
            actor_telegram_id=actor_telegram_id,
        )
        dirty = _dirty_activities(groups, ids)
        if dirty:
            await sync_tasks(
                repositories,
                roadmap,
                self._clock,
                self._planning,
                activity_ids=dirty,
                resolution=snapshot.resolution,
            )

    async def page(
        self, actor: Actor, roadmap: Roadmap, page: int, size: int, view: RowView
    ) -> RoadmapPage:
        """A page of a roadmap's rows as this person asked to see them (`RowView`); the
        caller has checked they may see the roadmap."""
        today = await self.today_for(roadmap)
        person_id = actor.person.id if actor.person else None
        rows = row_filter(view, today, person_id)
        return await roadmap_page(self._database, roadmap.id, page, size, rows)

    async def reach(self, actor: Actor, roadmap_id: int) -> Reach:
        """Whom the roadmap's rows reach now, and those that reach nobody (why, and the names
        nobody answers for): for /roadmap and /status, until every row reaches someone."""
        roadmap = await require_roadmap_access(self._database, actor, roadmap_id)
        async with self._database.transaction() as repositories:
            activities = await repositories.activities.in_roadmap(roadmap.id)
            assignees = await repositories.activities.assignees_in_roadmap(roadmap.id)
            resolution = await resolution_for(repositories, roadmap.organisation_id)
        return reach_of_roadmap(activities, assignees, resolution)

    async def answer_for(
        self, actor: Actor, roadmap_id: int, name: str, person_ids: Sequence[int]
    ) -> SyncResult:
        """«Кто отвечает за «РМК»?»: these people, from now on, in the roadmap's organisation —
        for this roadmap, its re-imports and later roadmaps there and below. The roadmaps of
        the organisation and those below get their tasks at once."""
        roadmap = await require_roadmap_access(self._database, actor, roadmap_id)
        if not may_import(actor):
            raise AccessDenied("access.denied")
        scope = await organisation_scope(self._database, actor)
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            below = await repositories.organisations.descendant_ids(roadmap.organisation_id)
            await _pickable(repositories, roadmap, person_ids, scope)
            await repositories.responsibles.set(
                roadmap.organisation_id, body_key(name), name, person_ids, now
            )
            totals = SyncResult(0, 0, 0)
            for found in await repositories.roadmaps.in_organisations(below):
                result = await sync_tasks(repositories, found, self._clock, self._planning)
                totals = SyncResult(
                    totals.created + result.created,
                    totals.updated + result.updated,
                    totals.cancelled + result.cancelled,
                )
        return totals

    async def roadmaps_of(self, organisation_ids: Sequence[int]) -> list[Roadmap]:
        async with self._database.transaction() as repositories:
            return await repositories.roadmaps.in_organisations(organisation_ids)

    async def visible(self, actor: Actor) -> list[tuple[Roadmap, Organisation]]:
        return await visible_roadmaps(self._database, actor)

    async def importable(self, actor: Actor) -> list[Organisation]:
        """The organisations this person may import a roadmap into, by name: a coordinator's
        own and those below it; every one for an administrator."""
        if not may_import(actor):
            raise AccessDenied("access.denied")
        scope = await organisation_scope(self._database, actor)
        async with self._database.transaction() as repositories:
            found = await repositories.organisations.list_all()
        return sorted(
            (o for o in found if scope is None or o.id in scope), key=lambda o: o.name.lower()
        )

    async def candidates(self, actor: Actor, roadmap_id: int) -> list[Person]:
        """Whom a coordinator may pick for a body of this roadmap: the active people of its
        organisation, by name (those below it when it has none of its own)."""
        roadmap = await require_roadmap_access(self._database, actor, roadmap_id)
        if not may_import(actor):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            own = await repositories.people.in_organisations([roadmap.organisation_id])
            if not [p for p in own if p.is_active]:
                below = await repositories.organisations.descendant_ids(roadmap.organisation_id)
                own = await repositories.people.in_organisations(below)
        return sorted((p for p in own if p.is_active), key=lambda p: p.full_name)

    async def all(self) -> list[Roadmap]:
        async with self._database.transaction() as repositories:
            organisations = await repositories.organisations.list_all()
            return await repositories.roadmaps.in_organisations([o.id for o in organisations])

    async def activity(self, activity_id: int) -> Activity | None:
        async with self._database.transaction() as repositories:
            return await repositories.activities.get(activity_id)

    async def activities_of(self, roadmap_id: int) -> list[Activity]:
        async with self._database.transaction() as repositories:
            return await repositories.activities.in_roadmap(roadmap_id)

    async def activity_to_edit(self, actor: Actor, activity_id: int) -> Activity:
        """The activity, if this person may set its deadline or people (they may import, and
        they see its roadmap); AccessDenied otherwise, also when it is gone."""
        activity = await self.activity(activity_id)
        if activity is None or not may_import(actor):
            raise AccessDenied("access.denied")
        await require_roadmap_access(self._database, actor, activity.roadmap_id)
        return activity

    async def row_people(self, actor: Actor, activity_id: int) -> tuple[Activity, list[int]]:
        """A row whose people this person may choose (`set_people`'s rule), with the people
        it names now (those the file names, or those chosen before), lead first."""
        activity = await self.activity_to_edit(actor, activity_id)
        async with self._database.transaction() as repositories:
            if await repositories.activities.with_live_steps([activity_id]):
                raise AccessDenied("access.denied")
            assignees = (await repositories.activities.assignees_of([activity_id]))[activity_id]
        return activity, [a.fields.person_id for a in assignees if a.fields.person_id]

    async def set_people(
        self, actor: Actor, activity_id: int, person_ids: Sequence[int]
    ) -> list[Person]:
        """A coordinator's people for a row, instead of whom the file names: the first leads.
        Kept over later imports of the file (their preview names the conflict); audited; only
        this row's tasks and their reminders are re-planned. Returns the people, in order.

        AccessDenied unless this person may (`activity_to_edit`) and every one picked is
        someone they may pick (`candidates`' rule), or when the row has steps (they carry its
        tasks) or is gone.
        """
        activity = await self.activity_to_edit(actor, activity_id)
        scope = await organisation_scope(self._database, actor)
        async with self._database.transaction(immediate=True) as repositories:
            roadmap = await repositories.roadmaps.get(activity.roadmap_id)
            if not person_ids or roadmap is None:
                raise AccessDenied("access.denied")
            if await repositories.activities.with_live_steps([activity_id]):
                raise AccessDenied("access.denied")
            people = await _pickable(repositories, roadmap, person_ids, scope)
            chosen = [people[i] for i in dict.fromkeys(person_ids)]
            now = self._clock.now()
            await repositories.activities.set_people(
                activity_id,
                [
                    AssigneeFields(
                        position=position,
                        kind=ResponsibleKind.PERSON.value,
                        name=person.full_name,
                        job_title=person.position,
                        person_id=person.id,
                        is_lead=position == 0,
                    )
                    for position, person in enumerate(chosen)
                ],
                now,
            )
            await repositories.activities.record(
                activity_id,
                event="people_set",
                details={
                    "people": [p.full_name for p in chosen],
                    "person_ids": [p.id for p in chosen],
                },
                now=now,
                actor_telegram_id=actor.telegram_user_id,
            )
            await sync_tasks(
                repositories, roadmap, self._clock, self._planning, activity_ids=[activity_id]
            )
        return chosen

    async def today_for(self, roadmap: Roadmap) -> date:
        """Today in the roadmap's organisation's zone."""
        organisation = await self.organisation(roadmap.organisation_id)
        zone = ZoneInfo(organisation.timezone if organisation else "UTC")
        return self._clock.now().astimezone(zone).date()

    async def set_deadline(
        self, actor: Actor, activity_id: int, text: str | date
    ) -> Activity | None:
        """A coordinator's date for an activity: one the file left without a date, or a date
        changed. Kept over later imports of the file (their preview names the conflict).

        AccessDenied unless this person may (`activity_to_edit`). Returns None when the text
        gives no date; the activity is left as it was. Only this activity's tasks and their
        reminders are re-planned. A day picked on the calendar (a `date`) is that one date.
        """
        await self.activity_to_edit(actor, activity_id)
        actor_telegram_id = actor.telegram_user_id
        async with self._database.transaction(immediate=True) as repositories:
            activity = await repositories.activities.get(activity_id)
            roadmap = await repositories.roadmaps.get(activity.roadmap_id) if activity else None
            if activity is None or roadmap is None:
                return None
            if isinstance(text, date):
                text = format_day(text)
            deadline = parse_deadline(text, Period(roadmap.period_start, roadmap.period_end))
            if not deadline.due or deadline.kind is DeadlineKind.UNKNOWN:
                return None
            now = self._clock.now()
            await repositories.activities.set_deadline(
                activity_id,
                kind=deadline.kind.value,
                start=deadline.start,
                due=deadline.due,
                now=now,
            )
            await repositories.activities.record(
                activity_id,
                event="deadline_set",
                details={"text": text, "due": [day.isoformat() for day in deadline.due]},
                now=now,
                actor_telegram_id=actor_telegram_id,
            )
            await sync_tasks(
                repositories, roadmap, self._clock, self._planning, activity_ids=[activity_id]
            )
            return await repositories.activities.get(activity_id)


async def visible_roadmaps(database: Database, actor: Actor) -> list[tuple[Roadmap, Organisation]]:
    """Every roadmap this person may see, with its organisation, newest first."""
    scope = await organisation_scope(database, actor)
    async with database.transaction() as repositories:
        organisations = {o.id: o for o in await repositories.organisations.list_all()}
        ids = list(organisations) if scope is None else scope
        found = await repositories.roadmaps.in_organisations(ids)
    return [(roadmap, organisations[roadmap.organisation_id]) for roadmap in found]


async def _pickable(
    repositories: Repositories,
    roadmap: Roadmap,
    person_ids: Sequence[int],
    scope: Sequence[int] | None,
) -> dict[int, Person]:
    """These people, if a coordinator with this scope may make them answer for the roadmap's
    rows: they work in its organisation, one above or one below it, and within the scope.
    AccessDenied otherwise (a forged or outdated pick)."""
    below = await repositories.organisations.descendant_ids(roadmap.organisation_id)
    chain = await repositories.organisations.ancestor_ids(roadmap.organisation_id)
    people = await repositories.people.by_ids(person_ids)
    allowed = set(below) | set(chain)
    if len(people) != len(set(person_ids)) or any(
        p.organisation_id not in allowed or (scope is not None and p.organisation_id not in scope)
        for p in people.values()
    ):
        raise AccessDenied("access.denied")
    return people


def _split_people(
    parsed: ParsedRoadmap, snapshot: _Snapshot
) -> tuple[dict[str, int], dict[str, tuple[str, str | None]]]:
    """The file's people already stored (id by name as written), and those to create: by
    name key, the first name and position the file writes for them."""
    known: dict[str, int] = {}
    new: dict[str, tuple[str, str | None]] = {}
    for person in parsed.people():
        key = person_key(person.name)
        same = snapshot.people.get(key)
        if same:
            known[person.name] = same[0].id
        else:
            new.setdefault(key, (person.name, person.position))
    return known, new


def _person_ids(
    parsed: ParsedRoadmap, known: dict[str, int], created: dict[str, int]
) -> dict[str, int]:
    """Every name the file writes, with its person's id; ``created`` is by name key."""
    ids = dict(known)
    for person in parsed.people():
        if person.name not in ids:
            ids[person.name] = created[person_key(person.name)]
    return ids


async def _store_roadmap(
    repositories: Repositories,
    organisation_id: int,
    parsed: ParsedRoadmap,
    stored: Roadmap | None,
    *,
    source_name: str,
    actor_telegram_id: int | None,
    now: datetime,
) -> Roadmap:
    """The roadmap added, or the one the file corrects marked as imported again."""
    if stored is None:
        return await repositories.roadmaps.add(
            organisation_id=organisation_id,
            title=parsed.title,
            title_key=title_key(parsed.title),
            period_start=parsed.period.start,
            period_end=parsed.period.end,
            source_name=source_name,
            imported_by_telegram_id=actor_telegram_id,
            now=now,
        )
    await repositories.roadmaps.mark_reimported(
        stored.id,
        title=parsed.title,
        period_start=parsed.period.start,
        period_end=parsed.period.end,
        source_name=source_name,
        now=now,
    )
    fresh = await repositories.roadmaps.get(stored.id)
    assert fresh is not None
    return fresh


async def _insert_activities(
    repositories: Repositories, roadmap: Roadmap, groups: Sequence[_Group], now: datetime
) -> dict[RowPath, int]:
    """Stores the groups' new rows; returns the activity id of every row of the groups."""
    ids: dict[RowPath, int] = {}
    for group in groups:
        ids.update(group.ids)
    # Activities before their steps: a new step needs its parent's id.
    for depth in (1, 2):
        rows = [
            (path, fields)
            for group in groups
            for path, fields in group.inserts
            if len(path) == depth
        ]
        created = await repositories.activities.add_many(
            roadmap.id,
            [(ids[path[:1]] if depth == 2 else None, fields) for path, fields in rows],
            now,
        )
        ids.update(
            (path, activity_id) for (path, _f), activity_id in zip(rows, created, strict=True)
        )
    return ids


def _dirty_activities(groups: Sequence[_Group], ids: dict[RowPath, int]) -> list[int]:
    """Every activity of a group whose tasks need bringing in line, steps and parent alike."""
    dirty_groups = {group.index for group in groups if group.dirty}
    return [activity_id for path, activity_id in ids.items() if path[0] in dirty_groups]


def _named(organisations: Sequence[Organisation], name: str) -> Organisation | None:
    wanted = name.strip().casefold()
    return next((o for o in organisations if o.name.casefold() == wanted), None)


def _assignees(row: ParsedActivity, people: dict[str, int]) -> list[AssigneeFields]:
    lead_taken = False
    assignees = []
    for position, item in enumerate(row.responsible):
        is_person = item.kind is ResponsibleKind.PERSON
        is_lead = is_person and not lead_taken
        lead_taken = lead_taken or is_lead
        assignees.append(
            AssigneeFields(
                position=position,
                kind=item.kind.value,
                name=item.name,
                job_title=item.position,
                person_id=people.get(item.name) if is_person else None,
                is_lead=is_lead,
            )
        )
    return assignees
