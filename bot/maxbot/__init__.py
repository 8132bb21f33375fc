"""MAX (max.ru) for the same handlers as Telegram: an aiogram session that speaks MAX's Bot API
(``session``), MAX's updates as aiogram's (``updates``), and the numbers MAX's string message
ids are known by (``ids``). See the README's «MAX» section for why this seam."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot.maxbot.ids import MessageNumbers, PendingCallbacks
from bot.maxbot.session import MAX_TOKEN_STAND_IN, MaxSession
from bot.maxbot.updates import MAX_WEBHOOK_PATH, MaxFeeder, MaxPoller, webhook_route
from bot.telegram import RetryRequestMiddleware
from maxapi_client import DEFAULT_BASE_URL, MaxClient
from storage.database import Database

__all__ = [
    "MAX_WEBHOOK_PATH",
    "MaxFeeder",
    "MaxPoller",
    "MaxSession",
    "create_max_bot",
    "is_max",
    "max_client",
    "max_feeder",
    "webhook_route",
]


def create_max_bot(token: str, api_base: str | None, database: Database) -> Bot:
    """The MAX bot as an aiogram Bot (with the same retries as Telegram's)."""
    client = MaxClient(token, api_base or DEFAULT_BASE_URL)
    session = MaxSession(client, MessageNumbers(database), PendingCallbacks())
    session.middleware(RetryRequestMiddleware())
    return Bot(
        token=MAX_TOKEN_STAND_IN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def is_max(bot: Bot) -> bool:
    return isinstance(bot.session, MaxSession)


def max_feeder(bot: Bot, dispatcher: Dispatcher) -> MaxFeeder:
    session = bot.session
    assert isinstance(session, MaxSession)
    return MaxFeeder(bot, dispatcher, session.numbers, session.pending)


def max_client(bot: Bot) -> MaxClient:
    session = bot.session
    assert isinstance(session, MaxSession)
    return session.client
