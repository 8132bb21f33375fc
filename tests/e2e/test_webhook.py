"""Webhook mode: the fake Bot API posts updates to the bot's aiohttp server; only requests with
the secret header are handled; /healthz tells a monitor what it needs; polling again removes
the webhook."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import Application
from bot.webhook import health
from core.clock import ManualClock
from storage.database import Database
from tests.e2e.conftest import STRANGER, RunningBot, bot_settings
from tests.fakebot import FakeBotAPI, FakeUser

SECRET = "hook-secret_42"
FORGER = FakeUser(9301, "Чужой")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    api: FakeBotAPI, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[tuple[RunningBot, str]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    settings = bot_settings(
        api, tmp_path, webhook_url=url, webhook_secret=SECRET, webhook_port=port
    )
    app = await Application.create(settings, clock)
    serving = asyncio.create_task(app.run_webhook(handle_signals=False))
    try:
        await api.wait_for(lambda: api.webhook is not None, what="setWebhook")
        yield RunningBot(app=app, api=api, clock=clock), url
    finally:
        app.request_stop()
        await asyncio.wait_for(serving, timeout=15)


async def test_updates_come_by_webhook_and_only_with_the_secret(
    webhook_bot: tuple[RunningBot, str],
) -> None:
    bot, url = webhook_bot
    assert bot.api.webhook is not None
    assert bot.api.webhook["url"] == url and bot.api.webhook["secret_token"] == SECRET
    assert "callback_query" in (bot.api.webhook["allowed_updates"] or [])
    assert not bot.api.calls_to("getUpdates")

    forged = {
        "update_id": 10_000,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": FORGER.id, "type": "private"},
            "from": FORGER.to_api(),
            "text": "/start",
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 401

    reply = await bot.ask(STRANGER, "/start")
    assert "ссылку-приглашение" in reply.plain_text
    assert all(status == 200 for _, status in bot.api.webhook_deliveries)
    # The forged update was never handled: its sender got nothing.
    assert bot.api.chats[FORGER.id] == []


async def test_healthz_says_what_a_monitor_needs(webhook_bot: tuple[RunningBot, str]) -> None:
    bot, url = webhook_bot
    await bot.app.tick.run()
    async with (
        aiohttp.ClientSession() as session,
        session.get(url.replace("/tg/hook", "/healthz")) as response,
    ):
        assert response.status == 200
        report = await response.json()
    assert report["status"] == "ok" and report["database"] == "ok"
    assert report["redis"] == "not used" and report["outbox_lag_seconds"] == 0
    assert report["last_tick"] == bot.clock.now().isoformat()

    gone = Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    try:
        status, failing = await health(gone, bot.app.dispatcher, bot.app.tick, bot.clock)
    finally:
        await gone.close()
    assert status == 503 and failing["database"] == "unreachable"


async def test_polling_again_removes_the_webhook(
    api: FakeBotAPI, tmp_path: Path, clock: ManualClock, running_bot: RunningBot
) -> None:
    # running_bot polls: it deleted any webhook before its first getUpdates.
    assert api.calls_to("deleteWebhook")
    assert api.webhook is None
    reply = await running_bot.ask(STRANGER, "/start")
    assert "ссылку-приглашение" in reply.plain_text
