"""Tasks: derived from imported activities, closed by executors, decided by coordinators."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.dates import format_day
from core.models import OrganisationKind
from services.access import AccessDenied, Actor, Permission, allows, organisation_scope
from services.notices import NoticeBell, NoticeKind, plan_notices
from services.people import is_heads_of_schools
from services.recipients import coordinator_chats
from services.reminders import Planning, plan_reminders
from storage.database import Database
from storage.records import (
    Activity,
    AssigneeFields,
    Evidence,
    Person,
    Postponement,
    Roadmap,
    Task,
    TaskEvent,
)
from storage.repositories import Repositories
from storage.repositories.task_views import ProgressCounts as ProgressCounts
from storage.repositories.tasks import NewTask
from tasks.derive import AssigneeRef, PlannedTask, Resolution, executor_groups, plan_tasks
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


async def heads_below(
    repositories: Repositories, organisation_id: int
) -> tuple[list[int], list[str]]:
    """Heads of the schools at or below an organisation (whom «Руководители ОО» fans out to),
    and the names of those schools that have none."""
    below = set(await repositories.organisations.descendant_ids(organisation_id))
    schools = [
        o
        for o in await repositories.organisations.list_all()
        if o.id in below and o.kind is OrganisationKind.SCHOOL
    ]
    if not schools:
        return [], []
    heads = await repositories.people.heads_in([school.id for school in schools])
    headed = {head.organisation_id for head in heads}
    return [p.id for p in heads], [s.name for s in schools if s.id not in headed]


async def resolution_for(repositories: Repositories, organisation_id: int) -> Resolution:
    """Whom an organisation's roadmaps reach beyond named people: the heads of its schools,
    and the people picked for bodies there or above it (the nearest organisation's pick
    wins)."""
    chain = await repositories.organisations.ancestor_ids(organisation_id)
    picked = await repositories.responsibles.in_organisations(chain)
    bodies: dict[str, tuple[int, ...]] = {}
    for organisation in chain:  # the organisation first, then those above it
        for key, people in picked.get(organisation, {}).items():
            bodies.setdefault(key, people)
    heads, headless = await heads_below(repositories, organisation_id)
    return Resolution(tuple(heads), bodies, tuple(headless))


def derive_tasks(
    activities: Sequence[Activity],
    assignees: Mapping[int, Sequence[AssigneeFields]],
    resolution: Resolution,
    with_steps: Collection[int] = (),
) -> list[PlannedTask]:
    """The tasks these activities should have; an activity with live steps has none itself."""

    def heads_of(group_name: str) -> Sequence[int]:
        return resolution.heads if is_heads_of_schools(group_name) else []

    planned: list[PlannedTask] = []
    for activity in activities:
        if activity.is_removed or activity.id in with_steps:
            continue
        refs = [
            AssigneeRef(a.kind, a.name, a.person_id, a.is_lead)
            for a in assignees.get(activity.id, ())
        ]
        groups = executor_groups(refs, heads_of, resolution.members)
        planned.extend(plan_tasks(activity.id, activity.fields.deadline_due, groups))
    return planned


@dataclass(frozen=True)
class TaskChanges:
    create: tuple[PlannedTask, ...]
    # task id -> (due_on, planned_due_on) for kept tasks whose dates or cancellation change
    replan: dict[int, tuple[date, date]]
    cancel: tuple[int, ...]
    # every kept task with the executors it should have: task id -> (person ids, lead id)
    executors: dict[int, tuple[tuple[int, ...], int]]

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.replan or self.cancel)


def task_changes(planned: Sequence[PlannedTask], existing: Sequence[Task]) -> TaskChanges:
    """What brings the stored tasks in line with the planned ones, keeping status and history."""
    stored = {(t.activity_id, t.executor_key, t.occurrence): t for t in existing}
    create: list[PlannedTask] = []
    replan: dict[int, tuple[date, date]] = {}
    executors: dict[int, tuple[tuple[int, ...], int]] = {}
    for plan in planned:
        task = stored.pop((plan.activity_id, plan.executor_key, plan.occurrence), None)
        if task is None:
            create.append(plan)
            continue
        executors[task.id] = (plan.person_ids, plan.lead_id)
        # A new date in the file wins; an approved postponement of the same plan stays.
        due_on = task.due_on if plan.due_on == task.planned_due_on else plan.due_on
        if task.is_cancelled or due_on != task.due_on or plan.due_on != task.planned_due_on:
            replan[task.id] = (due_on, plan.due_on)
    cancel = tuple(task.id for task in stored.values() if not task.is_cancelled)
    return TaskChanges(tuple(create), replan, cancel, executors)


async def sync_tasks(
    repositories: Repositories,
    roadmap: Roadmap,
    clock: Clock,
    planning: Planning | None = None,
    *,
    activity_ids: Collection[int] | None = None,
    resolution: Resolution | None = None,
) -> SyncResult:
    """Brings a roadmap's tasks in line with its activities, keeping status and history.

    ``activity_ids`` restricts the work to those activities (a removed one among them loses
    its tasks); their tasks' reminders are re-planned, no others. ``resolution``: whom the
    roadmap's bodies and groups reach, when the caller has it already. Set-based: a fixed
    number of (chunked) statements, whatever the number of tasks.
    """
    now = clock.now()
    scope = _SyncScope(roadmap.id, None if activity_ids is None else sorted(set(activity_ids)))
    activities, assignees, existing, with_steps = await scope.read(repositories)
    if resolution is None:
        resolution = await resolution_for(repositories, roadmap.organisation_id)
    changes = task_changes(derive_tasks(activities, assignees, resolution, with_steps), existing)
    new_ids = await repositories.tasks.add_many(
        roadmap.id,
        [NewTask(p.activity_id, p.executor_key, p.occurrence, p.due_on) for p in changes.create],
        status=TaskStatus.PENDING.value,
        now=now,
    )
    await repositories.tasks.replan_many(changes.replan)
    stored = await repositories.tasks.executors_of(list(changes.executors))
    await repositories.tasks.set_executors_many(_executors_to_set(changes, stored, new_ids))
    await repositories.tasks.cancel_many(changes.cancel)
    await repositories.tasks.record_many(changes.cancel, event="cancelled", now=now)
    if planning is not None:
        tasks = await scope.tasks(repositories)
        await plan_reminders(repositories, tasks, clock, planning, fresh=new_ids)
    return SyncResult(len(changes.create), len(changes.replan), len(changes.cancel))


@dataclass(frozen=True)
class _SyncScope:
    """What sync_tasks brings in line: a whole roadmap, or some of its activities."""

    roadmap_id: int
    activity_ids: list[int] | None  # sorted, distinct; None: the whole roadmap

    async def read(
        self, repositories: Repositories
    ) -> tuple[list[Activity], dict[int, list[AssigneeFields]], list[Task], Collection[int]]:
        """The live activities, their assignees, their tasks, and those with live steps."""
        if self.activity_ids is None:
            activities = await repositories.activities.in_roadmap(self.roadmap_id)
            assignees = await repositories.activities.assignees_in_roadmap(self.roadmap_id)
            existing = await repositories.tasks.in_roadmap(self.roadmap_id)
            with_steps = {a.parent_id for a in activities if a.parent_id is not None}
        else:
            found = await repositories.activities.by_ids(self.activity_ids)
            activities = [a for a in found.values() if a.roadmap_id == self.roadmap_id]
            assignees = await repositories.activities.assignees_of(self.activity_ids)
            existing = await repositories.tasks.of_activities(self.activity_ids)
            with_steps = await repositories.activities.with_live_steps(self.activity_ids)
        fields = {key: [a.fields for a in value] for key, value in assignees.items()}
        return activities, fields, existing, with_steps

    async def tasks(self, repositories: Repositories) -> list[Task]:
        """Its tasks as they are now, to plan their reminders."""
        if self.activity_ids is None:
            return await repositories.tasks.in_roadmap(self.roadmap_id)
        return await repositories.tasks.of_activities(self.activity_ids)


def _executors_to_set(
    changes: TaskChanges, stored: Mapping[int, list[int]], new_ids: Sequence[int]
) -> dict[int, tuple[tuple[int, ...], int]]:
    """The new tasks' executors, and those of kept tasks whose people or lead changed."""
    executors = {
        task_id: (person_ids, lead_id)
        for task_id, (person_ids, lead_id) in changes.executors.items()
        if set(stored[task_id]) != set(person_ids) or stored[task_id][:1] != [lead_id]
    }
    executors.update(
        (task_id, (plan.person_ids, plan.lead_id))
        for task_id, plan in zip(new_ids, changes.create, strict=True)
    )
    return executors


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
    """What changed, and who is told (Telegram ids: the notices are in the outbox)."""

    card: TaskCard
    notify: tuple[int, ...] = ()
    postponement: Postponement | None = None


@dataclass(frozen=True)
class RoadmapProgress:
    roadmap: Roadmap
    counts: ProgressCounts
    sections: tuple[tuple[str, ProgressCounts], ...] = ()  # in document order
    executors: tuple[tuple[str, ProgressCounts], ...] = ()  # lead executors, by name
    unreached: int = 0  # rows whose names reach nobody (a body nobody answers for, …)


@dataclass(frozen=True)
class Overview:
    """What /status and the coordinator's summary show."""

    roadmaps: tuple[RoadmapProgress, ...]
    overdue: tuple[TaskCard, ...] = ()  # the first ones
    overdue_total: int = 0
    recent: tuple[TaskCard, ...] = ()  # the latest done
    # Requests to move a date waiting for a coordinator, the oldest first, with their tasks.
    postponements: tuple[tuple[Postponement, TaskCard], ...] = ()
    postponements_total: int = 0
    cannot: tuple[TaskCard, ...] = ()  # «не может быть выполнено», the first by date

    @property
    def has_tasks(self) -> bool:
        return any(item.counts.total for item in self.roadmaps)


@dataclass(frozen=True)
class TaskPage:
    cards: tuple[TaskCard, ...]
    total: int
    page: int  # 0-based, clamped into range
    pages: int


class TaskService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        planning: Planning | None = None,
        bell: NoticeBell | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._planning = planning
        self._bell = bell or NoticeBell()

    def _told(self, outcome: Outcome) -> Outcome:
        """After the commit: notices planned go now rather than at the next tick."""
        if outcome.notify:
            self._bell.ring()
        return outcome

    async def _replan(self, repositories: Repositories, task_id: int) -> None:
        """Reminders follow the task: done or stuck stops them, a new date moves them."""
        task = await repositories.tasks.get(task_id)
        if self._planning is not None and task is not None:
            await plan_reminders(repositories, [task], self._clock, self._planning)

    async def _card(self, repositories: Repositories, task: Task) -> TaskCard:
        return (await self._cards(repositories, [task.id]))[task.id]

    async def _cards(
        self, repositories: Repositories, task_ids: Sequence[int]
    ) -> dict[int, TaskCard]:
        """Cards of these tasks (those that exist) in four statements, however many there are."""
        ids = list(dict.fromkeys(task_ids))
        rows = await repositories.task_views.card_rows(ids)
        found = [row.task.id for row in rows]
        executors = await repositories.task_views.executors_of(found)
        evidence = await repositories.task_views.evidence_of(found)
        events = await repositories.task_views.events_of(found)
        now = self._clock.now()
        zones = {row.timezone: ZoneInfo(row.timezone) for row in rows}
        today = {name: now.astimezone(zone).date() for name, zone in zones.items()}
        return {
            row.task.id: TaskCard(
                task=row.task,
                activity=row.activity,
                parent=row.parent,
                roadmap=row.roadmap,
                executors=tuple(executors[row.task.id]),
                evidence=tuple(evidence[row.task.id]),
                events=tuple(events[row.task.id]),
                today=today[row.timezone],
                zone=zones[row.timezone],
            )
            for row in rows
        }

    async def _load(
        self, repositories: Repositories, actor: Actor, task_id: int, *, executor: bool
    ) -> TaskCard:
        """The task's card if this actor may see it (or act on it, with executor=True)."""
        card = (await self._cards(repositories, [task_id])).get(task_id)
        if card is None or card.task.is_cancelled:
            raise AccessDenied("tasks.gone")
        if card.is_executor(actor):
            return card
        if executor:
            raise AccessDenied("tasks.not_yours")
        scope = await organisation_scope(self._database, actor)
        if allows(Permission.VIEW, actor) and (
            scope is None or card.roadmap.organisation_id in scope
        ):
            return card
        raise AccessDenied("tasks.not_yours")

    async def card_for_job(self, task_id: int) -> TaskCard | None:
        """For the scheduler, which acts for nobody in particular: no access check."""
        return (await self.cards_for_job([task_id])).get(task_id)

    async def cards_for_job(self, task_ids: Sequence[int]) -> dict[int, TaskCard]:
        """Cards of many tasks at once (cancelled ones included), for the scheduler."""
        async with self._database.transaction() as repositories:
            return await self._cards(repositories, task_ids)

    async def card(self, actor: Actor, task_id: int) -> TaskCard:
        async with self._database.transaction() as repositories:
            return await self._load(repositories, actor, task_id, executor=False)

    async def my_open_tasks(self, actor: Actor) -> list[TaskCard]:
        """Every live task of this person not yet done, by date."""
        if actor.person is None:
            return []
        async with self._database.transaction() as repositories:
            ids = await repositories.task_views.open_ids(actor.person.id)
            cards = await self._cards(repositories, ids)
        return [cards[task_id] for task_id in ids if task_id in cards]

    async def open_tasks(
        self, actor: Actor, *, size: int, page: int = 0, until: date | None = None
    ) -> TaskPage:
        """A page of this person's open tasks by date (due by `until` if given), and the total."""
        if actor.person is None:
            return TaskPage((), 0, 0, 1)
        async with self._database.transaction() as repositories:
            views = repositories.task_views
            total = await views.open_count(actor.person.id, until=until)
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            ids = await views.open_ids(
                actor.person.id, until=until, offset=page * size, limit=size
            )
            cards = await self._cards(repositories, ids)
        return TaskPage(tuple(cards[i] for i in ids if i in cards), total, page, pages)

    async def _change(
        self,
        actor: Actor,
        task_id: int,
        status: TaskStatus,
        event: str,
        details: dict[str, str] | None = None,
        *,
        notice: NoticeKind | None = None,
        tell_executors: bool = False,
    ) -> Outcome:
        """Sets the status and records why; ``notice``: the coordinators (and, with
        ``tell_executors``, the other executors) are told, with ``details`` in the notice."""
        now = self._clock.now()
        # Immediate: on SQLite this read-then-write must not meet another writer halfway.
        async with self._database.transaction(immediate=True) as repositories:
            card = await self._load(repositories, actor, task_id, executor=True)
            person_id = actor.person.id if actor.person else None
            if card.status is status or not await repositories.tasks.set_status(
                task_id, status.value, now, done_by_person_id=person_id, was=card.status.value
            ):
                # Already so, or someone changed it meanwhile (another executor, or the same
                # press twice, on another instance): that stands; this press changes nothing
                # and tells nobody.
                task = await repositories.tasks.get(task_id)
                assert task is not None
                return Outcome(await self._card(repositories, task))
            await self._replan(repositories, task_id)
            await repositories.tasks.record(
                task_id,
                event=event,
                now=now,
                actor_person_id=person_id,
                actor_telegram_id=actor.telegram_user_id,
                details=dict(details or {}),
            )
            task = await repositories.tasks.get(task_id)
            assert task is not None
            fresh = await self._card(repositories, task)
            notify: tuple[int, ...] = ()
            if notice is not None:
                chats = list(await coordinator_chats(repositories, card.roadmap))
                if tell_executors:
                    chats += [
                        p.account
                        for p in card.executors
                        if p.account is not None and p.id != person_id and p.is_reachable
                    ]
                notify = await plan_notices(
                    repositories,
                    notice,
                    (chat for chat in chats if chat not in actor.accounts),
                    now,
                    task_id=task_id,
                    payload={"who": _who(actor), **(details or {}), **_evidence_of(notice, fresh)},
                )
        return self._told(Outcome(fresh, notify))

    async def mark_done(self, actor: Actor, task_id: int) -> Outcome:
        return await self._change(
            actor,
            task_id,
            TaskStatus.DONE,
            "done",
            notice=NoticeKind.TASK_DONE,
            tell_executors=True,
        )

    async def mark_in_progress(self, actor: Actor, task_id: int) -> Outcome:
        return await self._change(actor, task_id, TaskStatus.IN_PROGRESS, "in_progress")

    async def cannot_do(self, actor: Actor, task_id: int, reason: str) -> Outcome:
        if not reason.strip():
            raise AccessDenied("tasks.reason_empty")
        return await self._change(
            actor,
            task_id,
            TaskStatus.CANNOT_DO,
            "cannot_do",
            {"reason": reason.strip()},
            notice=NoticeKind.TASK_CANNOT,
        )

    async def undo_done(self, actor: Actor, task_id: int) -> Outcome:
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=True)
        if not may_undo(card.status, card.task.done_at, self._clock.now()):
            raise AccessDenied("tasks.undo_too_late")
        # Those told of «выполнено» hear that it was taken back.
        return await self._change(
            actor,
            task_id,
            TaskStatus.PENDING,
            "undone",
            notice=NoticeKind.TASK_UNDONE,
            tell_executors=True,
        )

    async def add_evidence(
        self,
        actor: Actor,
        task_id: int,
        kind: str,
        value: str,
        file_name: str | None = None,
        comment: str | None = None,
    ) -> TaskCard:
        """A report on the task; ``comment``: words sent with a file or photo (its caption),
        kept as a comment beside it."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            await self._load(repositories, actor, task_id, executor=True)
            person_id = actor.person.id if actor.person else None
            await repositories.tasks.add_evidence(
                task_id, kind=kind, value=value, file_name=file_name, person_id=person_id, now=now
            )
            if comment and comment.strip():
                await repositories.tasks.add_evidence(
                    task_id,
                    kind="comment",
                    value=comment.strip()[:EVIDENCE_COMMENT_LIMIT],
                    file_name=None,
                    person_id=person_id,
                    now=now,
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
                raise AccessDenied(
                    f"tasks.postpone.{problem.value}", due=format_day(card.task.due_on)
                )
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
            notify = await plan_notices(
                repositories,
                NoticeKind.POSTPONE_ASKED,
                await coordinator_chats(repositories, card.roadmap),
                now,
                task_id=task_id,
                payload={
                    "who": _who(actor),
                    "old": postponement.from_due_on.isoformat(),
                    "new": new_due.isoformat(),
                    "reason": reason.strip(),
                    "postponement_id": postponement.id,
                },
            )
        return self._told(Outcome(card, notify, postponement))

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
            if not allows(Permission.MANAGE, actor):
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
            notify = await plan_notices(
                repositories,
                NoticeKind.POSTPONE_APPROVED if approve else NoticeKind.POSTPONE_REJECTED,
                (p.account for p in card.executors if p.account is not None),
                now,
                task_id=postponement.task_id,
                payload={"new": postponement.new_due_on.isoformat(), "reason": reason or ""},
            )
        return self._told(Outcome(fresh, notify, decided_postponement))

    async def check_can_decide(self, actor: Actor, postponement_id: int) -> None:
        """Raises unless this actor may answer this still-open request."""
        async with self._database.transaction() as repositories:
            postponement = await repositories.tasks.postponement(postponement_id)
            if postponement is None:
                raise AccessDenied("tasks.gone")
            await self._load(repositories, actor, postponement.task_id, executor=False)
        if not allows(Permission.MANAGE, actor):
            raise AccessDenied("access.denied")
        if postponement.status != PostponementStatus.PENDING.value:
            raise AccessDenied("tasks.postpone.already_decided")

    async def remind(self, actor: Actor, task_id: int) -> Outcome:
        """A coordinator's nudge: the executors get the task card again."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            card = await self._load(repositories, actor, task_id, executor=False)
            if not allows(Permission.MANAGE, actor):
                raise AccessDenied("access.denied")
            await repositories.tasks.record(
                task_id,
                event="reminded",
                now=now,
                actor_person_id=actor.person.id if actor.person else None,
                actor_telegram_id=actor.telegram_user_id,
            )
            notify = await plan_notices(
                repositories,
                NoticeKind.TASK_NUDGE,
                (p.account for p in card.executors if p.account is not None and p.is_reachable),
                now,
                task_id=task_id,
                payload={},
            )
        return self._told(Outcome(card, notify))

    async def undelivered(self, roadmap_ids: Sequence[int]) -> int:
        async with self._database.transaction() as repositories:
            return await repositories.outbox.failed_in_roadmaps(roadmap_ids)

    async def overview(
        self,
        actor: Actor,
        *,
        details: bool = True,
        overdue_shown: int = 10,
        recent_shown: int = 5,
    ) -> Overview:
        """Every roadmap this person sees with its progress counted (for /status and summaries).

        With details, also by section and by lead executor, the first overdue tasks and the
        latest done; a fixed number of statements whatever the number of tasks.
        """
        scope = await organisation_scope(self._database, actor)
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            views = repositories.task_views
            found = await views.roadmaps_in(scope)
            ids = [item.roadmap.id for item in found]
            today = {
                name: now.astimezone(ZoneInfo(name)).date()
                for name in {item.timezone for item in found}
            }
            counts = await views.progress(ids, today)
            if not details:
                return Overview(
                    tuple(RoadmapProgress(i.roadmap, counts[i.roadmap.id]) for i in found)
                )
            unreached = await views.unreached(ids)
            sections = await views.progress_by_section(ids, today)
            leads = await views.progress_by_lead(ids, today)
            overdue_ids = await views.overdue_ids(ids, today, overdue_shown)
            recent_ids = await views.recently_done_ids(ids, recent_shown)
            asked, asked_total = await views.pending_postponements(ids, overdue_shown)
            cannot_ids = await views.cannot_ids(ids, overdue_shown)
            cards = await self._cards(
                repositories,
                [*overdue_ids, *recent_ids, *cannot_ids, *(p.task_id for p in asked)],
            )
        return Overview(
            roadmaps=tuple(
                RoadmapProgress(
                    item.roadmap,
                    counts[item.roadmap.id],
                    tuple(sections[item.roadmap.id]),
                    tuple(leads[item.roadmap.id]),
                    unreached[item.roadmap.id],
                )
                for item in found
            ),
            overdue=tuple(cards[i] for i in overdue_ids if i in cards),
            overdue_total=sum(counted.overdue for counted in counts.values()),
            recent=tuple(cards[i] for i in recent_ids if i in cards),
            postponements=tuple((p, cards[p.task_id]) for p in asked if p.task_id in cards),
            postponements_total=asked_total,
            cannot=tuple(cards[i] for i in cannot_ids if i in cards),
        )


# A comment is a few lines from a phone: longer text is cut, not refused.
EVIDENCE_COMMENT_LIMIT = 2000


def _who(actor: Actor) -> str:
    """The actor as a notice names them."""
    return actor.person.full_name if actor.person else str(actor.telegram_user_id)


def _evidence_of(notice: NoticeKind, card: TaskCard) -> dict[str, str]:
    """The latest report on a task, for a «выполнено» notice (nothing when there is none)."""
    if notice is not NoticeKind.TASK_DONE or not card.evidence:
        return {}
    last = card.evidence[-1]
    files = [item for item in card.evidence if item.kind != "comment"]
    main = files[-1] if files and last.kind == "comment" else last
    found = {"evidence_kind": main.kind, "evidence": main.file_name or main.value}
    if last is not main:  # words sent with the file, kept beside it
        found["comment"] = last.value
    return found


def executor_names(people: Sequence[Person]) -> str:
    return ", ".join(person.full_name for person in people)
