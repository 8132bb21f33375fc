"""What both bot tiers share: the people who write to the bot, its settings, the data files,
and the small test API (ask / press / press_label / upload) a test drives the bot with.

The in-process tier (``tests/chat``) feeds each update to the real dispatcher and returns when
its handler has; the HTTP tier (``tests/e2e``) lets the real bot long-poll the fake server.
Either way a test reads the same: ``reply = await bot.ask(ADMIN, "/start")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import Application
from bot.settings import Settings
from core.clock import ManualClock
from core.models import Role
from services.privacy import CONSENT_VERSION
from services.roadmaps import RoadmapService
from tests.fakebot import FakeBotAPI, FakeUser, SentMessage

TOKEN = "123456:TEST"
ZONE = "Asia/Vladivostok"
ADMIN = FakeUser(1001, "Ирина", language_code="ru")
STRANGER = FakeUser(2002, "Пётр", language_code="ru")
COORDINATOR = FakeUser(4004, "Наталья", language_code="ru")
EXECUTOR = FakeUser(5005, "Нина", language_code="ru")
DATA = Path(__file__).resolve().parent / "data" / "roadmaps"
SCHOOL = "МБОУ «СОШ №2»"


# What a person linked in a test agreed to: the consent on record, as an invite records it.
CONSENTED = (CONSENT_VERSION, datetime(2022, 9, 1, tzinfo=UTC))


def bot_settings(tmp_path: Path, api_base: str | None = None, **overrides: Any) -> Settings:
    """The bot's settings for a test: its own SQLite file and data directory under tmp_path.
    ``api_base``: the fake server's URL, for a bot that talks HTTP."""
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_base": api_base,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "admin_ids": frozenset({ADMIN.id}),
        "timezone": ZONE,
        # Tests type faster than people; the flood limit has its own test.
        "throttle_burst": 100,
        # The generated survey secret (and anything else kept there) stays out of ./data.
        "data_dir": tmp_path,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@dataclass
class BotDriver:
    """The real bot (``Application``) and the fake Bot API it talks to, driven as users do.

    ``deliver`` gets pushed updates to the bot; the ``api``'s waits (``next_message``,
    ``wait_edit``, ...) then find what it did: at once in-process, within a ceiling over HTTP.
    """

    app: Application
    api: FakeBotAPI
    clock: ManualClock

    def account(self, user: FakeUser) -> int:
        """The account id the bot knows this user by (core.messengers): on Telegram their
        Telegram id."""
        return user.id

    async def deliver(self) -> None:
        """Hand the updates pushed so far to the bot."""
        raise NotImplementedError

    async def send(self, user: FakeUser, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """Send a text as this user (in their private chat unless ``chat_id``); no reply read.
        Returns the update (``["message"]["message_id"]`` is the text's id)."""
        update = self.api.push_text(user, text, chat_id)
        await self.deliver()
        return update

    async def ask(self, user: FakeUser, text: str) -> SentMessage:
        """Send a text as this user and return the bot's next message to them."""
        await self.send(user, text)
        return await self.api.next_message(user.id)

    async def upload(
        self, user: FakeUser, file_name: str, content: bytes, caption: str | None = None
    ) -> SentMessage:
        """Send a document as this user and return the bot's next message to them."""
        self.api.push_document(user, file_name, content, caption=caption)
        await self.deliver()
        return await self.api.next_message(user.id)

    async def press(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        """Press a button (by its callback data) as this user; the bot's answer to the press."""
        _, query = self.api.press(user, message, data)
        await self.deliver()
        return await self.api.wait_answered(query)

    async def press_label(
        self, user: FakeUser, message: SentMessage, label: str
    ) -> dict[str, Any]:
        """Press the button whose text contains `label`; the bot's answer to the press."""
        return await self.press(user, message, message.button(label))


async def add_person(
    bot: BotDriver, user: FakeUser, role: Role, organisation: str = SCHOOL
) -> None:
    """A person of this organisation linked to this Telegram user (invites come later)."""
    service = RoadmapService(bot.app.database, bot.clock)
    org = await service.organisation_named(organisation, ZONE)
    async with bot.app.database.transaction() as repositories:
        person = await repositories.people.add(
            full_name=user.first_name,
            name_key=user.first_name.lower(),
            role=role,
            created_at=bot.clock.now(),
            organisation_id=org.id,
        )
        await repositories.people.link_account(person.id, bot.account(user), user.language_code)
        await repositories.people.record_consent(person.id, *CONSENTED)
