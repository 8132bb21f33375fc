"""`python -m bot` killed (SIGKILL) in the middle of a burst of survey answers: after a restart
every answer a respondent was thanked for is in the results, once, and nothing is left pending.

The mixing window is short, so batches run during the burst too and the kill may land in one.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from core.clock import SystemClock
from core.deeplinks import DeepLink, DeepLinkKind
from services.access import Actor
from services.surveys import SurveyService, participation_token
from storage.database import Database
from storage.migrate import upgrade_to_head
from surveys.model import Audience, Question, QuestionKind, Segments, SurveyDefinition
from tests.e2e.conftest import ADMIN
from tests.fakebot import FakeBotAPI, FakeUser, SentMessage

PROJECT = Path(__file__).resolve().parents[2]
SECRET = "crash-test-survey-secret"
BOT_SECRET = "TESTsecretPART"
# Starting imports all of aiogram: slow on a loaded machine. The ceiling only catches a hang.
HANG_CEILING = 300
MIX_SECONDS = 2
KILL_AFTER = 10  # answers thanked for before the process dies
RESPONDENTS = [
    FakeUser(7_400_000_000 + 7919 * number, f"Родитель {number}") for number in range(30)
]
DEFINITION = SurveyDefinition(
    title="Пожелания",
    intro="Один вопрос.",
    audience=Audience.PARENTS,
    segments=Segments(ask_role=False),
    questions=(Question("1", "Что улучшить?", QuestionKind.TEXT, max_length=100),),
)
ADMIN_ACTOR = Actor(ADMIN.id, None, is_admin=True)
ZONE = ZoneInfo("Asia/Vladivostok")


async def _open_survey(url: str) -> tuple[int, str]:
    """The survey, made before the bot starts: its id and the respondents' link."""
    database = Database.from_url(url)
    try:
        await upgrade_to_head(database.engine)
        clock = SystemClock()
        surveys = SurveyService(database, clock, SECRET.encode(), ZONE)
        survey = await surveys.create(ADMIN_ACTOR, DEFINITION)
        closes = clock.now().astimezone(ZONE).date() + timedelta(days=30)
        survey = await surveys.open(ADMIN_ACTOR, survey.id, closes)
    finally:
        await database.close()
    return survey.id, "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()


async def _start(api: FakeBotAPI, url: str, data: Path) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TIMEZONE"}},
        "BOT_TOKEN": f"123456:{BOT_SECRET}",
        "TELEGRAM_API_BASE": api.base_url,
        "ADMIN_IDS": str(ADMIN.id),
        "PYTHONPATH": str(PROJECT),
        "DATABASE_URL": url,
        "DATA_DIR": str(data),
        "SURVEY_SECRET": SECRET,
        "SURVEY_MIX_SECONDS": str(MIX_SECONDS),
        "LOG_LEVEL": "DEBUG",
    }
    polled = len(api.calls_to("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await api.wait_for(
        lambda: len(api.calls_to("getUpdates")) > polled,
        timeout=HANG_CEILING,
        what="the bot to start polling",
    )
    return process


async def _answer(api: FakeBotAPI, user: FakeUser, link: str, words: str) -> SentMessage:
    api.push_text(user, link)
    message = await api.next_message(user.id, timeout=HANG_CEILING)
    _, query = api.press(user, message, message.button("Начать"))
    await api.wait_answered(query, timeout=HANG_CEILING)
    await api.wait_edit(message, timeout=HANG_CEILING)
    api.push_text(user, words)
    await api.wait_edit(message, timeout=HANG_CEILING)
    _, query = api.press(user, message, message.button("Отправить"))
    await api.wait_answered(query, timeout=HANG_CEILING)
    return message


@pytest.mark.slow
async def test_a_kill_mid_burst_loses_no_answer_that_was_confirmed(
    api: FakeBotAPI, tmp_path: Path, own_database_url: str
) -> None:
    url = own_database_url
    survey_id, link = await _open_survey(url)
    typed = {user.id: f"пожелание-{uuid.uuid4().hex[:16]}" for user in RESPONDENTS}
    thanked: list[int] = []
    enough = asyncio.Event()

    async def one(user: FakeUser, delay: float) -> None:
        await asyncio.sleep(delay)
        message = await _answer(api, user, link, typed[user.id])
        await api.wait_for(
            lambda: "Спасибо" in (message.plain_text or ""), timeout=HANG_CEILING, what="thanks"
        )
        thanked.append(user.id)
        if len(thanked) >= KILL_AFTER:
            enough.set()

    first = await _start(api, url, tmp_path)
    flows = [asyncio.create_task(one(u, n * 0.05)) for n, u in enumerate(RESPONDENTS)]
    try:
        await asyncio.wait_for(enough.wait(), timeout=HANG_CEILING)
        first.send_signal(signal.SIGKILL)
        _, first_log = await first.communicate()
    finally:
        for flow in flows:
            flow.cancel()
        await asyncio.gather(*flows, return_exceptions=True)
        if first.returncode is None:
            first.kill()
            await first.wait()
    assert first.returncode == -signal.SIGKILL
    confirmed = {typed[user_id] for user_id in thanked}
    assert len(confirmed) >= KILL_AFTER
    # The kill came mid-burst: some were still answering.
    assert len(thanked) < len(RESPONDENTS)

    second = await _start(api, url, tmp_path)
    database = Database.from_url(url)
    try:
        # Past the window, the restarted bot's job mixes what the dead one left pending.
        await asyncio.wait_for(_mixed(database), timeout=HANG_CEILING)
        surveys = SurveyService(database, SystemClock(), SECRET.encode(), ZONE)
        _, responses = await surveys.responses_for(ADMIN_ACTOR, survey_id)
        async with database.engine.connect() as connection:
            tokens = set(
                (
                    await connection.execute(text("SELECT token FROM survey_participations"))
                ).scalars()
            )
    finally:
        await database.close()
        second.send_signal(signal.SIGTERM)
        _, second_log = await asyncio.wait_for(second.communicate(), timeout=HANG_CEILING)
    assert second.returncode == 0, second_log.decode()[-3000:]

    stored = Counter(r.answers["1"].text for r in responses)
    assert confirmed <= set(stored), confirmed - set(stored)
    assert set(stored) <= set(typed.values()) and max(stored.values()) == 1
    # A token for every stored answer and none without one: they were written together.
    assert len(tokens) == len(responses)
    assert tokens <= {participation_token(SECRET.encode(), survey_id, u.id) for u in RESPONDENTS}
    log = (first_log + second_log).decode()
    assert "Traceback" not in second_log.decode()
    for user in RESPONDENTS:
        assert typed[user.id] not in log
        assert participation_token(SECRET.encode(), survey_id, user.id) not in log


async def _mixed(database: Database) -> None:
    """Waits until nothing is pending (the restarted bot's mixing job runs every second)."""
    while True:
        async with database.engine.connect() as connection:
            pending = (
                await connection.execute(
                    text("SELECT count(*) FROM survey_responses WHERE pending_since IS NOT NULL")
                )
            ).scalar_one()
        if not pending:
            return
        await asyncio.sleep(0.2)
