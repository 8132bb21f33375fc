"""The minute tick: claim due outbox rows, drop stale ones into one summary, send the rest.

A plain async function of the clock, so tests call it with a moved clock instead of waiting,
and APScheduler calls the same thing every minute.

The tick is a pipe: the sender asks for more rows whenever its queue runs low, the tick claims
a batch (and the other due rows of the same chats, so a person's morning is in hand at once),
renders it in bulk and hands it over, and results are written back in batches as sends
complete. The database hears of a batch of results at a time: a stop in the middle can repeat
at most ``record_every`` messages Telegram took plus the ``concurrency`` in flight.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.i18n import CatalogI18n
from core.clock import Clock
from handlers import notices, reminder_messages
from handlers.reports import more_keyboard, report_caption
from reminders.planner import ReminderKind
from scheduler.sender import Delivery, OutgoingMessage, Sender, SendResult
from services.access import AccessDenied, Actor
from services.instances import Lease
from services.notices import NoticeKind, is_notice
from services.personal_data import ACT_KIND
from services.recipients import coordinator_chats
from services.reminders import (
    CLAIM_TIMEOUT,
    DEFAULT_GROUP_OVER,
    DIGEST_KIND,
    MISSED_KIND,
    SUMMARY_KIND,
    UNREACHABLE_KIND,
    Planning,
    SummaryCadence,
    group_due,
    is_stale,
    plan_digests,
    retry_moment,
)
from services.reports import (
    REPORT_KIND,
    ReportService,
    plan_reports,
    planned_period,
    report_stem,
)
from services.tasks import TaskCard, TaskService
from storage.database import Database
from storage.records import OutboxRow, Person, PlannedMessage
from storage.repositories import Repositories
from storage.repositories.outbox import BLOCKED, CANCELLED, FAILED, SENT, Finished, Retry
from tasks.rules import is_open

logger = logging.getLogger(__name__)


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    stale: int = 0
    blocked: int = 0
    retried: int = 0
    failed: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass
class _Outcome:
    row: OutboxRow
    delivery: Delivery | None  # None: nothing to say (the task is done, the person gone)
    message_id: int | None = None
    error: str | None = None
    retry_after: float | None = None


class _Recorder:
    """Results on their way to the database, written in batches of half of ``every``.

    A batch is written while the next one gathers, so sending goes on during a write. Only
    when ``every`` results wait unwritten (the write is slower than the sends) does a sender
    worker adding one wait, and so send nothing: what Telegram took and the database has not
    heard of stays under ``every`` plus the sends in flight.
    """

    def __init__(self, tick: ReminderTick, report: TickReport, every: int, seconds: float):
        self._tick = tick
        self._report = report
        self._every = every
        self._seconds = seconds
        self._pending: list[_Outcome] = []
        self._since = 0.0
        self._writing = 0  # results in the write under way (0: none)
        self._changed = asyncio.Condition()

    async def add(self, outcomes: Sequence[_Outcome]) -> None:
        async with self._changed:
            await self._changed.wait_for(
                lambda: not self._writing or self._writing + len(self._pending) < self._every
            )
            if not self._pending:
                self._since = time.monotonic()
            self._pending.extend(outcomes)
            due = (
                2 * len(self._pending) >= self._every
                or time.monotonic() - self._since >= self._seconds
            )
            batch = self._take() if due and not self._writing else []
        await self._write(batch)

    async def flush(self) -> bool:
        """Writes everything pending; whether there was anything."""
        async with self._changed:
            await self._changed.wait_for(lambda: not self._writing)
            batch = self._take()
        await self._write(batch)
        return bool(batch)

    def _take(self) -> list[_Outcome]:
        batch, self._pending = self._pending, []
        self._writing = len(batch)
        return batch

    async def _write(self, batch: list[_Outcome]) -> None:
        if not batch:
            return
        try:
            await self._tick._record(batch, self._report)
        finally:
            async with self._changed:
                self._writing = 0
                self._changed.notify_all()


class ReminderTick:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        tasks: TaskService,
        sender: Sender,
        i18n: CatalogI18n,
        *,
        batch: int = 100,
        record_every: int = 32,
        record_seconds: float = 1.0,
        group_over: int = DEFAULT_GROUP_OVER,
        planning: Planning | None = None,
        summaries: SummaryCadence = SummaryCadence.WEEKLY,
        reports: ReportService | None = None,
        acts_dir: Path | None = None,
        lease: Lease | None = None,
    ) -> None:
        if batch < 1 or record_every < 1 or group_over < 1:
            raise ValueError("batch, record_every and group_over must be at least 1")
        self._planning = planning
        self._summaries = summaries
        # Rows are claimed ``batch`` at a time whenever the sender runs low (Sender.stream: at
        # most 4 batches wait), so claims stay far younger than CLAIM_TIMEOUT and the sender
        # always has chats to choose from.
        self._batch = batch
        # Results go to the database half of ``record_every`` at a time (or after
        # ``record_seconds``): a stop in the middle repeats fewer than ``record_every``
        # messages, plus those in flight.
        self._record_every = record_every
        self._record_seconds = record_seconds
        self._group_over = group_over
        self._database = database
        self._clock = clock
        self._tasks = tasks
        self._sender = sender
        self._i18n = i18n
        self._reports = reports
        self._acts_dir = acts_dir
        # Several instances: only the one holding this sends, at Telegram's overall rate.
        self._lease = lease
        # When a whole tick (not only notices) last started here: /healthz shows it.
        self.last_run: datetime | None = None

    async def run(self, kinds: Collection[str] | None = None) -> TickReport:
        """Sends what is due; ``kinds``: only rows of these kinds (notices the moment they are
        planned), without the minute's own planning and clean-up."""
        report = TickReport()
        now = self._clock.now()
        if kinds is None:
            self.last_run = now
        if not await self._sending_here():
            return report
        if kinds is None:
            await self._plan_and_release(now)
        recorder = _Recorder(self, report, self._record_every, self._record_seconds)
        # Which rows each message stands for (a grouped message: many), by the message's key.
        rows_of: dict[str, list[OutboxRow]] = {}

        heard_all = asyncio.Event()  # every message handed over has its result recorded

        async def feed() -> list[OutgoingMessage]:
            while True:
                if not await self._sending_here():
                    return []  # another instance took over the sending
                rows = await self._claim(now, kinds)
                if not rows:
                    # Results still to come may plan more for now (a blocked person's
                    # coordinators are told): hear them all, then look once more.
                    if rows_of:
                        await heard_all.wait()
                    if await recorder.flush():
                        rows = await self._claim(now, kinds)
                if not rows:
                    return []
                report.claimed += len(rows)
                messages = await self._prepare(rows, report, recorder, rows_of)
                if messages:
                    heard_all.clear()
                    return messages

        async def on_result(message: OutgoingMessage, result: SendResult) -> None:
            rows = rows_of.pop(message.key, [])
            await recorder.add(
                [
                    _Outcome(
                        row, result.delivery, result.message_id, result.error, result.retry_after
                    )
                    for row in rows
                ]
            )
            if not rows_of:
                heard_all.set()

        try:
            await self._sender.stream(feed, on_result, low_water=self._batch)
        finally:
            await recorder.flush()
        return report

    async def _sending_here(self) -> bool:
        """This instance sends (it holds the sender lease, or runs alone); renews the lease.

        Only the holder claims rows: on taking the lease over, every claim left is the previous
        holder's, which stopped renewing (killed, or this instance's own earlier run). They go
        back to be sent now, not after CLAIM_TIMEOUT."""
        if self._lease is None:
            return True
        if not await self._lease.take():
            return False
        if self._lease.just_taken:
            async with self._database.transaction() as repositories:
                released = await repositories.outbox.release_stale(self._clock.now())
            if released:
                logger.warning("released %s claims of an instance that stopped sending", released)
        return True

    async def _plan_and_release(self, now: datetime) -> None:
        async with self._database.transaction() as repositories:
            if self._planning is not None:
                await plan_digests(repositories, self._clock, self._planning, self._summaries)
                if self._reports is not None:
                    await plan_reports(repositories, self._clock, self._planning)
            released = await repositories.outbox.release_stale(now - CLAIM_TIMEOUT)
            if released:
                logger.warning("released %s claims left by a stopped instance", released)

    async def _claim(self, now: datetime, kinds: Collection[str] | None) -> list[OutboxRow]:
        """A batch of due rows, with the other due rows of the same chats."""
        async with self._database.transaction(immediate=True) as repositories:
            rows = await repositories.outbox.claim_due(now, self._batch, kinds)
            if rows:
                rows += await repositories.outbox.claim_due_in_chats(
                    now, [row.chat_id for row in rows], 10 * self._batch, kinds
                )
        return rows

    async def _prepare(
        self,
        rows: list[OutboxRow],
        report: TickReport,
        recorder: _Recorder,
        rows_of: dict[str, list[OutboxRow]],
    ) -> list[OutgoingMessage]:
        """The claimed rows as messages; stale ones summarised, silent ones cancelled."""
        rows = await self._without_stale(rows, report)
        context = await self._context(rows)
        silent = [row for row in rows if context.says_nothing(row)]
        wanted = [row for row in rows if not context.says_nothing(row)]
        messages: list[OutgoingMessage] = []
        for group in group_due(wanted, self._group_over):
            with self._i18n.speaking(context.language_of(group[0].chat_id)):
                message = await self._message(group, context)
            if message is None:
                silent.extend(group)
                continue
            rows_of[message.key] = group
            messages.append(message)
        if silent:
            await recorder.add([_Outcome(row, None, error="nothing to say") for row in silent])
        return messages

    async def _without_stale(self, rows: list[OutboxRow], report: TickReport) -> list[OutboxRow]:
        """Reminders too late to help go into one summary instead (the summary itself and
        notices of what people did go however late)."""
        now = self._clock.now()
        stale = {row.id for row in rows if _may_go_stale(row) and is_stale(row, now)}
        if not stale:
            return rows
        await self._summarise_missed([row for row in rows if row.id in stale], report)
        return [row for row in rows if row.id not in stale]

    async def _context(self, rows: list[OutboxRow]) -> _Context:
        """What the rows' messages need, read for all of them at once."""
        task_ids = [row.task_id for row in rows if row.task_id is not None]
        task_ids += [
            task_id
            for row in rows
            if row.kind == MISSED_KIND
            for task_id in (row.payload or {}).get("tasks", [])
        ]
        cards = await self._tasks.cards_for_job(task_ids) if task_ids else {}
        async with self._database.transaction() as repositories:
            people = await repositories.people.by_ids(
                [row.person_id for row in rows if row.person_id is not None]
            )
            recipients = await repositories.people.by_accounts([row.chat_id for row in rows])
        return _Context(cards, people, recipients)

    async def _message(self, group: list[OutboxRow], context: _Context) -> OutgoingMessage | None:
        if len(group) > 1:
            return self._grouped(group, context.cards)
        row = group[0]
        if is_notice(row.kind):
            return self._notice(row, context)
        person = context.people.get(row.person_id) if row.person_id is not None else None
        return await self._render(row, person, context.cards)

    @staticmethod
    def _notice(row: OutboxRow, context: _Context) -> OutgoingMessage | None:
        kind = NoticeKind(row.kind)
        card = context.cards.get(row.task_id) if row.task_id is not None else None
        if kind is NoticeKind.TASK_NUDGE:
            card = _open_card(context.cards, row.task_id)
        found = notices.render(kind, row.payload or {}, card, context.recipients.get(row.chat_id))
        if found is None:
            return None
        text, markup = found
        return OutgoingMessage(row.key, row.chat_id, text, markup)

    def _grouped(self, rows: list[OutboxRow], cards: dict[int, TaskCard]) -> OutgoingMessage:
        found = [_open_card(cards, row.task_id) for row in rows]
        listed = list({card.task.id: card for card in found if card is not None}.values())
        if rows[0].kind == ReminderKind.ESCALATION:
            text, markup = reminder_messages.grouped_escalations(listed)
        else:
            text, markup = reminder_messages.grouped_reminders(listed)
        # The first row's key names the message: unique, and the same on a retry.
        return OutgoingMessage(f"group:{rows[0].key}", rows[0].chat_id, text, markup)

    async def _record(self, outcomes: Sequence[_Outcome], report: TickReport) -> None:
        now = self._clock.now()
        finished: list[Finished] = []
        retries: list[Retry] = []
        blocked: list[int] = []  # chats
        for outcome in outcomes:
            row, error = outcome.row, outcome.error
            if outcome.delivery is Delivery.SENT:
                finished.append(Finished(row.id, SENT, message_id=outcome.message_id))
                report.sent += 1
                report.keys.append(row.key)
            elif outcome.delivery is Delivery.BLOCKED:
                finished.append(Finished(row.id, BLOCKED, error=error))
                report.blocked += 1
                blocked.append(row.chat_id)
            elif outcome.delivery is None:
                finished.append(Finished(row.id, CANCELLED, error=error))
            elif outcome.delivery is Delivery.RETRY and (
                at := retry_moment(row, now, outcome.retry_after)
            ):
                retries.append(Retry(row.id, at, error))
                report.retried += 1
            else:
                finished.append(Finished(row.id, FAILED, error=error))
                report.failed += 1
                logger.warning("outbox row %s failed: %s", row.key, error)
        async with self._database.transaction(immediate=True) as repositories:
            await repositories.outbox.finish_many(finished, now)
            await repositories.outbox.retry_many(retries)
            if blocked:
                # Whatever the message was, its recipient blocked the bot: marked once here.
                unreachable = await repositories.people.set_unreachable(blocked)
                await self._plan_unreachable_notices(repositories, unreachable, now)

    async def _plan_unreachable_notices(
        self, repositories: Repositories, person_ids: list[int], now: datetime
    ) -> None:
        people = await repositories.people.by_ids(person_ids)
        chats_of: dict[int, list[int]] = {}
        planned: list[PlannedMessage] = []
        for person in people.values():
            organisation_id = person.organisation_id
            if organisation_id is None:
                continue
            if organisation_id not in chats_of:
                roadmaps = await repositories.roadmaps.in_organisations([organisation_id])
                chats_of[organisation_id] = (
                    await coordinator_chats(repositories, roadmaps[0]) if roadmaps else []
                )
            # Keyed by person and their account: told once, again only after a new link.
            planned += [
                PlannedMessage(
                    key=f"{UNREACHABLE_KIND}:{person.id}:{person.account}:{chat}",
                    kind=UNREACHABLE_KIND,
                    task_id=None,
                    person_id=person.id,  # whom it is about; the chat says who reads it
                    chat_id=chat,
                    local_day=now.date(),
                    planned_at=now,
                )
                for chat in chats_of[organisation_id]
            ]
        await repositories.outbox.plan(planned, now)

    async def _summarise_missed(self, rows: list[OutboxRow], report: TickReport) -> None:
        """Stale reminders are dropped; each person gets one message listing what they missed."""
        now = self._clock.now()
        by_chat: dict[tuple[int, int | None], list[int]] = defaultdict(list)
        for row in rows:
            if row.task_id is not None and row.kind != ReminderKind.ESCALATION:
                by_chat[(row.chat_id, row.person_id)].append(row.task_id)
        async with self._database.transaction(immediate=True) as repositories:
            await repositories.outbox.finish_many(
                [Finished(row.id, CANCELLED, error="stale") for row in rows], now
            )
            await repositories.outbox.plan(
                [
                    PlannedMessage(
                        key=f"{MISSED_KIND}:{chat}:{now.date()}",
                        kind=MISSED_KIND,
                        task_id=None,
                        person_id=person_id,
                        chat_id=chat,
                        local_day=now.date(),
                        planned_at=now,
                        payload={"tasks": sorted(set(task_ids))},
                    )
                    for (chat, person_id), task_ids in by_chat.items()
                ],
                now,
            )
        report.stale += len(rows)

    async def _digest(self, row: OutboxRow, person: Person) -> OutgoingMessage | None:
        viewer = Actor(row.chat_id, person, is_admin=False)
        if row.kind == SUMMARY_KIND:
            overview = await self._tasks.overview(viewer, details=False)
            if not overview.has_tasks:
                return None
            return OutgoingMessage(row.key, row.chat_id, reminder_messages.summary(overview))
        week_end = row.local_day + timedelta(days=6 - row.local_day.weekday())
        page = await self._tasks.open_tasks(
            viewer, until=week_end, size=reminder_messages.DIGEST_SHOWN
        )
        if not page.total:
            return None
        return OutgoingMessage(row.key, row.chat_id, reminder_messages.digest(page))

    async def _report(self, row: OutboxRow, person: Person) -> OutgoingMessage | None:
        """The period's execution report as a DOCX, with its totals and a button for the
        XLSX; nothing when this coordinator may no longer see the roadmap."""
        if self._reports is None:
            return None
        roadmap_id, period = planned_period(row.payload or {})
        viewer = Actor(row.chat_id, person, is_admin=False)
        try:
            report = await self._reports.execution_report(viewer, roadmap_id, period=period)
        except AccessDenied:
            return None
        translate = self._i18n.translator(self._i18n.current_locale)
        files = await self._reports.files(report, translate, report_stem(roadmap_id, report.at))
        return OutgoingMessage(
            row.key,
            row.chat_id,
            report_caption(report),
            more_keyboard(roadmap_id),
            document=(f"{files.stem}.docx", files.docx),
        )

    def _act(self, row: OutboxRow) -> OutgoingMessage | None:
        """An act of destruction, as its file; nothing when the file is gone."""
        name = Path(str((row.payload or {}).get("file", ""))).name
        path = self._acts_dir / name if self._acts_dir is not None and name else None
        if path is None or not path.is_file():
            return None
        return OutgoingMessage(
            row.key,
            row.chat_id,
            self._i18n.gettext("retention.act.caption"),
            document=(name, path.read_bytes()),
        )

    async def _render(
        self, row: OutboxRow, person: Person | None, cards: dict[int, TaskCard]
    ) -> OutgoingMessage | None:
        if row.kind == REPORT_KIND:
            return await self._report(row, person) if person is not None else None
        if row.kind == ACT_KIND:
            return self._act(row)
        if row.kind == UNREACHABLE_KIND:
            if person is None:
                return None
            return OutgoingMessage(row.key, row.chat_id, reminder_messages.unreachable(person))
        if row.kind in (DIGEST_KIND, SUMMARY_KIND) and person is not None:
            return await self._digest(row, person)
        if row.kind == MISSED_KIND:
            task_ids = dict.fromkeys((row.payload or {}).get("tasks", []))
            found = [_open_card(cards, task_id) for task_id in task_ids]
            listed = [card for card in found if card is not None]
            if not listed:
                return None
            return OutgoingMessage(row.key, row.chat_id, reminder_messages.missed(listed))
        card = _open_card(cards, row.task_id)
        if card is None:
            return None
        if row.kind == ReminderKind.ESCALATION:
            text, markup = reminder_messages.escalation(card)
        else:
            text, markup = reminder_messages.reminder(row.kind, card, person)
        return OutgoingMessage(row.key, row.chat_id, text, markup)


# Kinds that are about a task still open: a task done (or cancelled) meanwhile says nothing.
_ABOUT_AN_OPEN_TASK = frozenset(kind.value for kind in ReminderKind) | {NoticeKind.TASK_NUDGE}


def _may_go_stale(row: OutboxRow) -> bool:
    return row.kind != MISSED_KIND and not is_notice(row.kind)


@dataclass(frozen=True)
class _Context:
    """What a batch of rows needs to be worded, read for all of them at once."""

    cards: dict[int, TaskCard]
    people: dict[int, Person]  # by id: whom a row is about
    recipients: dict[int, Person]  # by Telegram id (a private chat's id): who reads it

    def language_of(self, chat_id: int) -> str | None:
        recipient = self.recipients.get(chat_id)
        return recipient.language_code if recipient else None

    def says_nothing(self, row: OutboxRow) -> bool:
        """A person who blocked the bot is not knocked on; a done task needs no reminding."""
        recipient = self.recipients.get(row.chat_id)
        if recipient is not None and not recipient.is_reachable:
            return True
        return row.kind in _ABOUT_AN_OPEN_TASK and _open_card(self.cards, row.task_id) is None


def _open_card(cards: dict[int, TaskCard], task_id: int | None) -> TaskCard | None:
    card = cards.get(task_id) if task_id is not None else None
    if card is None or card.task.is_cancelled or not is_open(card.status):
        return None
    return card
