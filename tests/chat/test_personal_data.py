"""A person's data in the chat: /mydata sends it, /forgetme reaches the coordinator, whose
«Удалить персональные данные» in /people leaves the name and Telegram id in no table."""

from __future__ import annotations

import json

from sqlalchemy import select

from core.models import Role
from storage.schema import metadata
from tests.chat.conftest import ChatBot
from tests.harness import COORDINATOR, EXECUTOR, add_person

NAME = EXECUTOR.first_name  # «Нина»: add_person stores the first name as the full name


async def _every_row(bot: ChatBot) -> str:
    """Every value of every table, as text: what a copy of the database would show."""
    found = []
    async with bot.app.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                found.append(" ".join(str(value) for value in row))
    return "\n".join(found)


async def test_mydata_sends_what_is_kept_about_the_person(bot: ChatBot) -> None:
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    sent = await bot.ask(EXECUTOR, "/mydata")
    assert sent.kind == "document" and sent.content
    data = json.loads(sent.content)
    assert NAME in json.dumps(data, ensure_ascii=False)
    assert str(EXECUTOR.id) in json.dumps(data)
    assert "анонимны" in (sent.plain_text or "")


async def test_forgetme_reaches_the_coordinator_whose_button_erases_everywhere(
    bot: ChatBot,
) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    assert NAME in await _every_row(bot) and str(EXECUTOR.id) in await _every_row(bot)
    answer = await bot.ask(EXECUTOR, "/forgetme")
    assert "отправлена координаторам" in answer.plain_text
    await bot.app.notices.settled()
    notice = await bot.api.next_message(COORDINATOR.id)
    assert f"{NAME} просит удалить свои персональные данные" in notice.plain_text
    await bot.press_label(COORDINATOR, notice, "Удалить персональные данные")
    question = await bot.api.wait_edit(notice)
    assert "безвозвратно" in question.plain_text
    await bot.press_label(COORDINATOR, question, "Да, удалить безвозвратно")
    rows = await _every_row(bot)
    assert NAME not in rows and str(EXECUTOR.id) not in rows
    assert "удалённый сотрудник" in rows
    # Erased, the person is a stranger to the bot now.
    again = await bot.ask(EXECUTOR, "/tasks")
    assert "Мои задачи" not in again.plain_text


async def test_an_executor_has_no_erase_button_and_a_coordinator_none_for_himself(
    bot: ChatBot,
) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, COORDINATOR.first_name)
    card = await bot.api.wait_edit(listing)
    assert "Удалить персональные данные" not in str(card.buttons())
