"""Tasks: derived from imported activities, closed by executors, decided by coordinators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.models import OrganisationKind, Role
from services.access import AccessDenied, Actor, organisation_scope
from services.people import is_heads_of_schools
from services.recipients import coordinator_chats
from services.reminders import Planning, plan_reminders
from storage.database import Database
from storage.records import (
    Activity,
    Evidence,
    Person,
    Postponement,
    Roadmap,
    Task,
    TaskEvent,
)
from storage.repositories import Repositories
from tasks.derive import AssigneeRef, executor_groups, plan_tasks
from tasks.rules import (
    PostponementProblem,
    PostponementStatus,
    TaskStatus,
    may_undo,
    postponement_problem,
)


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    cancelled: int


async def sync_tasks(
    repositories: Repositories,
    roadmap: Roadmap,
    clock: Clock,
    planning: Planning | None = None,
) -> SyncResult:
    """Brings a roadmap's tasks in line with its activities, keeping status and history."""
    now = clock.now()
    activities = await repositories.activities.in_roadmap(roadmap.id)
    parents = {a.parent_id for a in activities if a.parent_id is not None}
    leaves = [a for a in activities if a.id not in parents]
    assignees = await repositories.activities.assignees_of([a.id for a in leaves])
    below = set(await repositories.organisations.descendant_ids(roadmap.organisation_id))
    schools = [
        o.id
        for o in await repositories.organisations.list_all()
        if o.id in below and o.kind is OrganisationKind.SCHOOL
    ]
    heads = [p.id for p in await repositories.people.heads_in(schools)] if schools else []

    def heads_of(group_name: str) -> list[int]:
        return heads if is_heads_of_schools(group_name) else []

    planned = []
    for activity in leaves:
        refs = [
            AssigneeRef(a.fields.kind, a.fields.name, a.fields.person_id, a.fields.is_lead)
            for a in assignees.get(activity.id, [])
        ]
        groups = executor_groups(refs, heads_of)
        planned.extend(plan_tasks(activity.id, activity.fields.deadline_due, groups))
    existing = {
        (task.activity_id, task.executor_key, task.occurrence): task
        for task in await repositories.tasks.in_roadmap(roadmap.id)
    }
    created = updated = 0
    for plan in planned:
        task = existing.pop((plan.activity_id, plan.executor_key, plan.occurrence), None)
        if task is None:
            task_id = await repositories.tasks.add(
                activity_id=plan.activity_id,
                roadmap_id=roadmap.id,
                executor_key=plan.executor_key,
                occurrence=plan.occurrence,
                due_on=plan.due_on,
                status=TaskStatus.PENDING.value,
                now=now,
            )
            created += 1
        else:
            task_id = task.id
            # A new date in the file wins; an approved postponement of the same plan stays.
            due_on = task.due_on if plan.due_on == task.planned_due_on else plan.due_on
            if task.is_cancelled or due_on != task.due_on or plan.due_on != task.planned_due_on:
                updated += 1
            await repositories.tasks.replan(task_id, due_on=due_on, planned_due_on=plan.due_on)
        await repositories.tasks.set_executors(task_id, plan.person_ids, plan.lead_id)
    cancelled = 0
    for task in existing.values():
        if not task.is_cancelled:
            await repositories.tasks.cancel(task.id)
            await repositories.tasks.record(
                task.id, event="cancelled", now=now, actor_person_id=None, actor_telegram_id=None
            )
            cancelled += 1
    if planning is not None:
        await plan_reminders(
            repositories, await repositories.tasks.in_roadmap(roadmap.id), clock, planning
        )
    return SyncResult(created, updated, cancelled)


@dataclass(frozen=True)
class TaskCard:
    task: Task
    activity: Activity
    parent: Activity | None
    roadmap: Roadmap
    executors: tuple[Person, ...]
    evidence: tuple[Evidence, ...]
    events: tuple[TaskEvent, ...]
    today: date
    zone: ZoneInfo

    @property
    def status(self) -> TaskStatus:
        return TaskStatus(self.task.status)

    def is_executor(self, actor: Actor) -> bool:
        return actor.person is not None and any(p.id == actor.person.id for p in self.executors)


@dataclass(frozen=True)
class Outcome:
    """What changed, and whom to tell (Telegram ids of linked, reachable people)."""

    card: TaskCard
    notify: tuple[int, ...] = ()
    postponement: Postponement | None = None


class TaskService:
    def __init__(self, database: Database, clock: Clock, planning: Planning | None = None) -> None:
        self._database = database
        self._clock = clock
        self._planning = planning

    async def _replan(self, repositories: Repositories, task_id: int) -> None:
        """Reminders follow the task: done or stuck stops them, a new date moves them."""
        task = await repositories.tasks.get(task_id)
        if self._planning is not None and task is not None:
            await plan_reminders(repositories, [task], self._clock, self._planning)

    async def _card(self, repositories: Repositories, task: Task) -> TaskCard:
        activity = await repositories.activities.get(task.activity_id)
        roadmap = await repositories.roadmaps.get(task.roadmap_id)
        assert activity is not None and roadmap is not None
        parent = (
            await repositories.activities.get(activity.parent_id)
            if activity.parent_id is not None
            else None
        )
        organisation = await repositories.organisations.get(roadmap.organisation_id)
        zone = ZoneInfo(organisation.timezone if organisation else "UTC")
        executor_ids = (await repositories.tasks.executors_of([task.id]))[task.id]
        executors = [await repositories.people.get(person_id) for person_id in executor_ids]
        return TaskCard(
            task=task,
            activity=activity,
            parent=parent,
            roadmap=roadmap,
            executors=tuple(p for p in executors if p is not None),
            evidence=tuple(await repositories.tasks.evidence(task.id)),
            events=tuple(await repositories.tasks.events(task.id)),
            today=self._clock.now().astimezone(zone).date(),
            zone=zone,
        )

    async def _load(
        self, repositories: Repositories, actor: Actor, task_id: int, *, executor: bool
    ) -> TaskCard:
        """The task's card if this actor may see it (or act on it, with executor=True)."""
        task = await repositories.tasks.get(task_id)
        if task is None or task.is_cancelled:
            raise AccessDenied("tasks.gone")
        card = await self._card(repositories, task)
        if card.is_executor(actor):
            return card
        if executor:
            raise AccessDenied("tasks.not_yours")
        scope = await organisation_scope(self._database, actor)
        if actor.role in (Role.ADMIN, Role.COORDINATOR, Role.OBSERVER) and (
            scope is None or card.roadmap.organisation_id in scope
        ):
            return card
        raise AccessDenied("tasks.not_yours")

    async def card_for_job(self, task_id: int) -> TaskCard | None:
        """For the scheduler, which acts for nobody in particular: no access check."""
        async with self._database.transaction() as repositories:
            task = await repositories.tasks.get(task_id)
            return None if task is None else await self._card(repositories, task)

    async def card(self, actor: Actor, task_id: int) -> TaskCard:
        async with self._database.transaction() as repositories:
            return await self._load(repositories, actor, task_id, executor=False)

    async def my_open_tasks(self, actor: Actor) -> list[TaskCard]:
        if actor.person is None:
            return []
        async with self._database.transaction() as repositories:
            found = await repositories.tasks.of_person(actor.person.id)
            return [
                await self._card(repositories, task)
                for task in found
                if TaskStatus(task.status) is not TaskStatus.DONE
            ]

    async def _change(
        self,
        actor: Actor,
        task_id: int,
        status: TaskStatus,
        event: str,
        details: dict[str, object] | None = None,
        *,
        tell_coordinators: bool,
        tell_executors: bool = False,
    ) -> Outcome:
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=True)
            person_id = actor.person.id if actor.person else None
            await repositories.tasks.set_status(
                task_id, status.value, now, done_by_person_id=person_id
            )
            await self._replan(repositories, task_id)
            await repositories.tasks.record(
                task_id,
                event=event,
                now=now,
                actor_person_id=person_id,
                actor_telegram_id=actor.telegram_user_id,
                details=dict(details or {}),
            )
            notify = (
                list(await coordinator_chats(repositories, card.roadmap))
                if tell_coordinators
                else []
            )
            if tell_executors:
                notify += [
                    p.telegram_user_id
                    for p in card.executors
                    if p.telegram_user_id is not None and p.id != person_id and p.is_reachable
                ]
            task = await repositories.tasks.get(task_id)
            assert task is not None
            fresh = await self._card(repositories, task)
        return Outcome(
            fresh, tuple(dict.fromkeys(i for i in notify if i != actor.telegram_user_id))
        )

    async def mark_done(self, actor: Actor, task_id: int) -> Outcome:
        return await self._change(
            actor, task_id, TaskStatus.DONE, "done", tell_coordinators=True, tell_executors=True
        )

    async def mark_in_progress(self, actor: Actor, task_id: int) -> Outcome:
        return await self._change(
            actor, task_id, TaskStatus.IN_PROGRESS, "in_progress", tell_coordinators=False
        )

    async def cannot_do(self, actor: Actor, task_id: int, reason: str) -> Outcome:
        if not reason.strip():
            raise AccessDenied("tasks.reason_empty")
        return await self._change(
            actor,
            task_id,
            TaskStatus.CANNOT_DO,
            "cannot_do",
            {"reason": reason.strip()},
            tell_coordinators=True,
        )

    async def undo_done(self, actor: Actor, task_id: int) -> Outcome:
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=True)
        if not may_undo(card.status, card.task.done_at, self._clock.now()):
            raise AccessDenied("tasks.undo_too_late")
        return await self._change(
            actor, task_id, TaskStatus.PENDING, "undone", tell_coordinators=False
        )

    async def add_evidence(
        self, actor: Actor, task_id: int, kind: str, value: str, file_name: str | None = None
    ) -> TaskCard:
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            await self._load(repositories, actor, task_id, executor=True)
            person_id = actor.person.id if actor.person else None
            await repositories.tasks.add_evidence(
                task_id, kind=kind, value=value, file_name=file_name, person_id=person_id, now=now
            )
            await repositories.tasks.record(
                task_id,
                event="evidence",
                now=now,
                actor_person_id=person_id,
                actor_telegram_id=actor.telegram_user_id,
                details={"kind": kind},
            )
            task = await repositories.tasks.get(task_id)
            assert task is not None
            return await self._card(repositories, task)

    async def request_postponement(
        self, actor: Actor, task_id: int, new_due: date, reason: str
    ) -> Outcome:
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=True)
            problem = postponement_problem(card.task.due_on, new_due, card.today, reason)
            if problem is not None:
                raise AccessDenied(f"tasks.postpone.{problem.value}")
            person_id = actor.person.id if actor.person else None
            postponement = await repositories.tasks.add_postponement(
                task_id,
                person_id=person_id,
                from_due_on=card.task.due_on,
                new_due_on=new_due,
                reason=reason.strip(),
                now=now,
            )
            await repositories.tasks.record(
                task_id,
                event="postpone_requested",
                now=now,
                actor_person_id=person_id,
                actor_telegram_id=actor.telegram_user_id,
                details={"to": new_due.isoformat(), "reason": reason.strip()},
            )
            notify = await coordinator_chats(repositories, card.roadmap)
        return Outcome(card, tuple(notify), postponement)

    def check_new_due(self, card: TaskCard, new_due: date) -> PostponementProblem | None:
        return postponement_problem(card.task.due_on, new_due, card.today)

    async def decide_postponement(
        self, actor: Actor, postponement_id: int, approve: bool, reason: str | None = None
    ) -> Outcome:
        """A coordinator's answer; the executors are told. Two answers: the first counts."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            postponement = await repositories.tasks.postponement(postponement_id)
            if postponement is None:
                raise AccessDenied("tasks.gone")
            card = await self._load(repositories, actor, postponement.task_id, executor=False)
            if actor.role not in (Role.ADMIN, Role.COORDINATOR):
                raise AccessDenied("access.denied")
            status = PostponementStatus.APPROVED if approve else PostponementStatus.REJECTED
            decided = await repositories.tasks.decide(
                postponement_id,
                status=status.value,
                telegram_id=actor.telegram_user_id,
                reason=reason,
                now=now,
            )
            if not decided:
                raise AccessDenied("tasks.postpone.already_decided")
            if approve:
                await repositories.tasks.set_due(postponement.task_id, postponement.new_due_on)
                await self._replan(repositories, postponement.task_id)
            await repositories.tasks.record(
                postponement.task_id,
                event="postpone_approved" if approve else "postpone_rejected",
                now=now,
                actor_person_id=actor.person.id if actor.person else None,
                actor_telegram_id=actor.telegram_user_id,
                details={"to": postponement.new_due_on.isoformat(), "reason": reason or ""},
            )
            task = await repositories.tasks.get(postponement.task_id)
            assert task is not None
            fresh = await self._card(repositories, task)
            decided_postponement = await repositories.tasks.postponement(postponement_id)
        notify = tuple(
            p.telegram_user_id for p in card.executors if p.telegram_user_id is not None
        )
        return Outcome(fresh, notify, decided_postponement)

    async def check_can_decide(self, actor: Actor, postponement_id: int) -> None:
        """Raises unless this actor may answer this still-open request."""
        async with self._database.transaction() as repositories:
            postponement = await repositories.tasks.postponement(postponement_id)
            if postponement is None:
                raise AccessDenied("tasks.gone")
            await self._load(repositories, actor, postponement.task_id, executor=False)
        if actor.role not in (Role.ADMIN, Role.COORDINATOR):
            raise AccessDenied("access.denied")
        if postponement.status != PostponementStatus.PENDING.value:
            raise AccessDenied("tasks.postpone.already_decided")

    async def remind(self, actor: Actor, task_id: int) -> Outcome:
        """A coordinator's nudge: the executors get the task card again."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=False)
            if actor.role not in (Role.ADMIN, Role.COORDINATOR):
                raise AccessDenied("access.denied")
            await repositories.tasks.record(
                task_id,
                event="reminded",
                now=now,
                actor_person_id=actor.person.id if actor.person else None,
                actor_telegram_id=actor.telegram_user_id,
            )
        notify = tuple(
            p.telegram_user_id
            for p in card.executors
            if p.telegram_user_id is not None and p.is_reachable
        )
        return Outcome(card, notify)

    async def undelivered(self, roadmap_ids: Sequence[int]) -> int:
        async with self._database.transaction() as repositories:
            return await repositories.outbox.failed_in_roadmaps(roadmap_ids)

    async def overview(self, actor: Actor) -> list[tuple[Roadmap, list[TaskCard]]]:
        """Every roadmap this person sees, with all its live tasks (for /status)."""
        scope = await organisation_scope(self._database, actor)
        async with self._database.transaction() as repositories:
            if scope is None:
                scope = [o.id for o in await repositories.organisations.list_all()]
            result = []
            for roadmap in await repositories.roadmaps.in_organisations(scope):
                found = await repositories.tasks.in_roadmaps([roadmap.id])
                result.append((roadmap, [await self._card(repositories, t) for t in found]))
            return result

    async def cards_for_job(self, task_ids: Sequence[int]) -> dict[int, TaskCard]:
        """The cards of these tasks for the scheduler (no access check), by task id."""
        # bulk version comes from the views branch
        cards = {}
        for task_id in dict.fromkeys(task_ids):
            card = await self.card_for_job(task_id)
            if card is not None:
                cards[task_id] = card
        return cards


def executor_names(people: Sequence[Person]) -> str:
    return ", ".join(person.full_name for person in people)
