"""Webhook mode and `GET /healthz`: the aiohttp server in front of the dispatcher.

Telegram posts each update to WEBHOOK_URL with the secret in `X-Telegram-Bot-Api-Secret-Token`;
a request without it gets 401 and is not handled. The answer goes back once the update was
handled: an instance killed in the middle never answered, so Telegram sends the update again
(to whichever instance the proxy picks) instead of losing it. An update that takes longer than
Telegram waits is answered at that point and finishes in the background.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.methods import TelegramMethod
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from core.clock import Clock
from scheduler.tick import ReminderTick
from storage.database import Database

if TYPE_CHECKING:
    from bot.app import Application

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
# Telegram gives up on a webhook request after about a minute and then sends it again.
_ANSWER_WITHIN = 50.0


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering Telegram after the update was handled (see the module)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str) -> None:
        super().__init__(
            dispatcher=dispatcher, bot=bot, secret_token=secret_token, handle_in_background=False
        )
        self._late: set[asyncio.Task[None]] = set()

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        task = asyncio.create_task(self._feed(bot, update))
        done, _ = await asyncio.wait({task}, timeout=_ANSWER_WITHIN)
        if not done:
            logger.warning("update %s is still being handled; answered", update.get("update_id"))
            self._late.add(task)
            task.add_done_callback(self._late.discard)
        return web.json_response({})

    async def _feed(self, bot: Bot, update: dict[str, Any]) -> None:
        result = await self.dispatcher.feed_raw_update(bot=bot, update=update, **self.data)
        if isinstance(result, TelegramMethod):
            await self.dispatcher.silent_call_request(bot=bot, result=result)


async def health(
    database: Database, dispatcher: Dispatcher, tick: ReminderTick, clock: Clock
) -> tuple[int, dict[str, object]]:
    """200 when the database (and Redis, when used) answer; what is due and when the
    reminder tick last ran, for a monitor to alert on."""
    report: dict[str, object] = {}
    healthy = True
    now = clock.now()
    try:
        async with database.transaction() as repositories:
            oldest = await repositories.outbox.oldest_due(now)
        report["database"] = "ok"
        report["outbox_lag_seconds"] = 0 if oldest is None else int((now - oldest).total_seconds())
    except Exception:
        healthy = False
        report["database"] = "unreachable"
    storage = dispatcher.storage
    if isinstance(storage, RedisStorage):
        try:
            await asyncio.wait_for(storage.redis.ping(), timeout=3)
            report["redis"] = "ok"
        except Exception:
            healthy = False
            report["redis"] = "unreachable"
    else:
        report["redis"] = "not used"
    last: datetime | None = tick.last_run
    report["last_tick"] = last.isoformat() if last is not None else None
    report["status"] = "ok" if healthy else "failing"
    return (200 if healthy else 503), report


def health_routes(application: Application) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.get(HEALTH_PATH)
    async def healthz(_request: web.Request) -> web.Response:
        status, report = await health(
            application.database, application.dispatcher, application.tick, application.clock
        )
        return web.json_response(report, status=status)

    return routes


def webhook_app(application: Application) -> web.Application:
    """The webhook's path (from WEBHOOK_URL) and /healthz, on one aiohttp application."""
    settings = application.settings
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    app = web.Application()
    WebhookHandler(
        application.dispatcher, application.bot, settings.webhook_secret.get_secret_value()
    ).register(app, path=webhook_path(settings.webhook_url))
    app.add_routes(health_routes(application))
    return app


def health_app(application: Application) -> web.Application:
    app = web.Application()
    app.add_routes(health_routes(application))
    return app


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


# At a stop, requests under way get this long to finish; one cut short was never answered, so
# Telegram sends its update again (to another instance, or to this one once it is back).
# aiohttp's default of a minute would also wait out every idle keep-alive connection.
_STOP_WITHIN = 5.0


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=_STOP_WITHIN)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
