"""The tick in bulk, on SQLite and PostgreSQL, over HTTP to the fake Bot API: a crowded
morning goes as one message, results are written in batches, and the statements a tick sends
grow by at most one per due row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.i18n import create_i18n
from core.clock import ManualClock
from core.models import Role
from handlers.callbacks import TaskAction, TaskCallback
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from scheduler.pacing import Pacer
from scheduler.sender import Sender
from scheduler.tick import ReminderTick
from services.roadmaps import RoadmapService
from services.tasks import TaskService
from storage.database import Database
from storage.records import PlannedMessage, Task
from storage.repositories.outbox import SENT
from tests.fakebot import FakeBotAPI
from tests.sql_statements import count_statements

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
HEAD_CHAT = 7007


@dataclass
class World:
    database: Database
    clock: ManualClock
    api: FakeBotAPI
    bot: Bot
    tasks: list[Task]
    person_id: int

    def tick(self, *, group_over: int = 3, record_every: int = 32) -> ReminderTick:
        sender = Sender(self.bot, Pacer(global_per_second=1000, per_chat_interval=0.0))
        return ReminderTick(
            self.database,
            self.clock,
            TaskService(self.database, self.clock),
            sender,
            create_i18n(),
            group_over=group_over,
            record_every=record_every,
            record_seconds=3600,  # batches by count only: the test does not depend on speed
        )

    async def plan(self, rows: list[tuple[str, int, int | None, int]]) -> None:
        """(key, task id, person id, chat) rows, all due now."""
        now = self.clock.now()
        async with self.database.transaction() as repositories:
            await repositories.outbox.plan(
                [
                    PlannedMessage(
                        key=key,
                        kind="countdown",
                        task_id=task_id,
                        person_id=person_id,
                        chat_id=chat,
                        local_day=now.date(),
                        planned_at=now,
                    )
                    for key, task_id, person_id, chat in rows
                ],
                now,
            )


@pytest.fixture
async def world(database: Database, clock: ManualClock, api: FakeBotAPI) -> AsyncIterator[World]:
    roadmaps = RoadmapService(database, clock)
    school = await roadmaps.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")
    parsed = parse_roadmap(
        read_text((DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8"))
    )
    result = await roadmaps.apply(school.id, parsed, source_name="plan.txt", actor_telegram_id=1)
    async with database.transaction() as repositories:
        head = await repositories.people.add(
            full_name="Иванова И.И.",
            name_key="иванова и и",
            role=Role.EXECUTOR,
            created_at=clock.now(),
            organisation_id=school.id,
            telegram_user_id=HEAD_CHAT,
        )
        tasks = await repositories.tasks.in_roadmap(result.roadmap.id)
    bot = api.make_bot(default=DefaultBotProperties(parse_mode="HTML"))
    try:
        yield World(database, clock, api, bot, tasks, head.id)
    finally:
        await bot.session.close()


async def test_a_crowded_morning_goes_as_one_message_with_a_button_per_task(world: World) -> None:
    chosen = world.tasks[:5]
    await world.plan([(f"k{t.id}", t.id, world.person_id, HEAD_CHAT) for t in chosen])

    report = await world.tick(group_over=3).run()

    [message] = world.api.chats[HEAD_CHAT]
    assert "Задачи с напоминанием на сегодня: 5" in message.plain_text
    opened = {
        TaskCallback.unpack(data).task_id
        for row in message.buttons()
        for _text, data in row
        if data is not None and TaskCallback.unpack(data).action is TaskAction.OPEN
    }
    assert opened == {t.id for t in chosen}
    assert report.sent == 5 and sorted(report.keys) == sorted(f"k{t.id}" for t in chosen)
    async with world.database.transaction() as repositories:
        rows = [r for r in await repositories.outbox.all_rows() if r.key.startswith("k")]
    assert {(r.status, r.message_id) for r in rows} == {(SENT, message.message_id)}

    # A second tick (or a second instance) finds nothing left to send.
    again = await world.tick(group_over=3).run()
    assert again.claimed == 0 and len(world.api.chats[HEAD_CHAT]) == 1


async def test_at_the_threshold_each_reminder_is_its_own_card(world: World) -> None:
    chosen = world.tasks[:3]
    await world.plan([(f"k{t.id}", t.id, world.person_id, HEAD_CHAT) for t in chosen])

    report = await world.tick(group_over=3).run()

    messages = world.api.chats[HEAD_CHAT]
    assert len(messages) == 3 and report.sent == 3
    assert all(m.plain_text.startswith("🔔 Напоминание о сроке") for m in messages)
    # The card in brief, with its buttons and «Подробнее» for the whole card.
    assert all("🗓" in m.plain_text and "Подробнее" in str(m.buttons()) for m in messages)


async def test_a_long_list_is_capped_and_says_how_many_more(world: World) -> None:
    chosen = world.tasks[:23]
    assert len(chosen) == 23
    await world.plan([(f"k{t.id}", t.id, world.person_id, HEAD_CHAT) for t in chosen])

    await world.tick(group_over=3).run()

    [message] = world.api.chats[HEAD_CHAT]
    assert "…и ещё 3" in message.plain_text
    assert sum(len(row) for row in message.buttons()) == 20


async def _statements_of_a_tick(world: World, chats: range, record_every: int) -> int:
    """Each of four tasks to each of these chats; the tick's statements."""
    tasks = world.tasks[:4]
    await world.plan([(f"{chat}:{t.id}", t.id, None, chat) for chat in chats for t in tasks])
    tick = world.tick(group_over=1000, record_every=record_every)  # no grouping: a row a message
    with count_statements(world.database.engine) as statements:
        report = await tick.run()
    assert report.sent == len(chats) * len(tasks)
    return len(statements)


async def test_statements_grow_by_at_most_one_per_due_row(world: World) -> None:
    # Rendering a card is the views' (TaskService.cards_for_job: a fixed number of statements
    # however many tasks once bulk); the same four tasks in both runs keep it out of the growth.
    small = await _statements_of_a_tick(world, range(100, 110), record_every=32)
    large = await _statements_of_a_tick(world, range(200, 300), record_every=32)
    assert (large - small) / (400 - 40) <= 1.0, (small, large)
    assert large <= 400, (small, large)
    async with world.database.transaction() as repositories:
        rows = await repositories.outbox.all_rows()
    assert len(rows) == 440 and {row.status for row in rows} == {SENT}


async def test_results_are_written_a_batch_at_a_time(world: World) -> None:
    tasks = world.tasks[:8]
    await world.plan(
        [(f"{chat}:{t.id}", t.id, None, chat) for chat in range(300, 310) for t in tasks]
    )
    tick = world.tick(group_over=1000, record_every=16)
    with count_statements(world.database.engine) as statements:
        await tick.run()
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE OUTBOX SET STATUS=")]
    finishing = [s for s in updates if "sent_at=" in s]
    # 80 results written half of record_every at a time (the next half gathers meanwhile):
    # ten executemany writes, not eighty updates.
    assert len(finishing) == 80 // (16 // 2)
