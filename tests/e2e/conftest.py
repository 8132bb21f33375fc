"""The real bot (the same assembly as `python -m bot`) polling the fake Bot API over HTTP.

This tier is for what only a running process shows: polling, Telegram's errors and limits on the
wire, pacing, start and stop. Conversations are tested in-process (``tests/chat``); the users,
settings and the ask/press test API are shared from ``tests.harness``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Application
from bot.settings import Settings
from core.clock import ManualClock
from core.messengers import max_user_account
from core.models import Role
from scheduler.pacing import Pacer
from storage.database import Database
from storage.records import PlannedMessage
from surveys.model import Audience, Option, Question, QuestionKind, Segments, SurveyDefinition
from tests import harness
from tests.conftest import POSTGRES_URL_VARIABLE
from tests.fakebot import FakeBotAPI
from tests.fakemax import FakeMaxAPI, MaxFrontend
from tests.fakemax.server import DEFAULT_TOKEN as DEFAULT_MAX_TOKEN
from tests.harness import (
    ADMIN,
    COORDINATOR,
    DATA,
    EXECUTOR,
    STRANGER,
    TOKEN,
    BotDriver,
    add_person,
)

__all__ = [
    "ADMIN",
    "BOTH_MESSENGERS",
    "CLUBS_SURVEY",
    "COORDINATOR",
    "DATA",
    "EXECUTOR",
    "STRANGER",
    "TOKEN",
    "RunningBot",
    "add_person",
    "alerted",
    "bot_settings",
    "import_school_roadmap",
    "plan_countdowns",
]


# Two short questions for a parent: «Да»/«Нет», then a text (what each test's respondent types).
CLUBS_SURVEY = SurveyDefinition(
    title="Кружки",
    intro="Два коротких вопроса.",
    audience=Audience.PARENTS,
    segments=Segments(ask_role=False),
    questions=(
        Question(
            "1",
            "Ходит ли ребёнок в кружок?",
            QuestionKind.SINGLE,
            options=(Option("1", "Да"), Option("2", "Нет")),
        ),
        Question("2", "Какой кружок?", QuestionKind.TEXT, max_length=100),
    ),
)


async def import_school_roadmap(bot: BotDriver) -> None:
    """The coordinator (linked) uploads the school's roadmap and imports it as previewed."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    bot.api.push_document(
        COORDINATOR, "plan.txt", (DATA / "school-tech-cluster-2022.txt").read_bytes()
    )
    preview = await bot.api.next_message(COORDINATOR.id, timeout=15)
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    await bot.api.wait_edit(preview)


async def plan_countdowns(
    database: Database, chats: Sequence[int], prefix: str, now: datetime
) -> None:
    """Reminders due `now`, one to each chat, about the first task of the only roadmap (what
    a tick must send, without linking a thousand people)."""
    async with database.transaction() as repositories:
        (roadmap,) = await repositories.roadmaps.in_organisations(
            [o.id for o in await repositories.organisations.list_all()]
        )
        task = (await repositories.tasks.in_roadmap(roadmap.id))[0]
        await repositories.outbox.plan(
            [
                PlannedMessage(
                    key=f"{prefix}:{chat}",
                    kind="countdown",
                    task_id=task.id,
                    person_id=None,
                    chat_id=chat,
                    local_day=now.date(),
                    planned_at=now,
                )
                for chat in chats
            ],
            now,
        )


# A journey module runs on both messengers with ``pytestmark = BOTH_MESSENGERS`` (test ids
# then end in [telegram] or [max]: ``pytest -k max`` selects the MAX side).
BOTH_MESSENGERS = pytest.mark.parametrize("messenger", ["telegram", "max"])
MAX_TOKEN = DEFAULT_MAX_TOKEN


class RunningBot(BotDriver):
    """The bot polling over HTTP: a pushed update is on its way once it is queued."""

    messenger: str = "telegram"

    async def deliver(self) -> None:
        """Nothing to do: the bot's getUpdates takes what was pushed."""

    def account(self, user: harness.FakeUser) -> int:
        if self.messenger == "max":
            return max_user_account(user.id)
        return user.id

    @property
    def on_max(self) -> bool:
        return self.messenger == "max"

    @property
    def link_prefix(self) -> str:
        """How the bot's deep links begin (both fakes name the bot roadmap_test_bot)."""
        site = "https://max.ru/" if self.on_max else "https://t.me/"
        return f"{site}roadmap_test_bot?start="

    def sends_to(self, user: harness.FakeUser) -> list[Any]:
        """The bot's attempts to send a message to this user (answered or refused)."""
        if self.on_max:
            calls = self.api.calls_to("POST /messages")
            return [c for c in calls if c.query.get("user_id") == str(user.id)]
        return [c for c in self.api.calls_to("sendMessage") if c.params["chat_id"] == user.id]

    async def open_link(self, user: harness.FakeUser, payload: str) -> Any:
        """The user opens a deep link: Telegram sends «/start <payload>», MAX a bot_started
        update with the payload; the bot's next message to them."""
        if not self.on_max:
            return await self.ask(user, f"/start {payload}")
        self.api.start(user, payload)
        return await self.api.next_message(user.id)


def alerted(bot: RunningBot, answer: dict[str, Any]) -> bool:
    """The press was answered as an alert: Telegram's show_alert; MAX has no alerts, its
    answer is a notification, so any answer with text counts."""
    if bot.on_max:
        return bool(answer.get("text"))
    return answer.get("show_alert") is True


@pytest.fixture
def messenger() -> str:
    """Which fake the bot talks to: Telegram's unless a module runs on both."""
    return "telegram"


@pytest.fixture
async def api(messenger: str) -> AsyncIterator[Any]:
    """The fake messenger: the Bot API, or MAX behind the same test-facing calls."""
    if messenger == "max":
        async with FakeMaxAPI() as server:
            yield MaxFrontend(server)
            assert not server.invalid_requests, server.invalid_requests
        return
    async with FakeBotAPI() as server:
        yield server


def bot_settings(api: Any, tmp_path: Path, **overrides: object) -> Settings:
    if isinstance(api, MaxFrontend):
        values: dict[str, object] = {
            "bot_token": None,
            "max_token": MAX_TOKEN,
            "max_api_base": api.base_url,
            "admin_ids": frozenset(),
            "max_admin_ids": frozenset({ADMIN.id}),
            **overrides,
        }
        return harness.bot_settings(tmp_path, None, **values)
    return harness.bot_settings(tmp_path, api.base_url, **overrides)


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A PostgreSQL database of its own (for bots run as processes, which cannot be given a
    schema), dropped afterwards; skips where TEST_DATABASE_URL is not set."""
    base_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base_url:
        pytest.skip(f"PostgreSQL: set {POSTGRES_URL_VARIABLE} to run on it (CI does)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The bot's own database, for a test that reads its files or runs `python -m bot`: a
    SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to run the bot with other settings."""
    return {}


@pytest.fixture
def pacer() -> Pacer | None:
    """Override (or parametrize) to space the bot's sends otherwise than Telegram's limits."""
    return None


@pytest.fixture
async def running_bot(
    api: FakeBotAPI,
    tmp_path: Path,
    clock: ManualClock,
    settings_overrides: dict[str, object],
    pacer: Pacer | None,
) -> AsyncIterator[RunningBot]:
    app = await Application.create(
        bot_settings(api, tmp_path, **settings_overrides), clock, pacer=pacer
    )
    # Tests move the clock and call the tick themselves; the real-time job would race them.
    app.scheduler.remove_job("reminder-tick")
    app.scheduler.remove_job("survey-closing")
    app.scheduler.remove_job("survey-mixing")
    if app.telegram:
        polling = asyncio.create_task(app.run_polling(handle_signals=False))
    else:
        polling = asyncio.create_task(app.run_max_only(handle_signals=False))
    try:
        await api.wait_for(lambda: api.calls_to("getUpdates"), what="the bot to start polling")
        running = RunningBot(app=app, api=api, clock=clock)
        running.messenger = "max" if isinstance(api, MaxFrontend) else "telegram"
        yield running
    finally:
        app.request_stop()
        await asyncio.wait_for(polling, timeout=15)
