"""Talking to the Bot API: the HTTP session, retries after 429 and transient failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class RetryRequestMiddleware(BaseRequestMiddleware):
    """Waits out 429s and retries 5xx and network errors a few times, then gives up.

    getUpdates is left alone: the polling loop already backs off on its own, and retrying
    it here would only hide an outage from the log.
    """

    def __init__(
        self,
        *,
        max_attempts: int = 4,
        max_retry_after: float = 60.0,
        backoff: tuple[float, ...] = (0.5, 1.0, 2.0),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._max_attempts = max_attempts
        self._max_retry_after = max_retry_after
        self._backoff = backoff
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        polling = isinstance(method, GetUpdates)
        if polling:
            return await make_request(bot, method)
        name = type(method).__name__
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt >= self._max_attempts or error.retry_after > self._max_retry_after:
                    raise
                logger.warning(
                    "Telegram asked to wait %s s before %s (attempt %s)",
                    error.retry_after,
                    name,
                    attempt,
                )
                await self._sleep(error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt >= self._max_attempts:
                    raise
                delay = self._backoff[min(attempt, len(self._backoff)) - 1]
                logger.warning(
                    "%s failed (%s), retrying in %s s", name, type(error).__name__, delay
                )
                await self._sleep(delay)
            attempt += 1


def create_bot(token: str, api_base: str | None, session: BaseSession | None = None) -> Bot:
    """``session``: another transport than HTTP (the in-process tests); it gets the same
    retries."""
    if session is None:
        session = (
            AiohttpSession(api=TelegramAPIServer.from_base(api_base))
            if api_base
            else AiohttpSession()
        )
    session.middleware(RetryRequestMiddleware())
    return Bot(
        token=token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
