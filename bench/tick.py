"""Benchmark: the real reminder tick (claim → render → send → record) against a fake Bot API.

    .venv/bin/python -m bench.tick [--rows 400] [--chats 59] [--limit 30] [--rate 29]
                                   [--cpu-rows 10000] [--skip-old]

1. **Pipe.** ``--rows`` due reminders over ``--chats`` private chats (each chat's rows planned
   together, the hard order) go through a real ``ReminderTick`` with the real ``Sender`` and
   ``Pacer(global_per_second=rate)``, over HTTP to a fake Bot API that answers 429 to any
   sendMessage beyond ``--limit`` in a rolling second. Grouping is off (each row its own card),
   so rows = messages. Printed: delivered messages/s, the ratio to ``--limit``, the 429s.
   Baselines from the same run: the bare ``Sender.send_all`` of the same messages (the pipe
   without a database), and unless ``--skip-old`` the old tick's pattern (``send_all`` over
   batches of 8 as claimed) on the first 100 rows.
2. **CPU.** ``--cpu-rows`` due rows through the whole tick with pacing off (a Pacer at
   100,000/s, no per-chat interval, no server limit): CPU seconds of the process and SQL
   statements per row, those of ``TaskService.cards_for_job`` (card rendering) counted apart.
   Baseline: the bare sender sending the same messages (the HTTP cost alone).

A fresh SQLite file in a temporary directory, migrated; the school roadmap of
``tests/data/roadmaps/school-tech-cluster-2022.txt`` imported; the rows name its tasks in turn.
Client and fake server share one event loop (as in bench/sender.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.i18n import create_i18n
from core.clock import ManualClock
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from scheduler.pacing import Pacer
from scheduler.sender import OutgoingMessage, Sender
from scheduler.tick import ReminderTick
from services.roadmaps import RoadmapService
from services.tasks import TaskCard, TaskService
from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.records import PlannedMessage
from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI
from tests.sql_statements import count_statements

ROADMAP = Path(__file__).resolve().parents[1] / "tests/data/roadmaps/school-tech-cluster-2022.txt"
START = datetime(2022, 9, 20, 9, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))
FIRST_CHAT = 100_000
T = TypeVar("T")


class World:
    def __init__(self, database: Database, clock: ManualClock, task_ids: list[int]) -> None:
        self.database = database
        self.clock = clock
        self.task_ids = task_ids
        self.tasks = TaskService(database, clock)
        # Built once, as the app builds it at start (compiling the catalogs takes ~0.2 s).
        self.i18n = create_i18n()

    @classmethod
    async def create(cls, directory: Path, url: str | None = None) -> World:
        """A school's roadmap imported into a fresh database (a SQLite file unless ``url``)."""
        database = Database.from_url(url or f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}")
        await upgrade_to_head(database.engine)
        clock = ManualClock(START)
        roadmaps = RoadmapService(database, clock)
        school = await roadmaps.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")
        parsed = parse_roadmap(read_text(ROADMAP.read_text(encoding="utf-8")))
        result = await roadmaps.apply(
            school.id, parsed, source_name=ROADMAP.name, actor_telegram_id=1
        )
        async with database.transaction() as repositories:
            tasks = await repositories.tasks.in_roadmap(result.roadmap.id)
        return cls(database, clock, [task.id for task in tasks])

    def layout(self, rows: int, chats: int, base: int) -> list[tuple[str, int, int]]:
        """(key, task, chat): each chat's rows together, tasks in turn."""
        per_chat = -(-rows // chats)
        out = []
        for n in range(rows):
            chat = base + n // per_chat
            task = self.task_ids[n % len(self.task_ids)]
            out.append((f"bench:{chat}:{n}", task, chat))
        return out

    async def plan(self, layout: list[tuple[str, int, int]]) -> None:
        now = self.clock.now()
        async with self.database.transaction() as repositories:
            await repositories.outbox.plan(
                [
                    PlannedMessage(
                        key=key,
                        kind="countdown",
                        task_id=task,
                        person_id=None,
                        chat_id=chat,
                        local_day=now.date(),
                        planned_at=now,
                    )
                    for key, task, chat in layout
                ],
                now,
            )

    async def messages(self, layout: list[tuple[str, int, int]]) -> list[OutgoingMessage]:
        """What the tick would send for these rows, rendered once (for the baselines)."""
        from handlers import reminder_messages

        cards: dict[int, TaskCard] = {}
        for task_id in {task for _key, task, _chat in layout}:
            card = await self.tasks.card_for_job(task_id)
            assert card is not None
            cards[task_id] = card
        i18n = create_i18n()
        out = []
        with i18n.speaking(None):
            for key, task, chat in layout:
                text, markup = reminder_messages.reminder("countdown", cards[task], None)
                out.append(OutgoingMessage(key, chat, text, markup))
        return out

    def tick(self, sender: Sender) -> ReminderTick:
        return ReminderTick(
            self.database, self.clock, self.tasks, sender, self.i18n, group_over=10_000
        )


def make_bot(api: FakeBotAPI) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    return Bot(
        DEFAULT_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )


async def timed(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
    """The result, wall seconds and CPU seconds of the process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


@dataclass(frozen=True)
class PipeRun:
    sent: int
    seconds: float
    rejected_429: int
    first_send: float  # seconds from the start to the first message the server took


async def measure_pipe(
    work: Callable[[Sender], Awaitable[int]],
    *,
    limit: int,
    rate: float,
    per_chat_limit: int | None = None,
    prepare: Callable[[], Awaitable[None]] | None = None,
) -> PipeRun:
    """Runs ``work`` with a Sender paced at ``rate`` against a fake server enforcing ``limit``
    sendMessage a second (and ``per_chat_limit`` to one chat); ``prepare`` is not timed."""
    async with FakeBotAPI() as api:
        api.rate_limit(limit, per_chat_per_second=per_chat_limit)
        bot = make_bot(api)
        sender = Sender(bot, Pacer(global_per_second=rate))
        if prepare is not None:
            await prepare()
        started = time.monotonic()
        try:
            sent, wall, _cpu = await timed(lambda: work(sender))
        finally:
            await bot.session.close()
        delivered = sum(len(chat) for chat in api.chats.values())
        assert delivered == sent, (delivered, sent)
        accepted = sorted(call.time for call in api.calls_to("sendMessage") if call.ok)
        return PipeRun(sent, wall, api.rejected_429, accepted[0] - started if accepted else 0.0)


async def real_tick_pipe(
    world: World,
    rows: int,
    chats: int,
    *,
    limit: int,
    rate: float,
    per_chat_limit: int | None = None,
) -> PipeRun:
    """``rows`` due reminders over ``chats`` chats through the real tick (grouping off)."""
    layout = world.layout(rows, chats, FIRST_CHAT)

    async def plan() -> None:  # the rows the tick finds due: not part of the tick
        await world.plan(layout)

    async def tick(sender: Sender) -> int:
        return (await world.tick(sender).run()).sent

    return await measure_pipe(
        tick, limit=limit, rate=rate, per_chat_limit=per_chat_limit, prepare=plan
    )


async def pipe(world: World, args: argparse.Namespace) -> None:
    layout = world.layout(args.rows, args.chats, FIRST_CHAT)
    messages = await world.messages(layout)
    print(
        f"--- pipe: {args.rows} due rows over {args.chats} chats, Pacer {args.rate:g}/s, "
        f"server limit {args.limit}/s (429 retry_after 1 beyond)"
    )
    print(f"{'path':44} {'sent':>5} {'s':>7} {'msg/s':>7} {'ratio':>6} {'429s':>5} {'first s':>7}")

    def show(label: str, run: PipeRun) -> None:
        rate = run.sent / run.seconds
        print(
            f"{label:44} {run.sent:5d} {run.seconds:7.2f} {rate:7.2f} "
            f"{rate / args.limit:6.3f} {run.rejected_429:5d} {run.first_send:7.2f}"
        )

    async def bare(sender: Sender) -> int:
        results = await sender.send_all(messages)
        return sum(result.delivery.value == "sent" for result in results)

    async def old_pattern(sender: Sender) -> int:
        sent = 0
        for start in range(0, 100, 8):
            results = await sender.send_all(messages[start : start + 8])
            sent += sum(result.delivery.value == "sent" for result in results)
        return sent

    show(
        "real ReminderTick (claim, render, send, record)",
        await real_tick_pipe(world, args.rows, args.chats, limit=args.limit, rate=args.rate),
    )
    show(
        "baseline: bare Sender.send_all, same messages",
        await measure_pipe(bare, limit=args.limit, rate=args.rate),
    )
    if not args.skip_old:
        show(
            "baseline: old tick pattern, batches of 8 (100)",
            await measure_pipe(old_pattern, limit=args.limit, rate=args.rate),
        )
    print()


async def cpu(world: World, args: argparse.Namespace) -> None:
    rows = args.cpu_rows
    chats = max(1, rows // 7)
    layout = world.layout(rows, chats, FIRST_CHAT + 10_000_000)
    messages = await world.messages(layout)
    print(f"--- whole tick, pacing off: {rows} due rows over {chats} chats")
    card_statements = [0]
    real_cards = world.tasks.cards_for_job

    async def counted_cards(task_ids: Sequence[int]) -> dict[int, TaskCard]:
        with count_statements(world.database.engine) as inside:
            found = await real_cards(task_ids)
        card_statements[0] += len(inside)
        return found

    world.tasks.cards_for_job = counted_cards  # type: ignore[method-assign]

    def fast_sender(api: FakeBotAPI) -> tuple[Bot, Sender]:
        bot = make_bot(api)
        return bot, Sender(bot, Pacer(global_per_second=100_000, per_chat_interval=0.0))

    async with FakeBotAPI() as api:
        bot, sender = fast_sender(api)
        await world.plan(layout)
        try:
            with count_statements(world.database.engine) as statements:
                report, wall, used = await timed(lambda: world.tick(sender).run())
        finally:
            await bot.session.close()
    async with FakeBotAPI() as api:
        bot, sender = fast_sender(api)
        try:
            _results, bare_wall, bare_cpu = await timed(lambda: sender.send_all(messages))
        finally:
            await bot.session.close()
    total = len(statements)
    print(
        f"real tick      sent {report.sent}  wall {wall:6.1f} s  CPU {used:6.1f} s "
        f"({used / rows * 1000:.2f} ms/row)"
    )
    print(
        f"baseline: bare send_all, CPU {bare_cpu:6.1f} s (wall {bare_wall:.1f} s): "
        f"tick CPU / bare CPU = {used / bare_cpu:.2f}"
    )
    print(
        f"SQL statements {total} = {total / rows:.3f} per row; of them rendering cards "
        f"(TaskService.cards_for_job) {card_statements[0]}, the rest "
        f"{(total - card_statements[0]) / rows:.3f} per row"
    )
    print()


async def main_async(args: argparse.Namespace) -> int:
    print(
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as directory:
        world = await World.create(Path(directory))
        try:
            await pipe(world, args)
            if args.cpu_rows:
                await cpu(world, args)
        finally:
            await world.database.close()
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.tick", description=__doc__)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--chats", type=int, default=59)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--rate", type=float, default=29.0)
    parser.add_argument("--cpu-rows", type=int, default=10_000)
    parser.add_argument("--skip-old", action="store_true")
    args: Any = parser.parse_args(argv)
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
