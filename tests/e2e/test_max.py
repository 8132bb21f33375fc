"""What only MAX has, or what only shows with both messengers in one process.

The shared journeys (import, invites, tasks, reminders, reports, notices, survey anonymity) run
on MAX too, parametrised (``pytest -k max``); here: a card edited after a restart, MAX's 429 and
``attachment.not.ready``, a person linked in both messengers, a survey posted in a group chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import Application
from bot.planning import create_planning
from core.clock import ManualClock
from core.deeplinks import DeepLink, DeepLinkKind
from core.messengers import max_user_account
from core.models import Role
from roadmap.responsible import person_key
from scheduler.pacing import Pacer
from services.access import Actor
from services.reminders import plan_reminders
from services.roadmaps import RoadmapService
from storage.schema import max_messages, outbox
from tests.e2e.conftest import (
    CLUBS_SURVEY,
    COORDINATOR,
    RunningBot,
    add_person,
    bot_settings,
    import_school_roadmap,
)
from tests.fakebot import FakeBotAPI, FakeUser
from tests.fakemax import FakeMaxAPI, MaxFrontend
from tests.fakemax.server import DEFAULT_TOKEN as MAX_TOKEN
from tests.fakemax.server import FakeChat
from tests.harness import CONSENTED, SCHOOL, ZONE

pytestmark = pytest.mark.parametrize("messenger", ["max"])

VLADIVOSTOK = ZoneInfo(ZONE)
SHABANOVA = FakeUser(6006, "Наталья", last_name="Шабанова")
FAST = Pacer(global_per_second=1000, per_chat_interval=0.0)


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 1, tzinfo=VLADIVOSTOK)


async def _link(bot: RunningBot, user: FakeUser, name: str) -> None:
    org = await RoadmapService(bot.app.database, bot.clock).organisation_named(SCHOOL, ZONE)
    async with bot.app.database.transaction() as repositories:
        (person,) = await repositories.people.find_by_name_key(org.id, person_key(name))
        await repositories.people.link_account(person.id, bot.account(user), "ru", CONSENTED)
        tasks = await repositories.tasks.of_person(person.id)
        await plan_reminders(repositories, tasks, bot.clock, create_planning(bot.app.settings))


@contextlib.asynccontextmanager
async def _running(
    api: MaxFrontend, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[RunningBot]:
    """The bot on MAX alone (no BOT_TOKEN), polling the fake; stopped at the end."""
    app = await Application.create(bot_settings(api, tmp_path), clock, pacer=FAST)
    for job in ("reminder-tick", "survey-closing", "survey-mixing"):
        app.scheduler.remove_job(job)
    polls = len(api.calls_to("GET /updates"))
    running = asyncio.create_task(app.run_max_only(handle_signals=False))
    try:
        await api.wait_for(
            lambda: len(api.calls_to("GET /updates")) > polls, what="the bot to poll MAX"
        )
        bot = RunningBot(app=app, api=api, clock=clock)  # type: ignore[arg-type]
        bot.messenger = "max"
        yield bot
    finally:
        app.request_stop()
        await asyncio.wait_for(running, timeout=15)


async def test_a_reminder_card_sent_before_a_restart_is_edited_after_it(
    api: MaxFrontend, tmp_path: Path, clock: ManualClock
) -> None:
    async with _running(api, tmp_path, clock) as bot:
        await import_school_roadmap(bot)
        await _link(bot, SHABANOVA, "Шабанова Н.С.")
        clock.set(_morning(date(2022, 9, 30)))
        await bot.app.tick.run()
        reminder = next(
            m for m in api.chats[SHABANOVA.id] if "Утверждение школьного" in m.plain_text
        )
        async with bot.app.database.engine.connect() as connection:
            kept = (
                await connection.execute(
                    select(max_messages.c.mid)
                    .join(outbox, outbox.c.message_id == max_messages.c.id)
                    .where(outbox.c.chat_id == bot.account(SHABANOVA), outbox.c.status == "sent")
                )
            ).scalars()
        assert reminder.mid in set(kept)  # MAX's string id, kept under the outbox's number

    # A new process: nothing of the old one's memory, the same database.
    async with _running(api, tmp_path, clock) as bot:
        await bot.press_label(SHABANOVA, reminder, "Выполнено")
        asked = await api.wait_edit(reminder)
        assert "Без отчёта" in str(asked.buttons())
        await bot.press_label(SHABANOVA, asked, "Без отчёта")
        done = await api.wait_edit(asked)
        assert "выполнено" in done.plain_text
    assert not api.invalid_requests


async def test_a_429_and_an_unready_attachment_are_survived(running_bot: RunningBot) -> None:
    bot = running_bot
    api = bot.api
    await import_school_roadmap(bot)
    # MAX says «too many requests» to the next send: the answer still comes, after the wait.
    api.fail("POST /messages", 429, times=1, retry_after=1)
    status = await bot.ask(COORDINATOR, "/status")
    assert "Ход работ" in status.plain_text or "✅" in status.plain_text
    assert api.rejected_429 or api.calls_to("POST /messages")

    # An invite's QR code is an image MAX is still processing twice: it arrives all the same.
    api.server.not_ready(2)
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, "Шабанова")
    card = await api.wait_edit(listing)
    await bot.press_label(COORDINATOR, card, "Пригласить")
    invite = await api.next_message(COORDINATOR.id)
    assert "https://max.ru/roadmap_test_bot?start=i_" in invite.plain_text
    qr = await api.next_message(COORDINATOR.id, timeout=30)
    assert qr.kind == "photo" and qr.content and qr.content.startswith(b"\x89PNG")
    assert api.server.not_ready_answers >= 2

    # The outbox too: a 429 in the middle of the morning's reminders loses none.
    await _link(bot, SHABANOVA, "Шабанова Н.С.")
    api.fail("POST /messages", 429, times=1, retry_after=1)
    bot.clock.set(_morning(date(2022, 9, 30)))
    await bot.app.tick.run()
    assert any("Утверждение школьного" in m.plain_text for m in api.chats[SHABANOVA.id])
    async with bot.app.database.transaction() as repositories:
        rows = await repositories.outbox.all_rows()
    assert [row for row in rows if row.status == "sent"]
    assert not [row for row in rows if row.status not in ("sent", "planned", "cancelled")]


async def test_photo_evidence_goes_both_ways(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    await _link(bot, SHABANOVA, "Шабанова Н.С.")
    bot.api.push_photo(SHABANOVA, b"\xff\xd8 stand photo", caption="Стенд в холле")
    which = await bot.api.next_message(SHABANOVA.id)
    await bot.press_label(SHABANOVA, which, "Информационное")
    card = await bot.api.wait_edit(which)
    assert "Отчёт приложен" in card.plain_text
    listing = await bot.ask(SHABANOVA, "/tasks")
    await bot.press_label(SHABANOVA, listing, "Информационное")
    opened = await bot.api.wait_edit(listing)
    await bot.press_label(SHABANOVA, opened, "Показать файлы")
    photo = await bot.api.next_message(SHABANOVA.id)
    assert photo.kind == "photo" and photo.content == b"\xff\xd8 stand photo"


async def test_a_survey_posted_in_a_max_group_chat(running_bot: RunningBot) -> None:
    bot = running_bot
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    async with bot.app.database.transaction() as repositories:
        person = await repositories.people.by_account(bot.account(COORDINATOR))
    coordinator = Actor(bot.account(COORDINATOR), person, is_admin=False)
    survey = await bot.app.surveys.create(coordinator, CLUBS_SURVEY)
    await bot.app.surveys.open(coordinator, survey.id, date(2022, 9, 30))
    # The coordinator adds the bot to the class parents' chat and asks for the post there.
    chat = FakeChat(-7001, "7А — родители", owner=bot.api.user(COORDINATOR))
    bot.api.server.add_to_chat(chat)
    bot.api.push_text(COORDINATOR, "/survey", chat_id=chat.chat_id)
    picker = await bot.api.next_message(-7001)
    await bot.press_label(COORDINATOR, picker, "Кружки")
    post = await bot.api.wait_edit(picker)
    link = post.button("Пройти опрос")
    payload = DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
    assert link == f"https://max.ru/roadmap_test_bot?start={payload}"
    # A parent opens it: the survey starts in their dialog with the bot.
    parent = FakeUser(8_100_000, "Мама")
    intro = await bot.open_link(parent, payload)
    assert "Кружки" in intro.plain_text and "Начать" in str(intro.buttons())


@pytest.fixture
async def both(tmp_path: Path, clock: ManualClock) -> AsyncIterator[tuple[RunningBot, RunningBot]]:
    """One process on both messengers: the same bot seen from Telegram and from MAX."""
    async with FakeBotAPI() as telegram, FakeMaxAPI() as max_server:
        max_api = MaxFrontend(max_server)
        settings = bot_settings(
            telegram,
            tmp_path,
            max_token=MAX_TOKEN,
            max_api_base=max_server.base_url,
        )
        app = await Application.create(settings, clock, pacer=FAST)
        for job in ("reminder-tick", "survey-closing", "survey-mixing"):
            app.scheduler.remove_job(job)
        polling = asyncio.create_task(app.run_polling(handle_signals=False))
        try:
            await telegram.wait_for(lambda: telegram.calls_to("getUpdates"), what="polling")
            await max_api.wait_for(lambda: max_api.calls_to("GET /updates"), what="MAX polling")
            on_telegram = RunningBot(app=app, api=telegram, clock=clock)
            on_max = RunningBot(app=app, api=max_api, clock=clock)  # type: ignore[arg-type]
            on_max.messenger = "max"
            yield on_telegram, on_max
        finally:
            app.request_stop()
            await asyncio.wait_for(polling, timeout=15)
        assert not max_server.invalid_requests


async def _accept(bot: RunningBot, user: FakeUser, payload: str) -> str:
    question = await bot.open_link(user, payload)
    await bot.press_label(user, question, "Да, это я")
    consent = await bot.api.wait_edit(question)
    await bot.press_label(user, consent, "Да, согласен")
    done = await bot.api.wait_edit(consent)
    return str(done.plain_text)


async def _invite(bot: RunningBot) -> tuple[str, str]:
    """The coordinator's invite for Шабанова: its Telegram and MAX links."""
    listing = await bot.ask(COORDINATOR, "/people")
    await bot.press_label(COORDINATOR, listing, "Шабанова")
    card = await bot.api.wait_edit(listing)
    await bot.press_label(COORDINATOR, card, "Пригласить")
    invite = await bot.api.next_message(COORDINATOR.id)
    await bot.api.next_message(COORDINATOR.id)  # its QR code
    words = invite.plain_text.split()
    telegram = next(w for w in words if w.startswith("https://t.me/"))
    max_link = next(w for w in words if w.startswith("https://max.ru/"))
    assert telegram.split("?start=")[1] == max_link.split("?start=")[1]  # one code, either app
    return telegram, max_link


async def test_a_person_on_both_messengers_gets_messages_where_she_chose(
    both: tuple[RunningBot, RunningBot], messenger: str
) -> None:
    on_telegram, on_max = both
    await import_school_roadmap(on_telegram)
    first, _ = await _invite(on_telegram)
    assert "Готово" in await _accept(on_telegram, SHABANOVA, first.split("?start=")[1])
    told = await on_telegram.api.next_message(COORDINATOR.id)
    assert "подключился(ась)" in told.plain_text
    # A second invite, opened in MAX: the same person, now in both.
    _, second = await _invite(on_telegram)
    linked = await _accept(on_max, SHABANOVA, second.split("?start=")[1])
    assert "и в Telegram, и в MAX" in linked
    async with on_telegram.app.database.transaction() as repositories:
        person = await repositories.people.by_account(max_user_account(SHABANOVA.id))
    assert person is not None and person.telegram_user_id == SHABANOVA.id
    assert person.account == max_user_account(SHABANOVA.id)  # the last linked

    day = date(2022, 9, 30)
    on_telegram.clock.set(_morning(day))
    before = len(on_telegram.api.chats[SHABANOVA.id])
    await on_telegram.app.tick.run()
    assert any("Утверждение школьного" in m.plain_text for m in on_max.api.chats[SHABANOVA.id])
    assert len(on_telegram.api.chats[SHABANOVA.id]) == before

    # She wants them in Telegram after all: /here there, and the next morning's go there.
    here = await on_telegram.ask(SHABANOVA, "/here")
    assert "сюда, в Telegram" in here.plain_text
    on_telegram.clock.set(_morning(day + timedelta(days=3)))  # Monday
    seen_on_max = len(on_max.api.chats[SHABANOVA.id])
    await on_telegram.app.tick.run()
    assert any(
        "Утверждение школьного" in m.plain_text
        for m in on_telegram.api.chats[SHABANOVA.id][before:]
    )
    assert len(on_max.api.chats[SHABANOVA.id]) == seen_on_max


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_max_webhook_mode_takes_updates_with_the_secret_only(
    api: MaxFrontend, tmp_path: Path, clock: ManualClock
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/max"
    settings = bot_settings(
        api,
        tmp_path,
        max_webhook_url=url,
        max_webhook_secret="max-hook-secret",
        max_webhook_port=port,
    )
    app = await Application.create(settings, clock, pacer=FAST)
    running = asyncio.create_task(app.run_max_only(handle_signals=False))
    try:
        await api.wait_for(lambda: api.server.subscriptions, what="the bot to subscribe")
        assert api.server.subscriptions[url]["secret"] == "max-hook-secret"
        bot = RunningBot(app=app, api=api, clock=clock)  # type: ignore[arg-type]
        bot.messenger = "max"
        await add_person(bot, COORDINATOR, Role.COORDINATOR)
        help_text = await bot.ask(COORDINATOR, "/help")
        assert "/tasks" in help_text.plain_text
        assert not api.calls_to("GET /updates")  # no polling while subscribed
        async with aiohttp.ClientSession() as session:
            forged = {"update_type": "bot_started", "timestamp": 0, "chat_id": 1, "user": {}}
            async with session.post(url, json=forged) as response:
                assert response.status == 401  # no secret: refused, not handled
            async with session.get(url.replace("/max", "/healthz")) as response:
                assert response.status == 200
    finally:
        app.request_stop()
        await asyncio.wait_for(running, timeout=15)


async def test_a_file_sent_in_max_reaches_a_coordinator_in_telegram(
    both: tuple[RunningBot, RunningBot], messenger: str
) -> None:
    on_telegram, on_max = both
    await import_school_roadmap(on_telegram)
    await _link(on_max, SHABANOVA, "Шабанова Н.С.")
    listing = await on_max.ask(SHABANOVA, "/tasks")
    await on_max.press_label(SHABANOVA, listing, "Утверждение школьного")
    card = await on_max.api.wait_edit(listing)
    await on_max.press_label(SHABANOVA, card, "Выполнено")
    await on_max.api.wait_edit(card)
    on_max.api.push_document(SHABANOVA, "prikaz-123.pdf", b"%PDF-1.4 order")
    done = await on_max.api.next_message(SHABANOVA.id)
    assert "prikaz-123.pdf" in done.plain_text
    told = await on_telegram.api.next_message(COORDINATOR.id)
    assert "prikaz-123.pdf" in told.plain_text

    status = await on_telegram.ask(COORDINATOR, "/status")
    await on_telegram.press_label(COORDINATOR, status, "✅1")
    opened = await on_telegram.api.wait_edit(status)
    await on_telegram.press_label(COORDINATOR, opened, "Показать файлы")
    file = await on_telegram.api.next_message(COORDINATOR.id)
    # Fetched from MAX and sent again in Telegram: the same bytes under the same name.
    assert file.kind == "document" and file.content == b"%PDF-1.4 order"
    assert file.file_name == "prikaz-123.pdf"
