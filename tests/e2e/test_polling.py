"""What only the running bot shows: the command menu it registers before polling, polling that
survives getUpdates failing, and a 429 on a send waited out on the wire.

The conversation itself (welcomes, languages, hints, stale buttons) is tested in-process in
``tests/chat/test_first_conversation.py``.
"""

from __future__ import annotations

from tests.e2e.conftest import ADMIN, STRANGER, RunningBot


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
            "report",
            "roadmap",
            "surveys",
            "results",
            "people",
            "orgs",
            "mydata",
            "forgetme",
            "help",
            "privacy",
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
    assert (reply.plain_text or "").startswith("Здравствуйте")


async def test_429_on_send_is_retried_and_delivered_once(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.fail("sendMessage", 429, retry_after=1)
    reply = await running_bot.ask(STRANGER, "/start")
    assert (reply.plain_text or "").startswith("Здравствуйте")
    sends = [call for call in api.calls_to("sendMessage") if call.params["chat_id"] == STRANGER.id]
    assert [call.status for call in sends] == [429, 200]
    assert sends[1].time - sends[0].time >= 1.0  # waited out retry_after
    assert len(api.chats[STRANGER.id]) == 1
