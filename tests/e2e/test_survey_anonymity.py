"""A copy of the running bot's files, taken once the mixing window has passed, ties nobody to
their answer more closely than to a group of 5 (README, «Анонимность»).

Respondents answer through the bot over HTTP, in a burst, while the mixing job runs as the
scheduler would; the copy is taken from the live database (SQLite's files with the WAL, or
PostgreSQL's tables with xmin and ctid), and the log is written at DEBUG throughout. The
attacker (tests/e2e/anonymity.py) knows the survey secret and everyone's Telegram id.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.logs import quiet_libraries
from bot.survey_secret import load_survey_secret
from core.deeplinks import DeepLink, DeepLinkKind
from services.access import Actor
from services.surveys import participation_token
from storage.database import sqlite_file
from tests.e2e.anonymity import (
    WAL_HEADER,
    PgRow,
    Respondent,
    in_file_order,
    order_hits,
    postgres_candidates,
    sqlite_candidates,
    stale_copies,
)
from tests.e2e.conftest import ADMIN, BOTH_MESSENGERS, CLUBS_SURVEY, RunningBot
from tests.fakebot import FakeUser

pytestmark = BOTH_MESSENGERS

MIX_SECONDS = 60
K = 5
EARLY = [FakeUser(7_310_000_000 + number, f"Первый {number}") for number in range(3)]
BURST = [FakeUser(7_320_000_000 + 7919 * number, f"Родитель {number}") for number in range(30)]


@pytest.fixture
def debug_log() -> Iterator[list[tuple[int, str]]]:
    """Every line the bot logs (level, text), at DEBUG, with the libraries kept as
    LOG_LEVEL=DEBUG keeps them (bot.logs)."""
    lines: list[tuple[int, str]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append((record.levelno, self.format(record)))

    root = logging.getLogger()
    handler = Keep(logging.DEBUG)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet_libraries(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def settings_overrides(own_database_url: str) -> dict[str, object]:
    return {"database_url": own_database_url, "survey_mix_seconds": MIX_SECONDS}


async def _answer(bot: RunningBot, user: FakeUser, link: str, words: str) -> None:
    message = await bot.ask(user, link)
    for label in ("Начать", "Да"):
        _, query = bot.api.press(user, message, message.button(label))
        await bot.api.wait_answered(query)
        await bot.api.wait_edit(message)
    bot.api.push_text(user, words)
    await bot.api.wait_edit(message)
    _, query = bot.api.press(user, message, message.button("Отправить"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(message)
    assert "Спасибо" in (message.plain_text or "")


async def _burst(
    bot: RunningBot, users: list[FakeUser], link: str
) -> tuple[dict[int, str], list[str]]:
    """Everyone answers at once: what each typed, and the answers in the order the bot
    confirmed them."""
    typed: dict[int, str] = {}
    confirmed: list[str] = []

    async def one(user: FakeUser, delay: float) -> None:
        typed[user.id] = words = f"кружок-{uuid.uuid4().hex[:16]}"
        # Within a second or two, as after a post in a class chat: the job mixes as they come.
        await asyncio.sleep(delay)
        await _answer(bot, user, link, words)
        confirmed.append(words)

    await asyncio.gather(*(one(user, number * 0.04) for number, user in enumerate(users)))
    return typed, confirmed


async def _mixing_as_scheduled(bot: RunningBot, stop: asyncio.Event) -> None:
    """The mixing job, run as often as the scheduler would while the burst goes on."""
    while not stop.is_set():
        await bot.app.surveys.mixing.run()
        await asyncio.sleep(0.05)


async def test_after_the_window_a_copy_links_nobody_closer_than_five(
    debug_log: list[tuple[int, str]], running_bot: RunningBot, own_database_url: str
) -> None:
    bot = running_bot
    admin = Actor(bot.account(ADMIN), None, is_admin=True)
    survey = await bot.app.surveys.create(admin, CLUBS_SURVEY)
    survey = await bot.app.surveys.open(admin, survey.id, date(2022, 9, 30))
    link = "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
    secret = load_survey_secret(bot.app.settings)

    def token(user: FakeUser) -> str:
        return participation_token(secret, survey.id, bot.account(user))

    # Three answer, one after another, before anything is mixed: within the window a copy
    # does link them (the analysis can tell, and the README says so).
    early: dict[str, str] = {}
    for user in EARLY:
        early[token(user)] = words = f"кружок-{uuid.uuid4().hex[:16]}"
        await _answer(bot, user, link, words)
    linked = (await _copy(own_database_url)).candidates(early)
    assert any(len(group) < K for group in linked.values()), linked

    # Thirty at once, with the job mixing as it goes; then the window passes.
    stop = asyncio.Event()
    mixing = asyncio.create_task(_mixing_as_scheduled(bot, stop))
    try:
        typed, confirmed = await _burst(bot, BURST, link)
    finally:
        stop.set()
        await mixing
    bot.clock.advance(timedelta(seconds=MIX_SECONDS))
    await bot.app.surveys.mixing.run()
    assert await _pending(bot) == 0

    truth = {**early, **{token(user): typed[user.id] for user in BURST}}
    copy = await _copy(own_database_url)
    groups = copy.candidates(truth)
    assert set(groups) == set(truth)
    small = {t[:8]: len(group) for t, group in groups.items() if len(group) < K}
    assert not small, small
    # The analysis only narrows what is possible: the truth is always among it.
    assert all(truth[t] in group for t, group in groups.items())
    copy.assert_order_tells_nothing(truth, confirmed)
    copy.assert_no_stale_copies(truth.values())

    _, responses = await bot.app.surveys.responses_for(admin, survey.id)
    assert sorted(r.answers["2"].text or "" for r in responses) == sorted(truth.values())
    assert any(level == logging.DEBUG for level, _ in debug_log)
    log = "\n".join(line for _, line in debug_log)
    for t, words in truth.items():
        assert t not in log
        assert words not in log


async def _pending(bot: RunningBot) -> int:
    async with bot.app.database.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT count(*) FROM survey_responses WHERE pending_since IS NOT NULL")
        )
        return int(result.scalar_one())


class SqliteCopy:
    """The database file and its WAL, read while the bot runs (what a file backup takes)."""

    def __init__(self, path: Path) -> None:
        self.main = path.read_bytes()
        wal = path.with_name(path.name + "-wal")
        self.wal = wal.read_bytes() if wal.exists() else b""

    def candidates(self, truth: dict[str, str]) -> dict[str, set[str]]:
        # The attacker does find every token: the analysis looks at the right bytes.
        assert all(t.encode() in self.main + self.wal for t in truth)
        return sqlite_candidates([Respondent(t, a) for t, a in truth.items()], self.wal)

    def assert_order_tells_nothing(self, truth: dict[str, str], confirmed: list[str]) -> None:
        """Rows sit in the order of their random keys: pairing the order of answering with
        the order on disk places about one respondent right, by chance."""
        del truth
        on_disk = in_file_order(confirmed, self.main + self.wal)
        assert order_hits(confirmed, on_disk) < 10

    def assert_no_stale_copies(self, answers: Collection[str]) -> None:
        assert stale_copies(answers, self.main, self.wal) == {}
        assert len(self.wal) <= WAL_HEADER  # checkpointed and truncated after the last batch


class PostgresCopy:
    """The survey tables as SELECT shows them, with each row's xmin and ctid."""

    def __init__(self, tokens: dict[str, PgRow], answers: dict[str, PgRow]) -> None:
        self.tokens = tokens
        self.answers = answers

    def candidates(self, truth: dict[str, str]) -> dict[str, set[str]]:
        assert set(truth) <= set(self.tokens)
        answers = {a: row for a, row in self.answers.items() if a in truth.values()}
        return postgres_candidates({t: self.tokens[t] for t in truth}, answers)

    def assert_order_tells_nothing(self, truth: dict[str, str], confirmed: list[str]) -> None:
        """Within each group written together (one xmin), pairing the tokens' order (by
        xmin) with the answers' places (ctid) is right about once per group, by chance.

        A group may hold fewer than k by the time of the copy: a later batch took some of its
        answers as padding. They went to a later transaction, which the candidates of its
        respondents (every answer written after their token) include anyway."""
        del confirmed
        token_of = {a: t for t, a in truth.items()}
        groups: dict[int, list[str]] = defaultdict(list)
        for answer in truth.values():
            groups[self.answers[answer].xmin].append(answer)
        hits = 0
        for members in groups.values():
            given = sorted(members, key=lambda a: self.tokens[token_of[a]].xmin)
            on_disk = sorted(members, key=lambda a: self.answers[a].ctid)
            hits += order_hits(given, on_disk)
        assert hits < 0.6 * len(truth), (hits, len(groups))

    def assert_no_stale_copies(self, answers: Collection[str]) -> None:
        """SELECT shows live rows only: each answer once. Old versions are VACUUM's (the
        server's raw files and pg_wal: see the README)."""
        assert set(answers) <= set(self.answers)


def _row(xmin: str, ctid: str) -> PgRow:
    block, place = ctid.strip("()").split(",")
    return PgRow(int(xmin), (int(block), int(place)))


async def _copy(url: str) -> SqliteCopy | PostgresCopy:
    path = sqlite_file(url)
    if path is not None:
        return SqliteCopy(path)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            tokens = {
                token: _row(xmin, ctid)
                for xmin, ctid, token in await connection.execute(
                    text("SELECT xmin::text, ctid::text, token FROM survey_participations")
                )
            }
            answers = {
                words: _row(xmin, ctid)
                for xmin, ctid, words in await connection.execute(
                    text(
                        "SELECT xmin::text, ctid::text, text FROM survey_answers "
                        "WHERE text IS NOT NULL"
                    )
                )
            }
    finally:
        await engine.dispose()
    return PostgresCopy(tokens, answers)
