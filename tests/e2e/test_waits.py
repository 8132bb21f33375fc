"""While the bot waits for typed words, a command leaves the wait and a table stays a table."""

from __future__ import annotations

from sqlalchemy import select

from storage.schema import tasks
from tests.e2e.conftest import RunningBot
from tests.e2e.test_tasks import SHABANOVA, _open, _setup

TABLE = "№\tМероприятие\tСрок\n1\tСовещание\t10.10.2022\n2\tОтчёт\t20.10.2022"


async def _statuses(bot: RunningBot) -> set[str]:
    async with bot.app.database.engine.connect() as connection:
        return set((await connection.execute(select(tasks.c.status))).scalars())


async def _asked_why(bot: RunningBot) -> None:
    card = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, card, "Не могу")
    asked = await bot.api.wait_edit(card)
    assert "почему" in asked.plain_text.lower() or "причин" in asked.plain_text.lower()


async def test_a_command_leaves_the_wait_for_a_reason(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    await _asked_why(bot)
    listing = await bot.ask(SHABANOVA, "/tasks")
    assert "Мои задачи" in listing.plain_text
    later = await bot.ask(SHABANOVA, "Нет доступа к сайту школы")
    assert "Координатор получил" not in later.plain_text  # not taken as the reason
    assert "cannot_do" not in await _statuses(bot)


async def test_a_pasted_table_is_not_taken_as_the_reason(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    await _asked_why(bot)
    pasted = await bot.ask(SHABANOVA, TABLE)
    assert "Координатор получил" not in pasted.plain_text
    assert "cannot_do" not in await _statuses(bot)
    # Still asked: the next words are the reason.
    sent = await bot.ask(SHABANOVA, "Нет доступа к сайту школы")
    assert "Координатор получил" in sent.plain_text
    assert "cannot_do" in await _statuses(bot)
