"""The real bot (the same assembly as `python -m bot`) polling the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Application
from bot.settings import Settings
from core.clock import ManualClock
from core.models import Role
from scheduler.pacing import Pacer
from services.roadmaps import RoadmapService
from tests.fakebot import FakeBotAPI, FakeUser, SentMessage

TOKEN = "123456:TEST"
ADMIN = FakeUser(1001, "Ирина", language_code="ru")
STRANGER = FakeUser(2002, "Пётр", language_code="ru")


@dataclass
class RunningBot:
    app: Application
    api: FakeBotAPI
    clock: ManualClock

    async def ask(self, user: FakeUser, text: str) -> SentMessage:
        """Send a text as this user and return the bot's next message to them."""
        self.api.push_text(user, text)
        return await self.api.next_message(user.id)

    async def press(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        """Press a button (by its callback data) as this user; the bot's answer to the press."""
        _, query = self.api.press(user, message, data)
        return await self.api.wait_answered(query)

    async def press_label(
        self, user: FakeUser, message: SentMessage, label: str
    ) -> dict[str, Any]:
        """Press the button whose text contains `label`; the bot's answer to the press."""
        return await self.press(user, message, message.button(label))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


def bot_settings(api: FakeBotAPI, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        # Tests type faster than people; the flood limit has its own test.
        "throttle_burst": 100,
        # The generated survey secret (and anything else kept there) stays out of ./data.
        "data_dir": tmp_path,
        **overrides,
    }
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        telegram_api_base=api.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        admin_ids=frozenset({ADMIN.id}),
        timezone="Asia/Vladivostok",
        **values,
    )


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
    polling = asyncio.create_task(app.run_polling(handle_signals=False))
    try:
        await api.wait_for(lambda: api.calls_to("getUpdates"), what="the bot to start polling")
        yield RunningBot(app=app, api=api, clock=clock)
    finally:
        app.request_stop()
        await asyncio.wait_for(polling, timeout=15)


COORDINATOR = FakeUser(4004, "Наталья", language_code="ru")
EXECUTOR = FakeUser(5005, "Нина", language_code="ru")
DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"


async def add_person(
    bot: RunningBot, user: FakeUser, role: Role, organisation: str = "МБОУ «СОШ №2»"
) -> None:
    """A person of this organisation linked to this Telegram user (invites come later)."""
    service = RoadmapService(bot.app.database, bot.clock)
    org = await service.organisation_named(organisation, "Asia/Vladivostok")
    async with bot.app.database.transaction() as repositories:
        await repositories.people.add(
            full_name=user.first_name,
            name_key=user.first_name.lower(),
            role=role,
            created_at=bot.clock.now(),
            organisation_id=org.id,
            telegram_user_id=user.id,
        )
