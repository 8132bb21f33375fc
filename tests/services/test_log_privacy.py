"""At LOG_LEVEL=DEBUG no log line links a respondent to an answer (issue 17).

Logging is configured as `python -m bot` does it; every record of every logger reaches a handler
on the root logger, formatted as the bot's handler formats it. Ten respondents answer through the
real service (the first submission reads the survey, the others take the fast path), each is
looked up first as the middleware does; then no line may hold an answer, a respondent's Telegram
id or a participation token. The database fixture runs this on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import pytest

from bot.logs import RedactingFormatter, configure_logging
from bot.settings import load_settings
from core.clock import ManualClock
from services.access import ActorDirectory
from services.surveys import SubmitOutcome, SurveyService, participation_token
from storage.database import Database
from surveys.model import Answer, Segment
from tests.services.test_surveys import DEFINITION, SECRET, VLADIVOSTOK, World

# The libraries whose levels production leaves alone until configure_logging.
LIBRARIES = ("aiosqlite", "asyncpg", "sqlalchemy", "aiogram", "aiohttp")
RESPONDENTS = [7_310_452_000 + 97 * number for number in range(10)]


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(RedactingFormatter([]))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Everything]:
    """configure_logging(LOG_LEVEL=DEBUG) from a production-like start, undone afterwards."""
    root = logging.getLogger()
    kept_root = root.handlers[:], root.level
    kept = {
        name: (logger.level, logger.propagate, logger.disabled)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    # What another test may have set is not what production starts from.
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name.startswith(LIBRARIES):
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
            logger.disabled = False
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    configure_logging(load_settings(bot_token=None))
    assert root.level == logging.DEBUG
    everything = _Everything()
    root.addHandler(everything)
    try:
        yield everything
    finally:
        for handler in root.handlers[:]:
            if handler not in kept_root[0]:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = kept_root[0]
        root.setLevel(kept_root[1])
        for name, (level, propagate, disabled) in kept.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled


async def test_debug_logs_hold_no_answer_no_respondent_no_token(
    database: Database, clock: ManualClock, logs: _Everything
) -> None:
    world = await World(database, clock).build()
    survey = await world.service.create(world.school_coordinator, DEFINITION)
    await world.service.open(world.school_coordinator, survey.id, date(2022, 9, 30))
    # A fresh service, as after a restart: the first submission reads the survey.
    service = SurveyService(database, clock, SECRET, VLADIVOSTOK)
    actors = ActorDirectory(database, frozenset(), clock)
    answers = {
        user: f"Пожелание-{number}-{'ЁЖЗ' * (number + 1)}"
        for number, user in enumerate(RESPONDENTS)
    }
    for user, text in answers.items():
        await actors.resolve(user)
        assert not await service.has_answered(survey.id, user)
        given = {
            "1": Answer(choices=("1",)),
            "2": Answer(choices=("2", "other"), text=f"Другое {text}"),
            "3": Answer(number=4),
            "4": Answer(text=text),
        }
        assert await service.submit(survey.id, user, Segment(), given) is SubmitOutcome.ACCEPTED

    # The capture sees a DEBUG line of any logger that propagates, as the bot's own do.
    logging.getLogger("services.canary").debug("canary")
    lines = logs.lines
    assert any(line.endswith("canary") for line in lines)
    secrets = {
        **dict.fromkeys(answers.values(), "an answer"),
        **{str(user): "a respondent's Telegram id" for user in RESPONDENTS},
        **{participation_token(SECRET, survey.id, user): "a token" for user in RESPONDENTS},
    }
    leaks = [
        f"{what} in: {line[:200]}"
        for line in lines
        for secret, what in secrets.items()
        if secret in line
    ]
    assert leaks == []
