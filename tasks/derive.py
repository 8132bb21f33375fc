"""Which tasks an activity gives: one per executor group and due date.

Several people named in one cell share one task (any of them may close it); a role group such
as "руководители ОО" fans out to one task per school head. The keys are stable, so deriving
again after a re-import finds the same tasks and keeps their status and history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from roadmap.responsible import abbreviation_key, body_key


@dataclass(frozen=True)
class AssigneeRef:
    kind: str  # "person" | "organisation" | "group"
    name: str
    person_id: int | None
    is_lead: bool


@dataclass(frozen=True)
class ExecutorGroup:
    key: str
    person_ids: tuple[int, ...]
    lead_id: int


@dataclass(frozen=True)
class PlannedTask:
    activity_id: int
    executor_key: str
    occurrence: int
    due_on: date
    person_ids: tuple[int, ...]
    lead_id: int


HeadsOf = Callable[[str], Sequence[int]]
MembersOf = Callable[[str], Sequence[int]]


@dataclass(frozen=True)
class Resolution:
    """Whom the names that are not people's resolve to, in one organisation's roadmaps: the
    heads of the schools below it (for «руководители ОО»), and the people a coordinator
    picked for a body or group («РМК», «рабочая группа»), by ``body_key``."""

    heads: tuple[int, ...] = ()
    bodies: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    headless: tuple[str, ...] = ()  # the schools below with no head: their share reaches nobody

    def members(self, name: str) -> tuple[int, ...]:
        """The people picked for this body, found by its name or by its abbreviation («РМК»
        for «районный методический кабинет», and the other way round)."""
        key = body_key(name)
        if key in self.bodies:
            return self.bodies[key]
        short = abbreviation_key(name)
        for known, people in self.bodies.items():
            if known == short or abbreviation_key(known) == key:
                return people
        return ()


def _no_members(name: str) -> Sequence[int]:
    return ()


def executor_groups(
    assignees: Sequence[AssigneeRef], heads_of: HeadsOf, members_of: MembersOf = _no_members
) -> list[ExecutorGroup]:
    """The named people share one task; each school head gets their own; a body or group
    with people picked for it gets one they share, as named people do."""
    groups: dict[str, ExecutorGroup] = {}
    named = _named_people(assignees)
    if named is not None:
        groups[named.key] = named
    for assignee in assignees:
        if assignee.kind == "person":
            continue
        for group in _groups_for(assignee, heads_of, members_of):
            groups.setdefault(group.key, group)
    return list(groups.values())


def _named_people(assignees: Sequence[AssigneeRef]) -> ExecutorGroup | None:
    named = [a.person_id for a in assignees if a.kind == "person" and a.person_id is not None]
    if not named:
        return None
    unique = tuple(dict.fromkeys(named))
    lead = next((a.person_id for a in assignees if a.is_lead and a.person_id is not None), None)
    return ExecutorGroup("people:" + ",".join(map(str, sorted(unique))), unique, lead or unique[0])


def _groups_for(
    assignee: AssigneeRef, heads_of: HeadsOf, members_of: MembersOf
) -> list[ExecutorGroup]:
    heads = heads_of(assignee.name) if assignee.kind == "group" else ()
    groups = [ExecutorGroup(f"head:{head_id}", (head_id,), head_id) for head_id in heads]
    members = tuple(dict.fromkeys(members_of(assignee.name)))
    if members:
        groups.append(ExecutorGroup("body:" + body_key(assignee.name), members, members[0]))
    return groups


def plan_tasks(
    activity_id: int, due_dates: Sequence[date], groups: Sequence[ExecutorGroup]
) -> list[PlannedTask]:
    return [
        PlannedTask(activity_id, group.key, occurrence, due, group.person_ids, group.lead_id)
        for group in groups
        for occurrence, due in enumerate(sorted(due_dates))
    ]
