"""Planning reminders into the outbox, and the rules a tick applies to what it claims.

The database is the truth: every reminder a task needs is a row under a stable key, so a
restart, a second instance or a re-import never sends one twice. Planning runs whenever a
task changes (import, done, moved); the tick only claims what is due.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.models import Role
from reminders.planner import (
    PlannedReminder,
    ReminderKind,
    ReminderSettings,
    WorkingCalendar,
    plan_task_reminders,
)
from roadmap.deadlines import DeadlineKind
from services.recipients import coordinator_chats
from storage.records import (
    Activity,
    Organisation,
    OutboxRow,
    Person,
    PlannedMessage,
    Roadmap,
    Task,
)
from storage.repositories import Repositories
from tasks.rules import TaskStatus, gets_reminders

# A reminder more than this late is stale: it goes into one "what you missed" message instead.
STALE_AFTER = timedelta(hours=12)
# A claim older than this belonged to an instance that stopped before it could send.
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 5
MISSED_KIND = "missed"
UNREACHABLE_KIND = "unreachable"


@dataclass(frozen=True)
class Planning:
    settings: ReminderSettings
    calendar: WorkingCalendar


def settings_for(base: ReminderSettings, organisation: Organisation | None) -> ReminderSettings:
    """The instance's reminder settings with this organisation's own days and morning."""
    if organisation is None:
        return base
    offsets = base.offsets_days
    if organisation.reminder_offsets:
        offsets = tuple(int(part) for part in organisation.reminder_offsets.split(","))
    morning = base.morning
    if organisation.reminder_time:
        morning = time.fromisoformat(organisation.reminder_time)
    return replace(base, offsets_days=offsets, morning=morning)


def _key(task_id: int, recipient: str, kind: str, day: object) -> str:
    return f"{task_id}:{recipient}:{kind}:{day}"


async def plan_reminders(
    repositories: Repositories,
    tasks: Sequence[Task],
    clock: Clock,
    planning: Planning,
    *,
    fresh: Collection[int] = (),
) -> int:
    """Re-plans the outbox rows of these tasks: open ones get theirs, others lose unsent ones.

    Everything the plan needs is read for all the tasks at once, in a fixed number of
    (chunked) queries, whatever their number. ``fresh``: ids of tasks just created, which
    have no rows to withdraw yet.
    """
    now = clock.now()
    open_tasks = [
        task for task in tasks if not task.is_cancelled and gets_reminders(TaskStatus(task.status))
    ]
    planned: list[PlannedMessage] = []
    if open_tasks:
        batch = await _Batch.load(repositories, open_tasks, planning.settings)
        planner = _Planner(repositories, planning, batch, now)
        for task in open_tasks:
            planned += await planner.messages(task)
    # Unsent rows of these tasks are dropped, then the plan revives the keys it still has
    # (plan() turns a cancelled key back to planned): two set-based steps, no list of keys.
    fresh = set(fresh)
    await repositories.outbox.cancel_planned([t.id for t in tasks if t.id not in fresh])
    await repositories.outbox.plan(planned, now)
    return len(planned)


# Who a reminder goes to: the part of its key naming them, the person (None for a
# coordinators' chat) and the chat.
_Recipient = tuple[str, int | None, int]


@dataclass(frozen=True)
class _Batch:
    """What planning a batch of open tasks reads, read once for all of them."""

    roadmaps: dict[int, Roadmap]
    activities: dict[int, Activity]
    executors: dict[int, list[int]]
    people: dict[int, Person]
    # Per organisation: its zone and its reminder settings.
    zones: dict[int, tuple[ZoneInfo, ReminderSettings]]

    @classmethod
    async def load(
        cls, repositories: Repositories, tasks: Sequence[Task], base: ReminderSettings
    ) -> _Batch:
        roadmaps = await repositories.roadmaps.by_ids([t.roadmap_id for t in tasks])
        activities = await repositories.activities.by_ids([t.activity_id for t in tasks])
        executors = await repositories.tasks.executors_of([t.id for t in tasks])
        people = await repositories.people.by_ids(
            [person_id for ids in executors.values() for person_id in ids]
        )
        zones: dict[int, tuple[ZoneInfo, ReminderSettings]] = {}
        for organisation_id in {r.organisation_id for r in roadmaps.values()}:
            organisation = await repositories.organisations.get(organisation_id)
            zones[organisation_id] = (
                ZoneInfo(organisation.timezone if organisation else "UTC"),
                settings_for(base, organisation),
            )
        return cls(roadmaps, activities, executors, people, zones)

    def recipients(self, task: Task) -> list[_Recipient]:
        """The task's executors who are active and have linked their chat."""
        return [
            (f"p{person.id}", person.id, person.account)
            for person in (self.people.get(person_id) for person_id in self.executors[task.id])
            if person is not None and person.is_active and person.account is not None
        ]


class _Planner:
    """The outbox rows of each task of one batch."""

    def __init__(
        self, repositories: Repositories, planning: Planning, batch: _Batch, now: datetime
    ) -> None:
        self._repositories = repositories
        self._calendar = planning.calendar
        self._batch = batch
        self._now = now
        # Fifty schools' tasks of one activity share a date: each plan is worked out once.
        self._plans: dict[tuple[int, date, bool, date | None], list[PlannedReminder]] = {}
        # Escalations go to the coordinators of the roadmap, looked up once per roadmap.
        self._coordinators: dict[int, list[_Recipient]] = {}

    async def messages(self, task: Task) -> list[PlannedMessage]:
        roadmap = self._batch.roadmaps.get(task.roadmap_id)
        activity = self._batch.activities.get(task.activity_id)
        if roadmap is None or activity is None:
            return []
        reminders = self._reminders(roadmap.organisation_id, task.due_on, activity)
        if not reminders:
            return []
        executors = self._batch.recipients(task)
        planned: list[PlannedMessage] = []
        for reminder in reminders:
            escalation = reminder.kind is ReminderKind.ESCALATION
            targets = await self._coordinators_of(roadmap) if escalation else executors
            planned.extend(
                PlannedMessage(
                    key=_key(task.id, recipient, reminder.kind.value, reminder.local_day),
                    kind=reminder.kind.value,
                    task_id=task.id,
                    person_id=person_id,
                    chat_id=chat_id,
                    local_day=reminder.local_day,
                    planned_at=reminder.at,
                )
                for recipient, person_id, chat_id in targets
            )
        return planned

    def _reminders(
        self, organisation_id: int, due: date, activity: Activity
    ) -> list[PlannedReminder]:
        continuous = activity.fields.deadline_kind == DeadlineKind.CONTINUOUS
        # Only a continuous task has a start reminders must wait for (its check-ins).
        start = activity.fields.deadline_start if continuous else None
        memo = (organisation_id, due, continuous, start)
        if memo not in self._plans:
            zone, settings = self._batch.zones[organisation_id]
            self._plans[memo] = [
                reminder
                for reminder in plan_task_reminders(
                    due, zone, settings, self._calendar, continuous=continuous, start=start
                )
                # Long past when planned: nothing to catch up on.
                if reminder.at >= self._now - STALE_AFTER
            ]
        return self._plans[memo]

    async def _coordinators_of(self, roadmap: Roadmap) -> list[_Recipient]:
        if roadmap.id not in self._coordinators:
            chats = await coordinator_chats(self._repositories, roadmap)
            self._coordinators[roadmap.id] = [(f"c{chat}", None, chat) for chat in chats]
        return self._coordinators[roadmap.id]


DIGEST_KIND = "digest"
SUMMARY_KIND = "summary"
# Digests are planned during the first hour after the morning; keys keep them to one a day.
DIGEST_WINDOW = timedelta(hours=1)


class SummaryCadence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


async def plan_digests(
    repositories: Repositories,
    clock: Clock,
    planning: Planning,
    cadence: SummaryCadence,
) -> int:
    """Monday's "На этой неделе" for each linked executor; a summary for each coordinator.

    Planned into the outbox like any reminder, so a restart or a second instance never sends
    one twice.
    """
    now = clock.now()
    planned: list[PlannedMessage] = []
    for organisation in await repositories.organisations.list_all():
        morning = settings_for(planning.settings, organisation).send_time
        local = now.astimezone(ZoneInfo(organisation.timezone))
        start = local.replace(hour=morning.hour, minute=morning.minute, second=0, microsecond=0)
        if not start <= local < start + DIGEST_WINDOW:
            continue
        today = local.date()
        if not planning.calendar.is_working(today):
            continue
        monday = today.weekday() == 0
        for person in await repositories.people.in_organisations([organisation.id]):
            if person.account is None or not person.is_active:
                continue
            if not person.is_reachable:
                continue
            if person.role is Role.COORDINATOR:
                wanted = cadence is SummaryCadence.DAILY or (
                    cadence is SummaryCadence.WEEKLY and monday
                )
                kind = SUMMARY_KIND
            else:
                wanted, kind = monday, DIGEST_KIND
            if wanted:
                planned.append(
                    PlannedMessage(
                        key=f"{kind}:{person.id}:{today}",
                        kind=kind,
                        task_id=None,
                        person_id=person.id,
                        chat_id=person.account,
                        local_day=today,
                        planned_at=now,
                    )
                )
    await repositories.outbox.plan(planned, now)
    return len(planned)


def is_stale(row: OutboxRow, now: datetime) -> bool:
    return now - row.planned_at > STALE_AFTER


def retry_moment(row: OutboxRow, now: datetime, retry_after: float | None) -> datetime | None:
    """When to try a row again, or None when it has had enough attempts."""
    if row.attempts >= MAX_ATTEMPTS:
        return None
    wait = max(retry_after or 0, 30 * 2 ** (row.attempts - 1))
    return now + timedelta(seconds=wait)


# Reminders of one person's morning that may go together as one message.
GROUPABLE_KINDS = frozenset(
    kind.value for kind in ReminderKind if kind is not ReminderKind.ESCALATION
)
DEFAULT_GROUP_OVER = 3


def group_due(rows: Sequence[OutboxRow], over: int) -> list[list[OutboxRow]]:
    """The rows a tick has in hand, as messages: each inner list goes as one message.

    More than ``over`` reminders to one person on one morning (or escalations to one
    coordinator on one day) go together, in one list; everything else goes alone. Messages keep
    the order of their first row, so a chat's messages keep theirs.
    """
    groups: dict[tuple[object, ...], list[OutboxRow]] = {}
    order: list[tuple[object, ...]] = []
    for row in rows:
        key: tuple[object, ...]
        if row.task_id is not None and row.kind in GROUPABLE_KINDS:
            key = ("reminders", row.chat_id, row.person_id, row.local_day)
        elif row.task_id is not None and row.kind == ReminderKind.ESCALATION.value:
            key = ("escalations", row.chat_id, row.local_day)
        else:
            key = ("alone", row.id)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(row)
    messages: list[list[OutboxRow]] = []
    for key in order:
        members = groups[key]
        if len(members) > over:
            messages.append(members)
        else:
            messages.extend([row] for row in members)
    return messages
