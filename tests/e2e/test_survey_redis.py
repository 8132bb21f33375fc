"""With REDIS_URL set, a half-answered survey lives in Redis (with an expiry), not the database."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot.app import Application
from bot.fsm import CONVERSATION_TTL
from bot.settings import Settings
from core.clock import ManualClock
from core.deeplinks import DeepLink, DeepLinkKind
from services.access import Actor
from tests.e2e.conftest import ADMIN, CLUBS_SURVEY, RunningBot, bot_settings
from tests.fakebot import FakeBotAPI, FakeUser

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set (CI sets it)")

PARENT = FakeUser(8101, "Анна", language_code="ru")


@pytest.fixture
def settings_overrides(redis_bot_id: int) -> dict[str, object]:
    # A bot id of the test's own: its conversation keys are its alone in the shared database.
    return {"redis_url": REDIS_URL, "bot_token": f"{redis_bot_id}:TEST"}


async def test_answers_in_progress_live_in_redis_until_submit(running_bot: RunningBot) -> None:
    bot = running_bot
    storage = bot.app.dispatcher.storage
    assert isinstance(storage, RedisStorage)
    admin = Actor(ADMIN.id, None, is_admin=True)
    survey = await bot.app.surveys.create(admin, CLUBS_SURVEY)
    survey = await bot.app.surveys.open(admin, survey.id, date(2022, 9, 30))
    key = StorageKey(bot_id=bot.app.bot.id, chat_id=PARENT.id, user_id=PARENT.id)
    await storage.set_state(key, None)
    await storage.set_data(key, {})

    link = "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
    message = await bot.ask(PARENT, link)
    _, query = bot.api.press(PARENT, message, message.button("Начать"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(message)
    _, query = bot.api.press(PARENT, message, message.button("Да"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(message)

    # Half-way: the answer is in Redis, with an expiry, and nowhere in the database.
    assert await storage.get_state(key) is not None
    assert await storage.get_data(key) != {}
    ttl = await storage.redis.ttl(storage.key_builder.build(key, "data"))
    assert 0 < ttl <= CONVERSATION_TTL.total_seconds()
    _, responses = await bot.app.surveys.responses_for(admin, survey.id)
    assert responses == []

    bot.api.push_text(PARENT, "Робототехника")
    await bot.api.wait_edit(message)
    _, query = bot.api.press(PARENT, message, message.button("Отправить"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(message)
    assert "Спасибо" in (message.plain_text or "")
    _, responses = await bot.app.surveys.responses_for(admin, survey.id)
    assert len(responses) == 1 and responses[0].answers["2"].text == "Робототехника"
    assert await storage.get_state(key) is None


async def test_a_restart_mid_survey_goes_on_with_a_small_state(
    api: FakeBotAPI, tmp_path: Path, clock: ManualClock, settings_overrides: dict[str, object]
) -> None:
    """The new process has no definition in memory: it reads it once, and the respondent
    continues where they were."""
    settings = bot_settings(api, tmp_path, **settings_overrides)
    admin = Actor(ADMIN.id, None, is_admin=True)
    async with _running(settings, clock, api) as first:
        survey = await first.app.surveys.create(admin, CLUBS_SURVEY)
        survey = await first.app.surveys.open(admin, survey.id, date(2022, 9, 30))
        storage = first.app.dispatcher.storage
        assert isinstance(storage, RedisStorage)
        key = StorageKey(bot_id=first.app.bot.id, chat_id=PARENT.id, user_id=PARENT.id)
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        link = "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
        message = await first.ask(PARENT, link)
        _, query = api.press(PARENT, message, message.button("Начать"))
        await api.wait_answered(query)
        await api.wait_edit(message)
        _, query = api.press(PARENT, message, message.button("Да"))
        await api.wait_answered(query)
        await api.wait_edit(message)
        raw = await storage.redis.get(storage.key_builder.build(key, "data"))
        assert raw is not None and len(raw) < 400 and b"definition" not in raw

    async with _running(settings, clock, api) as second:
        api.push_text(PARENT, "Робототехника")
        await api.wait_edit(message)
        _, query = api.press(PARENT, message, message.button("Отправить"))
        await api.wait_answered(query)
        await api.wait_edit(message)
        assert "Спасибо" in (message.plain_text or "")
        _, responses = await second.app.surveys.responses_for(admin, survey.id)
        assert len(responses) == 1 and responses[0].answers["2"].text == "Робототехника"


@contextlib.asynccontextmanager
async def _running(
    settings: Settings, clock: ManualClock, api: FakeBotAPI
) -> AsyncIterator[RunningBot]:
    app = await Application.create(settings, clock)
    app.scheduler.remove_job("reminder-tick")
    app.scheduler.remove_job("survey-closing")
    app.scheduler.remove_job("survey-mixing")
    polled = len(api.calls_to("getUpdates"))
    polling = asyncio.create_task(app.run_polling(handle_signals=False))
    try:
        await api.wait_for(
            lambda: len(api.calls_to("getUpdates")) > polled, what="the bot to start polling"
        )
        yield RunningBot(app=app, api=api, clock=clock)
    finally:
        app.request_stop()
        await asyncio.wait_for(polling, timeout=15)
