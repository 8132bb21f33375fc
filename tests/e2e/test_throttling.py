from __future__ import annotations

import pytest

from tests.e2e.conftest import STRANGER, RunningBot


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"throttle_burst": 3, "throttle_rate": 0.01}


async def test_a_flood_gets_one_polite_word_and_no_work(running_bot: RunningBot) -> None:
    api = running_bot.api
    for _ in range(10):
        api.push_text(STRANGER, "/help")
    replies = await api.wait_for_messages(STRANGER.id, count=4)
    await api.wait_for(lambda: not api.pending_updates, what="every update to be taken")
    texts = [message.plain_text for message in api.chats[STRANGER.id]]
    assert len(texts) == 4, texts
    # Updates are handled concurrently, so the warning may come before the last answer.
    assert sum("приглашение" in text for text in texts) == 3
    assert sum("Слишком много сообщений" in text for text in texts) == 1
    assert replies


async def test_hammered_button_is_answered_every_time(running_bot: RunningBot) -> None:
    api = running_bot.api
    message = await running_bot.ask(STRANGER, "/start")
    queries = [api.press(STRANGER, message, "v0:old")[1] for _ in range(5)]
    answers = [await api.wait_answered(query) for query in queries]
    assert sum("устарела" in (a.get("text") or "") for a in answers) == 2
    assert sum("Не так быстро" in (a.get("text") or "") for a in answers) == 3
