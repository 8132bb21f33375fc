"""The demo's world: the real bot against the embedded fake Telegram, three people playing it.

A coordinator, an executor and a parent are three fake Telegram users ("phones"). On the first
start the world seeds its own SQLite file under DATA_DIR/demo: the coordinator uploads the
school's roadmap and imports it as previewed (as a person would, through the bot), the executor
is linked to a responsible person of that roadmap, a parents' survey is opened. The demo clock
runs from a school morning inside the roadmap's period; ``next_day`` moves it to the next
morning and runs the reminder tick, so the morning's reminders arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.app import Application, create_planning
from bot.settings import Settings
from core.deeplinks import DeepLink, DeepLinkKind
from core.models import Role
from fakes.telegram import BOT_USER, FakeBotAPI, FakeUser, SentMessage
from roadmap.responsible import person_key
from services.access import Actor
from services.instances import MAX_POLLING, POLLING
from services.privacy import CONSENT_VERSION
from services.reminders import plan_reminders
from services.roadmaps import RoadmapService
from surveys.loading import builtin_template

logger = logging.getLogger(__name__)

ZONE = "Asia/Vladivostok"
SCHOOL = "МБОУ «СОШ №2»"
ROADMAP_FILE = "school-tech-cluster-2022.txt"
# A Wednesday of the roadmap's first weeks: «Формирование перечней академических партнёров» (due
# 30.09) and «Утверждение школьного координатора» (04.10) are overdue; the next morning is a
# week before the executor's two tasks due 20.10, so «▶ следующий день» brings her reminder.
FIRST_DAY = date(2022, 10, 12)
MORNING = (9, 1)  # a minute after the reminders' time (REMINDER_TIME 09:00)
# Whom the executor's phone plays: a responsible person named in the roadmap.
EXECUTOR_NAME = "Шабанова Н.С."
# A dummy token of Telegram's shape: the fake accepts any.
DEMO_TOKEN = "100500:DEMO-token"
SURVEY_TEMPLATE = "awareness"
SURVEY_DAYS = 14

Phone = Literal["coordinator", "executor", "parent"]
PHONES: dict[str, FakeUser] = {
    "coordinator": FakeUser(7001, "Ирина", last_name="Координатор", language_code="ru"),
    "executor": FakeUser(7002, "Наталья", last_name="Шабанова", language_code="ru"),
    "parent": FakeUser(7003, "Мария", last_name="Родитель", language_code="ru"),
}


class DemoClock:
    """Runs in real time from a moment the demo sets (a frozen clock would keep the polling
    lease of a demo killed mid-run from ever lapsing)."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("DemoClock needs a timezone-aware moment")
        self._anchor = moment
        self._anchored_at = time.monotonic()

    def now(self) -> datetime:
        return self._anchor + timedelta(seconds=time.monotonic() - self._anchored_at)


def morning_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, *MORNING, tzinfo=ZoneInfo(ZONE))


def seed_roadmap() -> bytes:
    return (resources.files("demo") / "seed" / ROADMAP_FILE).read_bytes()


def demo_settings(data_dir: Path, api_base: str, coordinator_id: int) -> Settings:
    """The bot's settings in the demo, whatever the environment says: the fake's token and URL,
    its own database and data folder, no Redis, no webhook, no MAX."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Settings(
        _env_file=None,
        bot_token=DEMO_TOKEN,
        telegram_api_base=api_base,
        database_url=f"sqlite+aiosqlite:///{data_dir / 'demo.sqlite3'}",
        data_dir=data_dir,
        admin_ids=frozenset({coordinator_id}),
        timezone=ZONE,
        throttle_burst=100,
        redis_url=None,
        webhook_url=None,
        max_token=None,
        health_port=None,
        backup_keep=0,
        survey_mix_seconds=60,
    )


@dataclass
class UserMessage:
    """What a phone sent (the fake records only the bot's messages)."""

    message_id: int
    phone: str
    kind: Literal["text", "document", "photo"]
    text: str | None
    file_name: str | None = None


@dataclass
class DemoWorld:
    """Start with ``await DemoWorld.start(data_dir)``, stop with ``await world.close()``."""

    data_dir: Path
    api: FakeBotAPI
    app: Application
    clock: DemoClock
    polling: asyncio.Task[None]
    survey_link: str = ""
    sent: list[UserMessage] = field(default_factory=list)

    @classmethod
    async def start(cls, data_dir: Path, *, fresh: bool = False) -> DemoWorld:
        state = _prepare(data_dir, fresh=fresh)
        api = FakeBotAPI(bot_user={**BOT_USER, "username": "roadmap_demo_bot"})
        await api.start()
        try:
            clock = DemoClock(
                datetime.fromisoformat(state["moment"]) if state else morning_of(FIRST_DAY)
            )
            settings = demo_settings(data_dir, api.base_url, PHONES["coordinator"].id)
            app = await Application.create(settings, clock)
        except BaseException:
            await api.close()
            raise
        # The demo runs the tick itself: on its start and at each «next day».
        app.scheduler.remove_job("reminder-tick")
        await _free_stale_leases(app)
        polling = asyncio.create_task(app.run_polling(handle_signals=False))
        world = cls(data_dir, api, app, clock, polling)
        try:
            await api.wait_for(lambda: api.calls_to("getUpdates"), 60, what="the bot to poll")
            if state:
                world.survey_link = state.get("survey_link", "")
            else:
                await world._seed()
            await app.tick.run()
        except BaseException:
            await world.close()
            raise
        return world

    @property
    def bot_username(self) -> str:
        return str(self.api.bot_user["username"])

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(ZONE)).date()

    async def close(self) -> None:
        """Stops the bot (it closes its database), then the fake; saves the demo's day."""
        with contextlib.suppress(Exception):
            self._save_state()
        self.app.request_stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.polling, timeout=30)
        await self.api.close()

    # ----------------------------------------------------------------- what phones do

    def user(self, phone: str) -> FakeUser:
        try:
            return PHONES[phone]
        except KeyError:
            raise ValueError(f"no phone {phone!r}") from None

    def send(self, phone: str, text: str) -> int:
        """The phone sends a text; its message id."""
        update = self.api.push_text(self.user(phone), text)
        message_id = int(update["message"]["message_id"])
        self.sent.append(UserMessage(message_id, phone, "text", text))
        return message_id

    def upload(self, phone: str, file_name: str, content: bytes, mime_type: str) -> int:
        """The phone sends a file (a photo when it is an image); its message id."""
        user = self.user(phone)
        if mime_type.startswith("image/"):
            update = self.api.push_photo(user, content)
            kind: Literal["document", "photo"] = "photo"
        else:
            update = self.api.push_document(user, file_name, content, mime_type)
            kind = "document"
        message_id = int(update["message"]["message_id"])
        self.sent.append(UserMessage(message_id, phone, kind, None, file_name))
        return message_id

    def press(self, phone: str, message_id: int, data: str) -> str:
        """The phone presses an inline button of the bot's message; the callback query id."""
        user = self.user(phone)
        message = self.message(user.id, message_id)
        if message is None or message.deleted:
            raise LookupError(f"no message {message_id} on the {phone} phone")
        _, query = self.api.press(user, message, data)
        return query

    def open_link(self, phone: str, url: str) -> int | None:
        """A link pressed on a phone: the bot's deep link sends «/start <payload>» as Telegram
        does (its message id); any other link is the browser's (None)."""
        match = re.fullmatch(rf"https://t\.me/{re.escape(self.bot_username)}\?start=(\S+)", url)
        if match is None:
            return None
        return self.send(phone, f"/start {match.group(1)}")

    async def next_day(self) -> date:
        """The demo clock to the next morning; the reminder tick runs. The new day."""
        self.clock.set(morning_of(self.today + timedelta(days=1)))
        self._save_state()
        await self.app.tick.run()
        return self.today

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return next((m for m in self.api.chats[chat_id] if m.message_id == message_id), None)

    def version(self) -> int:
        """Grows at every message sent, edited or deleted on any phone."""
        total = len(self.sent)
        for user in PHONES.values():
            total += sum(1 + m.edits + m.deleted for m in self.api.chats.get(user.id, ()))
        return total

    async def wait_change(self, since: int, timeout: float) -> None:  # noqa: ASYNC109
        with contextlib.suppress(AssertionError):
            await self.api.wait_for(lambda: self.version() != since, timeout, what="a change")

    # ----------------------------------------------------------------- seeding

    async def _seed(self) -> None:
        coordinator, executor = PHONES["coordinator"], PHONES["executor"]
        service = RoadmapService(self.app.database, self.clock)
        org = await service.organisation_named(SCHOOL, ZONE)
        consent = (CONSENT_VERSION, self.clock.now())
        async with self.app.database.transaction() as repositories:
            person = await repositories.people.add(
                full_name=f"{coordinator.first_name} {coordinator.last_name}",
                name_key=person_key(f"{coordinator.last_name} {coordinator.first_name}"),
                role=Role.COORDINATOR,
                created_at=self.clock.now(),
                organisation_id=org.id,
            )
            await repositories.people.link_account(person.id, coordinator.id, "ru", consent)
        self.upload("coordinator", "дорожная-карта.txt", seed_roadmap(), "text/plain")
        preview = await self.api.next_message(coordinator.id, timeout=60)
        self.press("coordinator", preview.message_id, preview.button("Импортировать"))
        await self.api.wait_edit(preview, timeout=60)
        async with self.app.database.transaction() as repositories:
            (person,) = await repositories.people.find_by_name_key(
                org.id, person_key(EXECUTOR_NAME)
            )
            await repositories.people.link_account(person.id, executor.id, "ru", consent)
            # As accepting an invite would: her reminders are planned from now on.
            await plan_reminders(
                repositories,
                await repositories.tasks.of_person(person.id),
                self.clock,
                create_planning(self.app.settings),
            )
        template = builtin_template(SURVEY_TEMPLATE)
        if template is None:  # pragma: no cover - the template ships with the product
            raise RuntimeError(f"no survey template {SURVEY_TEMPLATE}")
        admin = Actor(coordinator.id, None, is_admin=True)
        survey = await self.app.surveys.create(admin, template.definition, org.id)
        survey = await self.app.surveys.open(
            admin, survey.id, self.today + timedelta(days=SURVEY_DAYS)
        )
        payload = DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
        self.survey_link = f"https://t.me/{self.bot_username}?start={payload}"
        self._save_state()

    def _save_state(self) -> None:
        state = {"moment": self.clock.now().isoformat(), "survey_link": self.survey_link}
        path = self.data_dir / "demo.json"
        path.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


def _prepare(data_dir: Path, *, fresh: bool) -> dict[str, Any]:
    """What a seeded demo saved, or {} and no demo folder: asked to start over, never seeded,
    or a seed that did not finish (its folder is the demo's alone)."""
    state = {} if fresh else _read_state(data_dir)
    if not state and data_dir.exists():
        shutil.rmtree(data_dir)
    return state


def _read_state(data_dir: Path) -> dict[str, Any]:
    """What a seeded demo saved; {} before the first seed (or after an unfinished one)."""
    path = data_dir / "demo.json"
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return state if isinstance(state, dict) and state.get("survey_link") else {}


async def _free_stale_leases(app: Application) -> None:
    """A demo killed mid-run left its polling lease: this one is the only demo on its data."""
    async with app.database.transaction() as repositories:
        for name in (POLLING, MAX_POLLING):
            held = await repositories.leases.held(name)
            if held is not None:
                await repositories.leases.release(name, held[0])
