"""The real bot fed its updates in-process: no HTTP, no polling, no waiting.

``Application.create`` builds the same bot as ``python -m bot run`` (services, middlewares,
i18n, FSM storage, a SQLite file under tmp_path); only its session differs: an
:class:`~tests.fakebot.session.InProcessSession` hands each request to the fake server's own
method handling, realism checks included. A pushed update is fed to the dispatcher and awaited,
so when ``ask`` or ``press`` returns, the handler has returned and what the bot sent is in
``bot.api``; its ``wait_*`` look once and fail at once (``wait_ceiling=0``).

Startup and shutdown are emitted around each test with the arguments aiogram's
``Dispatcher.start_polling`` passes, so whatever the application starts with polling runs here
too. Telegram's errors and limits on the wire, pacing, polling and the process stay in
``tests/e2e``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.app import Application
from bot.settings import Settings
from core.clock import ManualClock
from storage.database import Database
from storage.migrate import upgrade_to_head
from tests.fakebot import FakeBotAPI
from tests.fakebot.session import InProcessSession
from tests.harness import BotDriver, bot_settings

SQLITE = "sqlite+aiosqlite:///"


@dataclass
class ChatBot(BotDriver):
    """The bot driven in-process; ``workflow`` is what polling would pass to every update."""

    workflow: dict[str, Any] = field(default_factory=dict)

    async def deliver(self) -> None:
        """Feed every pushed update to the dispatcher, one after another, each to its end."""
        bot, dispatcher = self.app.bot, self.app.dispatcher
        for raw in self.api.take_updates():
            update = Update.model_validate(raw, context={"bot": bot})
            response = await dispatcher.feed_update(bot, update, **self.workflow)
            # Polling sends a method a handler returns instead of calling it; so do we.
            if isinstance(response, TelegramMethod):
                await bot(response)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to run the bot with other settings."""
    return {}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once a run: migrating takes longer than most tests
    here, so each starts from a copy (and the bot's own migration at start finds nothing to
    do)."""
    path = tmp_path_factory.mktemp("migrated") / "bot.sqlite3"

    async def migrate() -> None:
        database = Database.from_url(f"{SQLITE}{path}")
        try:
            await upgrade_to_head(database.engine)
        finally:
            await database.close()

    asyncio.run(migrate())
    return path


def _copy_database(template: Path, settings: Settings) -> None:
    url = settings.resolved_database_url
    if not url.startswith(SQLITE):
        return  # another database: the bot migrates it at start
    target = url.removeprefix(SQLITE)
    # With the engine closed the write-ahead log is folded in; copy whatever is left anyway.
    for part in template.parent.glob(template.name + "*"):
        shutil.copyfile(part, target + part.name.removeprefix(template.name))


@contextlib.asynccontextmanager
async def serving(app: Application, api: FakeBotAPI, clock: ManualClock) -> AsyncIterator[ChatBot]:
    """The application taking updates in-process for the block: startup emitted before and
    shutdown after, as ``Dispatcher.start_polling`` emits them; the application closed."""
    dispatcher = app.dispatcher
    # As start_polling builds it: given to startup, to every update and to shutdown.
    workflow: dict[str, Any] = {
        "dispatcher": dispatcher,
        "bots": (app.bot,),
        **dispatcher.workflow_data,
    }
    try:
        await dispatcher.emit_startup(bot=app.bot, **workflow)
        try:
            yield ChatBot(app=app, api=api, clock=clock, workflow=workflow)
        finally:
            await dispatcher.emit_shutdown(bot=app.bot, **workflow)
    finally:
        await app.aclose()


async def create_app(
    api: FakeBotAPI, settings: Settings, clock: ManualClock, migrated_database: Path
) -> Application:
    """The application of ``python -m bot run``, talking to ``api`` in-process."""
    _copy_database(migrated_database, settings)
    return await Application.create(settings, clock, session=InProcessSession(api))


@pytest.fixture
async def bot(
    tmp_path: Path,
    clock: ManualClock,
    settings_overrides: dict[str, Any],
    migrated_database: Path,
) -> AsyncIterator[ChatBot]:
    api = FakeBotAPI(wait_ceiling=0)
    settings = bot_settings(tmp_path, **settings_overrides)
    app = await create_app(api, settings, clock, migrated_database)
    async with serving(app, api, clock) as driven:
        yield driven
