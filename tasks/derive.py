"""Which tasks an activity gives: one per executor group and due date.

Several people named in one cell share one task (any of them may close it); a role group such
as "руководители ОО" fans out to one task per school head. The keys are stable, so deriving
again after a re-import finds the same tasks and keeps their status and history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date


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


def executor_groups(assignees: Sequence[AssigneeRef], heads_of: HeadsOf) -> list[ExecutorGroup]:
    named = [a.person_id for a in assignees if a.kind == "person" and a.person_id is not None]
    groups: list[ExecutorGroup] = []
    if named:
        unique = tuple(dict.fromkeys(named))
        lead = next(
            (a.person_id for a in assignees if a.is_lead and a.person_id is not None), unique[0]
        )
        groups.append(ExecutorGroup("people:" + ",".join(map(str, sorted(unique))), unique, lead))
    for assignee in assignees:
        if assignee.kind != "group":
            continue
        for head_id in heads_of(assignee.name):
            key = f"head:{head_id}"
            if all(group.key != key for group in groups):
                groups.append(ExecutorGroup(key, (head_id,), head_id))
    return groups


def plan_tasks(
    activity_id: int, due_dates: Sequence[date], groups: Sequence[ExecutorGroup]
) -> list[PlannedTask]:
    return [
        PlannedTask(activity_id, group.key, occurrence, due, group.person_ids, group.lead_id)
        for group in groups
        for occurrence, due in enumerate(sorted(due_dates))
    ]
