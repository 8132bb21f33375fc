"""The minute tick: claim due outbox rows, drop stale ones into one summary, send the rest.

A plain async function of the clock, so tests call it with a moved clock instead of waiting,
and APScheduler calls the same thing every minute.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from bot.i18n import CatalogI18n
from core.clock import Clock
from handlers import reminder_messages
from scheduler.sender import Delivery, OutgoingMessage, Sender
from services.access import Actor
from services.recipients import coordinator_chats
from services.reminders import (
    CLAIM_TIMEOUT,
    DIGEST_KIND,
    MISSED_KIND,
    SUMMARY_KIND,
    UNREACHABLE_KIND,
    Planning,
    SummaryCadence,
    is_stale,
    plan_digests,
    retry_moment,
)
from services.tasks import TaskCard, TaskService
from storage.database import Database
from storage.records import OutboxRow, Person, PlannedMessage
from storage.repositories import Repositories
from storage.repositories.outbox import BLOCKED, CANCELLED, FAILED, SENT
from tasks.rules import TaskStatus

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


class ReminderTick:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        tasks: TaskService,
        sender: Sender,
        i18n: CatalogI18n,
        *,
        batch: int = 8,
        planning: Planning | None = None,
        summaries: SummaryCadence = SummaryCadence.WEEKLY,
    ) -> None:
        self._planning = planning
        self._summaries = summaries
        # Rows are claimed, sent and recorded a batch at a time: a stop in the middle can
        # repeat at most one batch of messages Telegram took but the database never heard of.
        self._batch = batch
        self._database = database
        self._clock = clock
        self._tasks = tasks
        self._sender = sender
        self._i18n = i18n

    async def run(self) -> TickReport:
        report = TickReport()
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            if self._planning is not None:
                await plan_digests(repositories, self._clock, self._planning, self._summaries)
            released = await repositories.outbox.release_stale(now - CLAIM_TIMEOUT)
            if released:
                logger.warning("released %s claims left by a stopped instance", released)
        while True:
            async with self._database.transaction() as repositories:
                rows = await repositories.outbox.claim_due(now, self._batch)
            if not rows:
                return report
            report.claimed += len(rows)
            await self._handle(rows, report)

    async def _handle(self, rows: list[OutboxRow], report: TickReport) -> None:
        now = self._clock.now()
        fresh = [row for row in rows if not is_stale(row, now) or row.kind == MISSED_KIND]
        stale = [row for row in rows if row not in fresh]
        if stale:
            await self._summarise_missed(stale, report)
        messages: dict[str, tuple[OutboxRow, OutgoingMessage]] = {}
        for row in fresh:
            message = await self._render(row)
            if message is None:
                async with self._database.transaction() as repositories:
                    await repositories.outbox.finish(
                        row.id, CANCELLED, now, error="nothing to say"
                    )
                continue
            messages[row.key] = (row, message)
        results = await self._sender.send_all([message for _row, message in messages.values()])
        for result in results:
            row, _message = messages[result.key]
            await self._record(
                row, result.delivery, result.message_id, result.error, result.retry_after, report
            )

    async def _record(
        self,
        row: OutboxRow,
        delivery: Delivery,
        message_id: int | None,
        error: str | None,
        retry_after: float | None,
        report: TickReport,
    ) -> None:
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            if delivery is Delivery.SENT:
                await repositories.outbox.finish(row.id, SENT, now, message_id=message_id)
                report.sent += 1
                report.keys.append(row.key)
            elif delivery is Delivery.BLOCKED:
                await repositories.outbox.finish(row.id, BLOCKED, now, error=error)
                report.blocked += 1
                if row.person_id is not None:
                    await repositories.people.set_reachable(row.person_id, False)
                    await self._plan_unreachable_notice(repositories, row.person_id)
            elif delivery is Delivery.RETRY and (at := retry_moment(row, now, retry_after)):
                await repositories.outbox.retry_later(row.id, at, error)
                report.retried += 1
            else:
                await repositories.outbox.finish(row.id, FAILED, now, error=error)
                report.failed += 1
                logger.warning("outbox row %s failed: %s", row.key, error)

    async def _plan_unreachable_notice(self, repositories: Repositories, person_id: int) -> None:
        person = await repositories.people.get(person_id)
        if person is None or person.organisation_id is None:
            return
        roadmaps = await repositories.roadmaps.in_organisations([person.organisation_id])
        chats = await coordinator_chats(repositories, roadmaps[0]) if roadmaps else []
        now = self._clock.now()
        # Keyed by person and their Telegram id: told once, again only after a new link.
        await repositories.outbox.plan(
            [
                PlannedMessage(
                    key=f"{UNREACHABLE_KIND}:{person.id}:{person.telegram_user_id}:{chat}",
                    kind=UNREACHABLE_KIND,
                    task_id=None,
                    person_id=person.id,
                    chat_id=chat,
                    local_day=now.date(),
                    planned_at=now,
                )
                for chat in chats
            ],
            now,
        )

    async def _summarise_missed(self, rows: list[OutboxRow], report: TickReport) -> None:
        """Stale reminders are dropped; each person gets one message listing what they missed."""
        now = self._clock.now()
        by_chat: dict[tuple[int, int | None], list[int]] = defaultdict(list)
        async with self._database.transaction() as repositories:
            for row in rows:
                await repositories.outbox.finish(row.id, CANCELLED, now, error="stale")
                if row.task_id is not None and row.kind != "escalation":
                    by_chat[(row.chat_id, row.person_id)].append(row.task_id)
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

    async def _open_cards(self, task_ids: list[int]) -> list[TaskCard]:
        cards = []
        for task_id in dict.fromkeys(task_ids):
            card = await self._tasks.card_for_job(task_id)
            if card is not None and _still_open(card):
                cards.append(card)
        return cards

    async def _person(self, person_id: int | None) -> Person | None:
        if person_id is None:
            return None
        async with self._database.transaction() as repositories:
            return await repositories.people.get(person_id)

    async def _render(self, row: OutboxRow) -> OutgoingMessage | None:
        person = await self._person(row.person_id)
        with self._i18n.speaking(person.language_code if person else None):
            if row.kind == UNREACHABLE_KIND:
                if person is None:
                    return None
                return OutgoingMessage(row.key, row.chat_id, reminder_messages.unreachable(person))
            if row.kind in (DIGEST_KIND, SUMMARY_KIND) and person is not None:
                return await self._digest(row, person)
            if row.kind == MISSED_KIND:
                cards = await self._open_cards(list((row.payload or {}).get("tasks", [])))
                if not cards:
                    return None
                return OutgoingMessage(row.key, row.chat_id, reminder_messages.missed(cards))
            if row.task_id is None or (person is not None and not person.is_reachable):
                return None  # a person who blocked the bot is not knocked on daily
            card = await self._tasks.card_for_job(row.task_id)
            if card is None or not _still_open(card):
                return None
            if row.kind == "escalation":
                text, markup = reminder_messages.escalation(card)
            else:
                text, markup = reminder_messages.reminder(row.kind, card, person)
            return OutgoingMessage(row.key, row.chat_id, text, markup)


def _still_open(card: TaskCard) -> bool:
    return not card.task.is_cancelled and card.status is not TaskStatus.DONE
