from __future__ import annotations

from sqlalchemy import text

from tests.e2e.conftest import ADMIN, STRANGER, RunningBot
from tests.fakebot import FakeUser


async def test_admin_gets_the_welcome_with_first_steps(running_bot: RunningBot) -> None:
    reply = await running_bot.ask(ADMIN, "/start")
    assert reply.plain_text.startswith("Здравствуйте, Ирина!")
    assert "С чего начать" in reply.plain_text
    assert "файл дорожной карты" in reply.plain_text


async def test_stranger_is_told_how_to_get_access(running_bot: RunningBot) -> None:
    reply = await running_bot.ask(STRANGER, "/start")
    assert reply.plain_text.startswith("Здравствуйте, Пётр!")
    assert "ссылку-приглашение" in reply.plain_text
    assert "С чего начать" not in reply.plain_text
    help_reply = await running_bot.ask(STRANGER, "/help")
    assert "приглашение" in help_reply.plain_text


async def test_language_follows_telegram_with_russian_fallback(running_bot: RunningBot) -> None:
    english = FakeUser(3003, "Anna", language_code="en")
    german = FakeUser(3004, "Hans", language_code="de")
    nobody_knows = FakeUser(3005, "Ольга", language_code=None)
    assert (await running_bot.ask(english, "/start")).plain_text.startswith("Hello, Anna!")
    assert (await running_bot.ask(german, "/start")).plain_text.startswith("Здравствуйте, Hans!")
    assert (await running_bot.ask(nobody_knows, "/start")).plain_text.startswith("Здравствуйте")


async def test_names_are_escaped_not_parsed(running_bot: RunningBot) -> None:
    tricky = FakeUser(3006, "<b>Ann & Co</b>")
    reply = await running_bot.ask(tricky, "/start")
    assert "<b>Ann & Co</b>" in reply.plain_text


async def test_unknown_start_payload_is_explained(running_bot: RunningBot) -> None:
    reply = await running_bot.ask(STRANGER, "/start i_no-such-invite")
    assert "приглашение не найдена" in reply.plain_text
    foreign = await running_bot.ask(STRANGER, "/start from_some_ad")
    assert "не распознана" in foreign.plain_text


async def test_unrecognised_text_gets_a_hint(running_bot: RunningBot) -> None:
    reply = await running_bot.ask(STRANGER, "привет, что тут?")
    assert "/help" in reply.plain_text


async def test_old_button_is_answered_with_an_alert(running_bot: RunningBot) -> None:
    message = await running_bot.ask(STRANGER, "/start")
    _, query_id = running_bot.api.press(STRANGER, message, "v0:legacy:42")
    answer = await running_bot.api.wait_answered(query_id)
    assert answer["show_alert"] is True
    assert "устарела" in answer["text"]


async def test_command_menu_in_both_languages(running_bot: RunningBot) -> None:
    api = running_bot.api
    await api.wait_for(lambda: api.commands_for(language_code="en"), what="the English menu")
    russian = {c["command"]: c["description"] for c in api.commands_for()}
    english = {c["command"]: c["description"] for c in api.commands_for(language_code="en")}
    assert russian["start"] == "Начать работу"
    assert russian["help"] == "Что умеет бот"
    assert (
        set(russian)
        == set(english)
        == {
            "start",
            "tasks",
            "status",
            "roadmap",
            "surveys",
            "results",
            "people",
            "orgs",
            "help",
            "cancel",
        }
    )


async def test_survives_500_from_get_updates(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.fail("getUpdates", 500, times=2)
    # The long poll already waiting returns this update; the polls after it fail.
    await running_bot.ask(STRANGER, "/start")
    await api.wait_for(
        lambda: sum(call.status == 500 for call in api.calls_to("getUpdates")) == 2,
        what="both failing getUpdates calls",
    )
    reply = await running_bot.ask(ADMIN, "/start")
    assert reply.plain_text.startswith("Здравствуйте")


async def test_429_on_send_is_retried_and_delivered_once(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.fail("sendMessage", 429, retry_after=1)
    reply = await running_bot.ask(STRANGER, "/start")
    assert reply.plain_text.startswith("Здравствуйте")
    sends = [call for call in api.calls_to("sendMessage") if call.params["chat_id"] == STRANGER.id]
    assert [call.status for call in sends] == [429, 200]
    assert sends[1].time - sends[0].time >= 1.0  # waited out retry_after
    assert len(api.chats[STRANGER.id]) == 1


async def test_failure_inside_gets_an_apology_not_a_traceback(running_bot: RunningBot) -> None:
    async with running_bot.app.database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE people"))
    reply = await running_bot.ask(STRANGER, "/start")
    assert "Что-то пошло не так" in reply.plain_text
    assert "Traceback" not in reply.plain_text
    assert "people" not in reply.plain_text
