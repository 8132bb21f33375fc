"""Importing a parsed roadmap: people matched or created, activities added, updated or retired.

One transaction per import: a roadmap goes in whole or not at all. A corrected file updates
the roadmap it replaces in place (same organisation, same title): activities are matched by
number and title, so their ids, manual deadlines and history survive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from core.clock import Clock
from core.models import OrganisationKind, Role
from roadmap.deadlines import DeadlineKind, parse_deadline
from roadmap.importer import ParsedActivity, ParsedRoadmap, title_key
from roadmap.period import Period
from roadmap.responsible import ResponsibleKind, person_key
from services.reminders import Planning
from services.tasks import sync_tasks
from storage.database import Database
from storage.records import Activity, ActivityFields, AssigneeFields, Organisation, Roadmap
from storage.repositories import Repositories

# Fields whose change a coordinator is told about; position and source row shift whenever a
# row is inserted above and mean nothing.
_COMPARED = ("number", "section", "title", "result", "deadline_text", "responsible_text")

RowPath = tuple[int, ...]


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


def _pair(
    new: Sequence[tuple[RowPath, ParsedActivity]],
    old: Sequence[Activity],
    match: _Match,
    *,
    by_position: bool,
) -> None:
    """Match in passes from strict to loose; each stored activity is used at most once."""
    free = list(old)

    def take(path: RowPath, found: Activity | None) -> None:
        if found is not None:
            match.by_path[path] = found
            free.remove(found)

    passes: list[Callable[[ParsedActivity, Activity], bool]] = [
        lambda row, act: (
            _number_key(row.number) == _number_key(act.fields.number)
            and title_key(row.title) == title_key(act.fields.title)
        ),
        lambda row, act: (
            bool(_number_key(row.number))
            and _number_key(row.number) == _number_key(act.fields.number)
        ),
        lambda row, act: (
            title_key(row.title) == title_key(act.fields.title)
            and title_key(row.deadline.text) == title_key(act.fields.deadline_text)
        ),
        lambda row, act: title_key(row.title) == title_key(act.fields.title),
    ]
    for same in passes:
        for path, row in new:
            if path in match.by_path:
                continue
            take(path, next((act for act in free if same(row, act)), None))
    if by_position:
        # Steps that changed every cell still are "the second step of activity 3".
        for path, _row in new:
            if path not in match.by_path and free:
                take(path, free[0])
    match.unmatched_old.extend(free)


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


class RoadmapService:
    def __init__(self, database: Database, clock: Clock, planning: Planning | None = None) -> None:
        self._database = database
        self._clock = clock
        self._planning = planning

    async def organisation(self, organisation_id: int) -> Organisation | None:
        async with self._database.transaction() as repositories:
            return await repositories.organisations.get(organisation_id)

    async def organisation_named(self, name: str, timezone: str) -> Organisation:
        """The organisation with this name (case folded), created as a school when new."""
        async with self._database.transaction() as repositories:
            for organisation in await repositories.organisations.list_all():
                if organisation.name.casefold() == name.strip().casefold():
                    return organisation
            return await repositories.organisations.add(
                name=name.strip(),
                kind=OrganisationKind.SCHOOL,
                timezone=timezone,
                created_at=self._clock.now(),
            )

    async def plan(self, organisation_id: int, parsed: ParsedRoadmap) -> ImportPlan:
        """What an import would add, change and remove; writes nothing."""
        async with self._database.transaction() as repositories:
            return await self._plan(repositories, organisation_id, parsed)

    async def _plan(
        self, repositories: Repositories, organisation_id: int, parsed: ParsedRoadmap
    ) -> ImportPlan:
        existing = await repositories.roadmaps.find_by_title_key(
            organisation_id, title_key(parsed.title)
        )
        stored = (
            await repositories.activities.in_roadmap(existing.id, include_removed=True)
            if existing is not None
            else []
        )
        match = _match(parsed, stored)
        added: list[RowLabel] = []
        changed: list[RowLabel] = []
        for path, row in _rows(parsed):
            found = match.by_path.get(path)
            if found is None:
                added.append(_label(row))
            elif found.is_removed or _changed_fields(row, found):
                changed.append(_label(row))
        new_people: list[str] = []
        known_people: list[str] = []
        for person in parsed.people():
            same = await repositories.people.find_by_name_key(
                organisation_id, person_key(person.name)
            )
            (known_people if same else new_people).append(person.name)
        return ImportPlan(
            roadmap=existing,
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(_label(act.fields) for act in match.unmatched_old if not act.is_removed),
            new_people=tuple(new_people),
            known_people=tuple(known_people),
        )

    async def apply(
        self,
        organisation_id: int,
        parsed: ParsedRoadmap,
        *,
        source_name: str,
        actor_telegram_id: int | None,
    ) -> ImportResult:
        """Store the roadmap (or update the one it corrects) in one transaction."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            plan = await self._plan(repositories, organisation_id, parsed)
            people = await self._people(repositories, organisation_id, parsed)
            if plan.roadmap is None:
                roadmap = await repositories.roadmaps.add(
                    organisation_id=organisation_id,
                    title=parsed.title,
                    title_key=title_key(parsed.title),
                    period_start=parsed.period.start,
                    period_end=parsed.period.end,
                    source_name=source_name,
                    imported_by_telegram_id=actor_telegram_id,
                    now=now,
                )
                stored: list[Activity] = []
            else:
                roadmap = plan.roadmap
                await repositories.roadmaps.mark_reimported(
                    roadmap.id,
                    title=parsed.title,
                    period_start=parsed.period.start,
                    period_end=parsed.period.end,
                    source_name=source_name,
                    now=now,
                )
                stored = await repositories.activities.in_roadmap(roadmap.id, include_removed=True)
            match = _match(parsed, stored)
            ids: dict[RowPath, int] = {}
            for position, (path, row) in enumerate(_rows(parsed)):
                parent_id = ids[path[:1]] if len(path) == 2 else None
                fields = _fields(row, position)
                found = match.by_path.get(path)
                if found is None:
                    activity_id = await repositories.activities.add(
                        roadmap.id, parent_id, fields, now
                    )
                    event = "imported"
                    details: dict[str, object] = {"source": source_name}
                else:
                    activity_id = found.id
                    changes = _changed_fields(row, found)
                    keep = found.deadline_manual and "deadline_text" not in changes
                    await repositories.activities.update_fields(
                        activity_id, fields, now, keep_deadline=keep
                    )
                    if found.is_removed:
                        event, details = "restored", {"source": source_name}
                    elif changes:
                        event, details = "changed", {"source": source_name, "fields": changes}
                    else:
                        event = ""
                        details = {}
                if event:
                    await repositories.activities.record(
                        activity_id,
                        event=event,
                        details=details,
                        now=now,
                        actor_telegram_id=actor_telegram_id,
                    )
                ids[path] = activity_id
                await repositories.activities.replace_assignees(
                    activity_id, _assignees(row, people)
                )
            for activity in match.unmatched_old:
                if not activity.is_removed:
                    await repositories.activities.set_removed(activity.id, now)
                    await repositories.activities.record(
                        activity.id,
                        event="removed",
                        details={"source": source_name},
                        now=now,
                        actor_telegram_id=actor_telegram_id,
                    )
            await sync_tasks(repositories, roadmap, self._clock, self._planning)
        return ImportResult(roadmap=roadmap, plan=plan)

    async def _people(
        self, repositories: Repositories, organisation_id: int, parsed: ParsedRoadmap
    ) -> dict[str, int]:
        """Person ids by normalised name: matched in the organisation, created when new."""
        ids: dict[str, int] = {}
        for person in parsed.people():
            key = person_key(person.name)
            same = await repositories.people.find_by_name_key(organisation_id, key)
            if same:
                ids[person.name] = same[0].id
                continue
            created = await repositories.people.add(
                full_name=person.name,
                name_key=key,
                role=Role.EXECUTOR,
                created_at=self._clock.now(),
                organisation_id=organisation_id,
                position=person.position,
            )
            ids[person.name] = created.id
        return ids

    async def roadmaps_of(self, organisation_ids: Sequence[int]) -> list[Roadmap]:
        async with self._database.transaction() as repositories:
            return await repositories.roadmaps.in_organisations(organisation_ids)

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

    async def set_deadline(
        self, activity_id: int, text: str, *, actor_telegram_id: int | None
    ) -> Activity | None:
        """A coordinator's date for an activity the file left without one.

        Returns None when the text gives no date; the activity is left as it was.
        """
        async with self._database.transaction() as repositories:
            activity = await repositories.activities.get(activity_id)
            roadmap = await repositories.roadmaps.get(activity.roadmap_id) if activity else None
            if activity is None or roadmap is None:
                return None
            period = Period(roadmap.period_start, roadmap.period_end)
            deadline = parse_deadline(text, period)
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
            await sync_tasks(repositories, roadmap, self._clock, self._planning)
            return await repositories.activities.get(activity_id)


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
