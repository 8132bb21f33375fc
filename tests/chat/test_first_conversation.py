"""The first words with the bot: welcomes, languages, hints, stale buttons, an apology."""

from __future__ import annotations

from sqlalchemy import text

from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser
from tests.harness import ADMIN, STRANGER


async def test_admin_gets_the_welcome_with_first_steps(bot: ChatBot) -> None:
    reply = await bot.ask(ADMIN, "/start")
    assert reply.plain_text is not None
    assert reply.plain_text.startswith("Здравствуйте, Ирина!")
    assert "С чего начать" in reply.plain_text
    assert "файл дорожной карты" in reply.plain_text


async def test_stranger_is_told_how_to_get_access(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "/start")
    assert reply.plain_text is not None
    assert reply.plain_text.startswith("Здравствуйте, Пётр!")
    assert "ссылку-приглашение" in reply.plain_text
    assert "С чего начать" not in reply.plain_text


async def test_help_tells_a_stranger_about_invites(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "/help")
    assert "приглашение" in (reply.plain_text or "")


async def test_language_follows_telegram_with_russian_fallback(bot: ChatBot) -> None:
    english = FakeUser(3003, "Anna", language_code="en")
    german = FakeUser(3004, "Hans", language_code="de")
    nobody_knows = FakeUser(3005, "Ольга", language_code=None)
    assert ((await bot.ask(english, "/start")).plain_text or "").startswith("Hello, Anna!")
    assert ((await bot.ask(german, "/start")).plain_text or "").startswith("Здравствуйте, Hans!")
    assert ((await bot.ask(nobody_knows, "/start")).plain_text or "").startswith("Здравствуйте")


async def test_names_are_escaped_not_parsed(bot: ChatBot) -> None:
    tricky = FakeUser(3006, "<b>Ann & Co</b>")
    reply = await bot.ask(tricky, "/start")
    assert "<b>Ann & Co</b>" in (reply.plain_text or "")


async def test_an_unknown_invite_is_explained(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "/start i_no-such-invite")
    assert "приглашение не найдена" in (reply.plain_text or "")


async def test_a_foreign_start_payload_is_explained(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "/start from_some_ad")
    assert "не распознана" in (reply.plain_text or "")


async def test_unrecognised_text_gets_a_hint(bot: ChatBot) -> None:
    reply = await bot.ask(STRANGER, "привет, что тут?")
    assert "/help" in (reply.plain_text or "")


async def test_old_button_is_answered_with_an_alert(bot: ChatBot) -> None:
    message = await bot.ask(STRANGER, "/start")
    answer = await bot.press(STRANGER, message, "v0:legacy:42")
    assert answer["show_alert"] is True
    assert "устарела" in answer["text"]


async def test_failure_inside_gets_an_apology_not_a_traceback(bot: ChatBot) -> None:
    async with bot.app.database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE people"))
    reply = await bot.ask(STRANGER, "/start")
    shown = reply.plain_text or ""
    assert "Что-то пошло не так" in shown
    assert "Traceback" not in shown
    assert "people" not in shown
