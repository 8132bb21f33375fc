"""The in-process tier runs the bot as polling does: startup and shutdown emitted with the same
arguments, each update handled with them, and what the bot sends checked by the fake server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import TelegramObject

from core.clock import ManualClock
from services.surveys import SurveyService
from tests.chat.conftest import ChatBot, create_app, serving
from tests.fakebot import FakeBotAPI
from tests.harness import STRANGER, bot_settings


async def test_startup_updates_and_shutdown_get_what_polling_gives_them(
    tmp_path: Path, clock: ManualClock, migrated_database: Path
) -> None:
    api = FakeBotAPI(wait_ceiling=0)
    app = await create_app(api, bot_settings(tmp_path), clock, migrated_database)
    seen: list[tuple[Any, ...]] = []

    async def on_startup(
        bot: Bot, dispatcher: Dispatcher, bots: tuple[Bot, ...], surveys: SurveyService
    ) -> None:
        seen.append(("startup", bot, dispatcher, bots, surveys))

    async def on_shutdown(bot: Bot, bots: tuple[Bot, ...]) -> None:
        seen.append(("shutdown", bot, bots))

    async def on_update(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        seen.append(("update", data["bot"], data["dispatcher"], data["bots"]))
        return await handler(event, data)

    app.dispatcher.startup.register(on_startup)
    app.dispatcher.shutdown.register(on_shutdown)
    app.dispatcher.update.outer_middleware(on_update)
    async with serving(app, api, clock) as bot:
        assert seen == [("startup", app.bot, app.dispatcher, (app.bot,), app.surveys)]
        reply = await bot.ask(STRANGER, "/start")
        assert (reply.plain_text or "").startswith("Здравствуйте")
        assert seen[1:] == [("update", app.bot, app.dispatcher, (app.bot,))]
    assert seen[2:] == [("shutdown", app.bot, (app.bot,))]
    assert api.pending_updates == []


async def test_a_send_telegram_would_refuse_fails_the_test(bot: ChatBot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.app.bot.send_message(STRANGER.id, "1 < 2")
    assert bot.api.chats[STRANGER.id] == []


async def test_nothing_is_waited_for(bot: ChatBot) -> None:
    await bot.send(STRANGER, "/start")
    await bot.api.next_message(STRANGER.id)
    with pytest.raises(AssertionError, match="there is no 1 new message"):
        await bot.api.next_message(STRANGER.id)
