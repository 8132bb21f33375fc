"""A municipality's schools and their heads loaded from a list, in bulk, updated in place.

The list is the authority on which schools sit under the organisation and who heads each: a
school already there (by schools.school_key, under this parent) is kept and renamed if the list
spells it otherwise; a new head takes over from the old one, who stays in the school as a
person. A preview writes nothing; the load plans again inside one short write transaction,
with a constant number of statements however long the list is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.clock import Clock
from core.models import OrganisationKind, Role
from schools import RowProblem, SchoolRow, SchoolsTable, school_key
from services.access import AccessDenied, Actor, may_import, organisation_scope
from services.people import may_contain
from storage.database import Database
from storage.records import Organisation, Person
from storage.repositories import Repositories
from storage.repositories.people import HeadFields


class SchoolOutcome(StrEnum):
    NEW = "new"
    RENAMED = "renamed"  # the same school (by its key), spelt otherwise in the list
    SAME = "same"


class HeadOutcome(StrEnum):
    NEW = "new"  # the school had no head
    REPLACED = "replaced"  # someone else headed it; they stay, no longer head
    UPDATED = "updated"  # the same head; their name is written out or their position changed
    SAME = "same"
    NONE = "none"  # the row names no head: whoever heads the school stays


@dataclass(frozen=True)
class SchoolPlan:
    row: SchoolRow
    school: SchoolOutcome
    head: HeadOutcome
    organisation_id: int | None  # the school already there
    person: Person | None  # the person in it who is (or becomes) head, when already there

    @property
    def person_id(self) -> int | None:
        return None if self.person is None else self.person.id

    @property
    def changes(self) -> bool:
        return self.school is not SchoolOutcome.SAME or self.head in _HEAD_WRITES

    @property
    def takes_over(self) -> bool:
        """The list's head becomes the school's head (a person already there, or a new one)."""
        return self.head in _TAKING_OVER


_HEAD_WRITES = frozenset({HeadOutcome.NEW, HeadOutcome.REPLACED, HeadOutcome.UPDATED})
_TAKING_OVER = frozenset({HeadOutcome.NEW, HeadOutcome.REPLACED})


@dataclass(frozen=True)
class OrgImportPlan:
    """What loading the list would do under ``parent``; nothing is written to make it."""

    parent: Organisation
    schools: tuple[SchoolPlan, ...]
    problems: tuple[RowProblem, ...]

    @property
    def added(self) -> int:
        return sum(plan.school is SchoolOutcome.NEW for plan in self.schools)

    @property
    def updated(self) -> int:
        return sum(plan.school is not SchoolOutcome.NEW and plan.changes for plan in self.schools)

    @property
    def unchanged(self) -> int:
        return sum(not plan.changes for plan in self.schools)

    @property
    def heads_new(self) -> int:
        return sum(plan.head is HeadOutcome.NEW for plan in self.schools)

    @property
    def heads_changed(self) -> int:
        return sum(
            plan.head in (HeadOutcome.REPLACED, HeadOutcome.UPDATED) for plan in self.schools
        )

    @property
    def people_new(self) -> int:
        """People to be created (heads not yet in their school)."""
        return sum(plan.takes_over and plan.person_id is None for plan in self.schools)

    @property
    def writes_nothing(self) -> bool:
        return not any(plan.changes for plan in self.schools)


@dataclass(frozen=True)
class OrgImportResult:
    plan: OrgImportPlan  # as planned inside the write transaction
    school_ids: tuple[int, ...]  # every school of the list, in its order


class OrgImportService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def parents(self, actor: Actor | None) -> list[Organisation]:
        """Where this person may load schools: organisations they manage that hold schools.

        ``actor`` None is the terminal, which may load anywhere.
        """
        if actor is not None and not may_import(actor):
            return []
        scope = None if actor is None else await organisation_scope(self._database, actor)
        async with self._database.transaction() as repositories:
            found = await repositories.organisations.list_all()
        return [
            organisation
            for organisation in found
            if (scope is None or organisation.id in scope)
            and may_contain(organisation.kind, OrganisationKind.SCHOOL)
        ]

    async def preview(
        self, parent_id: int, table: SchoolsTable, actor: Actor | None = None
    ) -> OrgImportPlan:
        """What ``apply`` would do now; reads a constant number of statements, writes nothing."""
        await self._check(actor, parent_id)
        async with self._database.transaction() as repositories:
            return await _plan(repositories, parent_id, table)

    async def apply(
        self, parent_id: int, table: SchoolsTable, actor: Actor | None = None
    ) -> OrgImportResult:
        """Load the list under the parent: one short write transaction, bulk statements."""
        await self._check(actor, parent_id)
        now = self._clock.now()
        async with self._database.transaction(immediate=True) as repositories:
            plan = await _plan(repositories, parent_id, table)
            parent = plan.parent
            new = [item for item in plan.schools if item.school is SchoolOutcome.NEW]
            created = await repositories.organisations.add_many(
                [item.row.name for item in new],
                kind=OrganisationKind.SCHOOL,
                timezone=parent.timezone,
                parent_id=parent.id,
                created_at=now,
            )
            created_ids = {organisation.name: organisation.id for organisation in created}
            school_ids = [
                item.organisation_id
                if item.organisation_id is not None
                else created_ids[item.row.name]
                for item in plan.schools
            ]
            await repositories.organisations.rename_many(
                {
                    item.organisation_id: item.row.name
                    for item in plan.schools
                    if item.school is SchoolOutcome.RENAMED and item.organisation_id is not None
                }
            )
            await _write_heads(repositories, plan.schools, school_ids, now)
        return OrgImportResult(plan, tuple(school_ids))

    async def _check(self, actor: Actor | None, parent_id: int) -> None:
        if actor is None:
            return
        scope = await organisation_scope(self._database, actor)
        if not may_import(actor) or (scope is not None and parent_id not in scope):
            raise AccessDenied("access.denied")


async def _plan(repositories: Repositories, parent_id: int, table: SchoolsTable) -> OrgImportPlan:
    parent = await repositories.organisations.get(parent_id)
    if parent is None:
        raise AccessDenied("access.denied")
    if not may_contain(parent.kind, OrganisationKind.SCHOOL):
        raise AccessDenied("orgs.import.wrong_parent")
    existing: dict[str, Organisation] = {}
    for child in await repositories.organisations.children_of(parent.id):
        if child.kind is OrganisationKind.SCHOOL:
            existing.setdefault(school_key(child.name), child)
    matched = [existing.get(row.key) for row in table.rows]
    school_ids = sorted({school.id for school in matched if school is not None})
    people: dict[int, list[Person]] = {}
    if school_ids:
        for person in await repositories.people.in_organisations(school_ids):
            if person.organisation_id is not None:
                people.setdefault(person.organisation_id, []).append(person)
    plans = tuple(
        _school_plan(row, school, people.get(school.id, []) if school else [])
        for row, school in zip(table.rows, matched, strict=True)
    )
    return OrgImportPlan(parent, plans, table.problems)


def _school_plan(row: SchoolRow, school: Organisation | None, staff: list[Person]) -> SchoolPlan:
    if school is None:
        head = HeadOutcome.NONE if row.head is None else HeadOutcome.NEW
        return SchoolPlan(row, SchoolOutcome.NEW, head, None, None)
    outcome = SchoolOutcome.SAME if school.name == row.name else SchoolOutcome.RENAMED
    if row.head is None:
        return SchoolPlan(row, outcome, HeadOutcome.NONE, school.id, None)
    same_name = sorted(
        (person for person in staff if person.name_key == row.head_key),
        key=lambda person: (not person.is_head, person.id),
    )
    person = same_name[0] if same_name else None
    if person is not None and person.is_head:
        head = HeadOutcome.UPDATED if _details_differ(person, row) else HeadOutcome.SAME
    elif any(other.is_head for other in staff):
        head = HeadOutcome.REPLACED
    else:
        head = HeadOutcome.NEW
    return SchoolPlan(row, outcome, head, school.id, person)


def _details_differ(person: Person, row: SchoolRow) -> bool:
    return _new_name(person, row) != person.full_name or (
        row.position is not None and person.position != row.position
    )


def _new_name(person: Person, row: SchoolRow) -> str:
    """The list's spelling when it says more ("Иванова Анна Петровна" for "Иванова А.П.")."""
    if row.head is not None and _letters(row.head) > _letters(person.full_name):
        return row.head
    return person.full_name


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


async def _write_heads(
    repositories: Repositories,
    plans: Sequence[SchoolPlan],
    school_ids: Sequence[int],
    now: datetime,
) -> None:
    """Old heads step down, then the list's heads take over: a few statements for all."""
    taking_over = [
        (plan, school_id)
        for plan, school_id in zip(plans, school_ids, strict=True)
        if plan.takes_over
    ]
    await repositories.people.clear_heads(
        [school_id for plan, school_id in taking_over if plan.head is HeadOutcome.REPLACED]
    )
    await repositories.people.make_heads(
        [plan.person.id for plan, _ in taking_over if plan.person is not None]
    )
    await repositories.people.set_names_and_positions(
        [details for plan in plans if (details := _new_details(plan)) is not None]
    )
    await repositories.people.add_heads(
        [
            head
            for plan, school_id in taking_over
            if (head := _new_head(plan, school_id)) is not None
        ],
        role=Role.EXECUTOR,
        created_at=now,
    )


def _new_details(plan: SchoolPlan) -> tuple[int, str, str | None] | None:
    """A head staying on whose name the list writes out or whose position it changes."""
    person, row = plan.person, plan.row
    if person is None or row.head is None or not _details_differ(person, row):
        return None
    return (person.id, _new_name(person, row), row.position or person.position)


def _new_head(plan: SchoolPlan, school_id: int) -> HeadFields | None:
    """The person to create for a head taking over who is not in the school yet."""
    if plan.person is not None or plan.row.head is None:
        return None
    return HeadFields(
        organisation_id=school_id,
        full_name=plan.row.head,
        name_key=plan.row.head_key or "",
        position=plan.row.position,
    )
