"""Several instances: two `python -m bot` processes in webhook mode on PostgreSQL and Redis,
behind a round-robin proxy, and a second poller refused.

Each update is handled once; a survey answered across both instances is stored once; 1,000 due
reminders go out once each, at most 30 a second in all (the fake Bot API answers 429 above
that); with one instance killed mid-burst the other handles everything that is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from core.clock import SystemClock
from core.deeplinks import DeepLink, DeepLinkKind
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from services.access import Actor
from services.instances import SENDER_TTL
from services.roadmaps import RoadmapService
from services.surveys import SurveyService
from storage.database import Database
from storage.migrate import upgrade_to_head
from tests.e2e.conftest import (
    ADMIN,
    CLUBS_SURVEY,
    DATA,
    RunningBot,
    fresh_postgres_database,
    import_school_roadmap,
    plan_countdowns,
)
from tests.e2e.processes import HANG_CEILING, RoundRobin, bot_env, spawn, wait_healthy
from tests.e2e.test_webhook import free_port
from tests.fakebot import FakeBotAPI, FakeUser, SentMessage

REDIS_URL = os.environ.get("TEST_REDIS_URL")
ZONE = ZoneInfo("Asia/Vladivostok")
SECRET = "instances-survey-secret"
HOOK_SECRET = "two-instances"
USERS = [FakeUser(7_600_000 + n, f"Пользователь {n}") for n in range(50)]
RESPONDENT = FakeUser(7_700_001, "Родитель")
REMINDED = [8_100_000 + n for n in range(1000)]
ADMIN_ACTOR = Actor(ADMIN.id, None, is_admin=True)


async def _prepare(url: str) -> str:
    """The school's roadmap imported and a survey open: its link."""
    database = Database.from_url(url)
    try:
        await upgrade_to_head(database.engine)
        clock = SystemClock()
        roadmaps = RoadmapService(database, clock)
        school = await roadmaps.organisation_named("МБОУ «СОШ №2»", str(ZONE))
        parsed = parse_roadmap(
            read_text((DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8"))
        )
        await roadmaps.apply(school.id, parsed, source_name="plan.txt", actor_telegram_id=ADMIN.id)
        now = clock.now()
        surveys = SurveyService(database, clock, SECRET.encode(), ZONE)
        survey = await surveys.create(ADMIN_ACTOR, CLUBS_SURVEY)
        closes = now.astimezone(ZONE).date() + timedelta(days=30)
        survey = await surveys.open(ADMIN_ACTOR, survey.id, closes)
    finally:
        await database.close()
    return "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()


async def _plan_reminders(url: str) -> None:
    """1,000 reminders due now, to as many people: the instances' next tick sends them."""
    database = Database.from_url(url)
    try:
        await plan_countdowns(database, REMINDED, "many", SystemClock().now())
    finally:
        await database.close()


@contextlib.asynccontextmanager
async def _no_garbage_collection() -> AsyncIterator[None]:
    """This process is the fake Telegram: a full garbage collection over this test's heap holds
    its requests back, and it then counts them as arriving together, a burst the bots never
    sent (without this, one run in three saw one 429 after a bunch of 6-7 sends recorded
    within a millisecond; with it, none in five)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@contextlib.asynccontextmanager
async def _instances(
    api: FakeBotAPI, tmp_path: Path, url: str, bot_id: int
) -> AsyncIterator[tuple[list[asyncio.subprocess.Process], RoundRobin]]:
    assert REDIS_URL is not None
    ports = [free_port(), free_port()]
    proxy = RoundRobin(ports)
    await proxy.start()
    processes = []
    try:
        for number, port in enumerate(ports):
            env = bot_env(
                api,
                BOT_TOKEN=f"{bot_id}:TESTsecretPART",
                ADMIN_IDS=str(ADMIN.id),
                DATABASE_URL=url,
                REDIS_URL=REDIS_URL,
                WEBHOOK_URL=f"http://127.0.0.1:{proxy.port}/tg/hook",
                WEBHOOK_SECRET=HOOK_SECRET,
                WEBHOOK_PORT=str(port),
                SURVEY_SECRET=SECRET,
                THROTTLE_BURST="1000",
                DATA_DIR=str(tmp_path / f"data{number}"),
            )
            processes.append(await spawn(env, tmp_path))
        for port in ports:
            await asyncio.wait_for(wait_healthy(port), HANG_CEILING)
        yield processes, proxy
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.communicate(), HANG_CEILING)
            if process.returncode is None:
                process.kill()
                await process.wait()
        await proxy.close()


def _answers_per_query(api: FakeBotAPI) -> Counter[str]:
    return Counter(
        str(call.params.get("callback_query_id"))
        for call in api.calls_to("answerCallbackQuery")
        if call.ok
    )


def _reminders_per_chat(api: FakeBotAPI) -> Counter[int]:
    wanted = set(REMINDED)
    return Counter(
        int(call.params["chat_id"])
        for call in api.calls_to("sendMessage")
        if call.ok and int(call.params.get("chat_id", 0)) in wanted
    )


async def _press_all(api: FakeBotAPI, screens: dict[int, SentMessage], count: int) -> list[str]:
    """`count` presses of stale buttons, the 50 users in turn: each is answered with an alert."""
    queries = []
    for number in range(count):
        user = USERS[number % len(USERS)]
        _, query = api.press(user, screens[user.id], f"gone:{number}")
        queries.append(query)
    return queries


async def _answer_survey(api: FakeBotAPI, link: str) -> SentMessage:
    api.push_text(RESPONDENT, link)
    message = await api.next_message(RESPONDENT.id, timeout=HANG_CEILING)
    for label in ("Начать", "Да"):
        _, query = api.press(RESPONDENT, message, message.button(label))
        await api.wait_answered(query, timeout=HANG_CEILING)
        await api.wait_edit(message, timeout=HANG_CEILING)
    api.push_text(RESPONDENT, "Шахматы")
    await api.wait_edit(message, timeout=HANG_CEILING)
    send = message.button("Отправить")
    # Two taps at once, on the two instances: one response.
    queries = [api.press(RESPONDENT, message, send)[1] for _ in range(2)]
    for query in queries:
        await api.wait_answered(query, timeout=HANG_CEILING)
    return message


@pytest.mark.slow
@pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set (CI sets it)")
async def test_two_webhook_instances_handle_each_update_once_and_send_at_one_rate(
    api: FakeBotAPI, tmp_path: Path, postgres_url: str, redis_bot_id: int
) -> None:
    link = await _prepare(postgres_url)
    # Telegram's overall limit, for everything the instances send.
    api.rate_limit(30)
    async with (
        _instances(api, tmp_path, postgres_url, redis_bot_id) as (processes, proxy),
        _no_garbage_collection(),
    ):
        # Old messages of the bot, their buttons pressed again (the bot answers each press
        # with an alert, and sends nothing that would count against the overall limit).
        screens = {
            user.id: SentMessage(
                message_id=1000 + number,
                chat_id=user.id,
                kind="text",
                text="Старое сообщение",
                chat={"id": user.id, "type": "private"},
            )
            for number, user in enumerate(USERS)
        }

        # 1,000 presses, the two instances in turn.
        queries = await _press_all(api, screens, 1000)
        await _until(lambda: set(queries) <= set(_answers_per_query(api)))
        answers = _answers_per_query(api)
        assert all(answers[query] == 1 for query in queries)
        assert min(proxy.forwarded.values()) > 300  # both instances took their share

        message = await _answer_survey(api, link)
        assert "Спасибо" in (message.plain_text or "")

        # 1,000 reminders fall due: whichever instance holds the sender lease sends them at
        # its next minute's tick; the other must not send at the same time.
        await _plan_reminders(postgres_url)
        await _until(lambda: len(_reminders_per_chat(api)) == len(REMINDED))
        reminders = _reminders_per_chat(api)
        assert set(reminders.values()) == {1}
        assert api.rejected_429 == 0

        # One instance killed mid-burst (the one not sending the outbox): the other handles
        # the rest, and what the dead one took but never answered comes again.
        sender = await _sender_pid(postgres_url)
        victim = next(p for p in processes if p.pid != sender)
        more = await _press_all(api, screens, 200)
        await _until(lambda: len(set(more) & set(_answers_per_query(api))) >= 50)
        victim.send_signal(signal.SIGKILL)
        await _until(lambda: set(more) <= set(_answers_per_query(api)))
    survivor = next(p for p in processes if p is not victim)
    assert survivor.returncode == 0
    async with contextlib.AsyncExitStack():
        database = Database.from_url(postgres_url)
        try:
            async with database.engine.connect() as connection:
                responses = (
                    await connection.execute(text("SELECT count(*) FROM survey_responses"))
                ).scalar_one()
                tokens = (
                    await connection.execute(text("SELECT count(*) FROM survey_participations"))
                ).scalar_one()
        finally:
            await database.close()
    assert (responses, tokens) == (1, 1)


async def _until(condition: Callable[[], bool]) -> None:
    """Looks twice a second: these conditions go over every call the server recorded, and
    looking at each change (wait_for) kept the fake server's loop so busy that requests
    arrived in bunches, which its rate limit then counted as a burst."""
    async with asyncio.timeout(HANG_CEILING):
        while not condition():  # noqa: ASYNC110 - a condition, not an event
            await asyncio.sleep(0.5)


async def _sender_pid(url: str) -> int:
    database = Database.from_url(url)
    try:
        async with database.transaction() as repositories:
            held = await repositories.leases.held("sender")
    finally:
        await database.close()
    assert held is not None
    return int(held[0].split(":")[1])


@pytest.mark.slow
async def test_a_second_poller_is_refused_with_a_clear_line(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    env = bot_env(
        api,
        BOT_TOKEN="123456:TESTsecretPART",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        DATA_DIR=str(tmp_path / "data"),
    )
    first = await spawn(env, tmp_path)
    try:
        await api.wait_for(
            lambda: api.calls_to("getUpdates"), timeout=HANG_CEILING, what="the first poller"
        )
        second = await spawn(env, tmp_path)
        _, said = await asyncio.wait_for(second.communicate(), HANG_CEILING)
        assert second.returncode == 2
        lines = said.decode().strip().splitlines()
        assert lines[-1].startswith("Бот уже запущен в другом месте с этой же базой"), lines
        assert "Traceback" not in said.decode()
        # The first one goes on answering.
        api.push_text(ADMIN, "/start")
        assert await api.next_message(ADMIN.id, timeout=HANG_CEILING)
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.communicate(), HANG_CEILING)
    assert first.returncode == 0


async def test_taking_the_sender_lease_over_sends_what_the_dead_holder_had_claimed(
    running_bot: RunningBot,
) -> None:
    """An instance killed while sending leaves its claims: the next holder sends them at once,
    not after CLAIM_TIMEOUT."""
    bot = running_bot
    await import_school_roadmap(bot)
    now = bot.clock.now()
    chats = [8_200_000 + n for n in range(5)]
    await plan_countdowns(bot.app.database, chats, "left", now)
    async with bot.app.database.transaction() as repositories:
        # The dead instance held the lease and had claimed them.
        assert await repositories.leases.acquire("sender", "dead", now, now + SENDER_TTL)
        assert len(await repositories.outbox.claim_due(now, 100)) >= len(chats)

    report = await bot.app.tick.run()
    assert report.claimed == 0  # its lease has not lapsed: this instance does not send
    bot.clock.advance(SENDER_TTL + timedelta(seconds=1))
    await bot.app.tick.run()
    for chat in chats:
        assert (await bot.api.next_message(chat)).plain_text
