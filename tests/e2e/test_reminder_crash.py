"""A bot stopped abruptly mid-send loses nothing and repeats at most what was not yet recorded."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.telegram import create_bot
from fakes.telegram import WAIT_CEILING
from scheduler.pacing import Pacer
from scheduler.sender import Sender
from scheduler.tick import ReminderTick
from services.reminders import CLAIM_TIMEOUT
from storage.database import Database
from storage.repositories import Repositories
from storage.repositories.outbox import SENT
from tests.e2e.conftest import DATA, RunningBot, plan_countdowns
from tests.fakebot import FakeUser


class DyingDatabase(Database):
    """The database as a process sees it that has just died: it writes nothing more."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.dead = False
        self.open = 0
        self.idle = asyncio.Event()

    @asynccontextmanager
    async def transaction(self, *, immediate: bool = False) -> AsyncIterator[Repositories]:
        if self.dead:
            raise RuntimeError("the process is gone")
        self.open += 1
        try:
            async with super().transaction(immediate=immediate) as repositories:
                yield repositories
        finally:
            self.open -= 1
            if not self.open and self.dead:
                self.idle.set()

    async def settle(self) -> None:
        """Once dead, no new transaction; those under way end as they would have (a dead
        process's SQLite lock goes with it, while a cancelled task's could outlive the test's
        patience)."""
        assert self.dead
        if self.open:
            await self.idle.wait()


class DyingSession(AiohttpSession):
    """The line to Telegram of a process that dies just after Telegram took its `sends`-th
    message, before the sender could hear of it: requests already on their way end as they
    would, none leaves after, and the database writes nothing more. (Dying at a moment the test
    chose, the tick went on sending while the test waited for the last write: more repeats than
    a real stop makes, or none at all when everything sent was written.)"""

    def __init__(self, database: DyingDatabase, sends: int, api: TelegramAPIServer) -> None:
        super().__init__(api=api)
        self._database = database
        self._sends = sends
        self.died = asyncio.Event()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        if self.died.is_set():
            await asyncio.Event().wait()  # never set: ends when the tick is cancelled
        result = await super().make_request(bot, method, timeout)
        self._sends -= 1
        if self._sends == 0:
            self._database.dead = True
            self.died.set()
        return result


CHATS = range(20_000, 21_000)
CONCURRENCY = 8
RECORD_EVERY = 16


async def test_crash_in_the_middle_of_1000_reminders(running_bot: RunningBot) -> None:
    bot = running_bot
    admin = FakeUser(1001, "Ирина")
    bot.api.push_document(admin, "plan.txt", (DATA / "school-tech-cluster-2022.txt").read_bytes())
    preview = await bot.api.next_message(admin.id, timeout=15)
    _, query = bot.api.press(admin, preview, preview.button("Импортировать"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(preview)
    now = bot.clock.now()
    await plan_countdowns(bot.app.database, CHATS, "crash", now)

    def make_tick(database: Database, telegram: Bot) -> ReminderTick:
        sender = Sender(telegram, Pacer(global_per_second=400), concurrency=CONCURRENCY)
        return ReminderTick(
            database,
            bot.clock,
            bot.app.tick._tasks,
            sender,
            bot.app.i18n,
            batch=100,
            record_every=RECORD_EVERY,
        )

    def delivered() -> int:
        return sum(len(bot.api.chats[chat]) for chat in CHATS)

    dying = DyingDatabase(bot.app.database.engine)
    line = DyingSession(dying, 300, TelegramAPIServer.from_base(bot.api.base_url))
    first = asyncio.create_task(make_tick(dying, create_bot(bot.app.bot.token, None, line)).run())
    # The process dies after its 300th send: nothing of the tick runs after the transactions
    # under way, not even the write of the results it has heard of that a cancelled tick would
    # still make on its way out.
    await asyncio.wait_for(line.died.wait(), timeout=WAIT_CEILING)
    await dying.settle()
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await line.close()
    stopped_at = delivered()
    assert 300 <= stopped_at < len(CHATS)

    bot.clock.advance(CLAIM_TIMEOUT + timedelta(seconds=1))
    report = await make_tick(bot.app.database, bot.app.bot).run()
    assert report.claimed > 0

    per_chat = Counter({chat: len(bot.api.chats[chat]) for chat in CHATS})
    assert all(per_chat[chat] >= 1 for chat in CHATS)  # none lost
    duplicates = sum(count - 1 for count in per_chat.values())
    assert duplicates > 0  # the stop did fall between sends and their record
    # Only messages Telegram took just before the stop: results not yet written (fewer than
    # one batch of RECORD_EVERY) and the sends in flight, whose workers wait for that write.
    assert duplicates <= RECORD_EVERY + CONCURRENCY
    async with bot.app.database.transaction() as repositories:
        rows = [r for r in await repositories.outbox.all_rows() if r.key.startswith("crash:")]
    assert len(rows) == len(CHATS) and all(row.status == SENT for row in rows)
