"""Mixing the pending pool: when a batch runs, how big it is, and what it leaves behind.

The copy-of-the-files analysis over a running bot is tests/e2e/test_survey_anonymity.py.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from core.clock import ManualClock
from core.models import OrganisationKind
from services.survey_mixing import MixingPolicy, SurveyMixing
from storage.database import Database, sqlite_file
from storage.migrate import upgrade_to_head
from storage.records import PendingPool
from surveys.model import (
    Answer,
    Audience,
    Question,
    QuestionKind,
    Response,
    Segment,
    SurveyDefinition,
)

DEFINITION = SurveyDefinition(
    title="Пожелания",
    intro="",
    audience=Audience.PARENTS,
    questions=(Question("1", "Что улучшить?", QuestionKind.TEXT, max_length=100),),
)
START = datetime(2022, 9, 20, 0, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def _pool(pending: int, mixed: int = 0) -> PendingPool:
    return PendingPool(survey_id=1, pending=pending, mixed=mixed, oldest=START)


@pytest.mark.parametrize(
    ("pending", "waited", "due"),
    [
        (5, timedelta(0), True),  # k are waiting: at once
        (12, timedelta(0), True),
        (4, timedelta(0), False),  # fewer, with time enough before the window runs out
        (4, timedelta(minutes=8, seconds=59), False),
        # The next look, a minute later, would find it past its 10 minutes: now.
        (4, timedelta(minutes=9), True),
        (1, timedelta(minutes=30), True),
    ],
)
def test_a_pool_is_due_with_k_waiting_or_before_its_window_runs_out(
    pending: int, waited: timedelta, due: bool
) -> None:
    policy = MixingPolicy(window=WINDOW, k=5)
    assert policy.period == timedelta(minutes=1)  # a fifth of the window, at most a minute
    assert policy.due(_pool(pending), waited) is due


def test_the_look_comes_often_enough_for_short_windows_and_not_too_often() -> None:
    assert MixingPolicy(window=timedelta(seconds=3)).period == timedelta(seconds=1)
    assert MixingPolicy(window=timedelta(seconds=20)).period == timedelta(seconds=4)
    assert MixingPolicy(window=timedelta(hours=2)).period == timedelta(minutes=1)


async def _survey(database: Database) -> int:
    async with database.transaction() as repositories:
        school = await repositories.organisations.add(
            name="МБОУ «СОШ №2»",
            kind=OrganisationKind.SCHOOL,
            timezone="Asia/Vladivostok",
            created_at=START,
        )
        survey = await repositories.surveys.add(
            organisation_id=school.id, code="Mix1234567", definition=DEFINITION, now=START
        )
        await repositories.surveys.open(
            survey.id, opened_on=date(2022, 9, 20), closes_on=date(2022, 9, 30)
        )
    return survey.id


async def _submit(database: Database, survey_id: int, words: str, now: datetime) -> None:
    async with database.transaction() as repositories:
        token = hashlib.sha256(words.encode()).hexdigest()
        assert await repositories.surveys.add_participation(survey_id, token)
        await repositories.surveys.add_response(
            survey_id, Segment(), {"1": Answer(text=words)}, now=now
        )


async def _rows(database: Database) -> dict[str, tuple[bool, str | None]]:
    """Response id -> (pending, xmin on PostgreSQL)."""
    xmin = "xmin::text" if database.engine.dialect.name == "postgresql" else "NULL"
    async with database.engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT id, pending_since IS NOT NULL, {xmin} FROM survey_responses")
        )
        return {row[0]: (bool(row[1]), row[2]) for row in result}


def _texts(responses: list[Response]) -> Counter[str]:
    return Counter(r.answers["1"].text or "" for r in responses)


async def test_k_pending_are_mixed_at_once_under_new_keys_in_one_transaction(
    database: Database, clock: ManualClock
) -> None:
    survey_id = await _survey(database)
    mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(4):
        await _submit(database, survey_id, f"ответ {number}", clock.now())
    assert await mixing.run() == 0  # four wait: fewer than k, and the window is far
    before = await _rows(database)
    assert all(pending for pending, _ in before.values())
    await _submit(database, survey_id, "ответ 4", clock.now())
    async with database.transaction() as repositories:
        given = _texts(await repositories.surveys.responses(survey_id))

    assert await mixing.run() == 5
    after = await _rows(database)
    assert len(after) == 5 and not set(after) & set(before)
    assert not any(pending for pending, _ in after.values())
    if database.engine.dialect.name == "postgresql":
        assert len({xmin for _, xmin in after.values()}) == 1
    async with database.transaction() as repositories:
        assert _texts(await repositories.surveys.responses(survey_id)) == given
        assert await repositories.surveys.count_responses([survey_id]) == {survey_id: 5}
        assert await repositories.surveys.pending_pools() == []
    assert await mixing.run() == 0


async def test_a_small_pool_is_padded_with_mixed_ones_when_its_window_runs_out(
    database: Database, clock: ManualClock
) -> None:
    survey_id = await _survey(database)
    mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(7):
        await _submit(database, survey_id, f"ранний {number}", clock.now())
    assert await mixing.run() == 7
    mixed = await _rows(database)
    for number in range(2):
        await _submit(database, survey_id, f"поздний {number}", clock.now())
    async with database.transaction() as repositories:
        (pool,) = await repositories.surveys.pending_pools()
    assert (pool.survey_id, pool.pending, pool.mixed, pool.oldest) == (
        survey_id,
        2,
        7,
        clock.now(),
    )

    clock.advance(WINDOW - mixing.policy.period - timedelta(seconds=1))
    assert await mixing.run() == 0
    clock.advance(timedelta(seconds=1))
    assert await mixing.run() == 2
    after = await _rows(database)
    # The two with three of the earlier ones, picked at random, rewritten together: five.
    rewritten = set(after) - set(mixed)
    assert len(after) == 9 and len(rewritten) == 5 and len(set(mixed) - set(after)) == 3
    if database.engine.dialect.name == "postgresql":
        assert len({after[key][1] for key in rewritten}) == 1
        assert {after[key][1] for key in rewritten}.isdisjoint(
            {after[key][1] for key in set(after) - rewritten}
        )
    async with database.transaction() as repositories:
        texts = _texts(await repositories.surveys.responses(survey_id))
    assert texts == Counter([f"ранний {n}" for n in range(7)] + ["поздний 0", "поздний 1"])


async def test_fewer_than_k_in_all_wait_for_more_or_for_the_close(
    database: Database, clock: ManualClock
) -> None:
    survey_id = await _survey(database)
    mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(3):
        await _submit(database, survey_id, f"ответ {number}", clock.now())
    clock.advance(WINDOW * 3)
    assert await mixing.run() == 0
    assert all(pending for pending, _ in (await _rows(database)).values())
    # Closing rewrites the whole survey as one group (and results of 3 are never shown).
    async with database.transaction() as repositories:
        await repositories.surveys.close(survey_id, date(2022, 9, 21))
        await repositories.surveys.seal(survey_id)
    assert not any(pending for pending, _ in (await _rows(database)).values())
    async with database.transaction() as repositories:
        assert len(await repositories.surveys.responses(survey_id)) == 3


async def test_hidden_texts_stay_hidden_through_mixing(
    database: Database, clock: ManualClock
) -> None:
    survey_id = await _survey(database)
    mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(5):
        await _submit(database, survey_id, f"ответ {number}", clock.now())
    async with database.transaction() as repositories:
        (hidden,) = [
            t for t in await repositories.surveys.free_texts(survey_id) if t.text == "ответ 3"
        ]
        assert await repositories.surveys.set_hidden(survey_id, hidden.id, True)
    assert await mixing.run() == 5
    async with database.transaction() as repositories:
        texts = await repositories.surveys.free_texts(survey_id)
        # A new key: a review button pressed before the batch finds nothing (and says so).
        assert not await repositories.surveys.set_hidden(survey_id, hidden.id, False)
    assert [t.text for t in texts if t.hidden] == ["ответ 3"]


async def test_sqlite_leaves_an_empty_wal_after_a_batch(
    sqlite_url: str, clock: ManualClock
) -> None:
    """PostgreSQL's side (xmin, ctid) is the e2e copy analysis."""
    database = Database.from_url(sqlite_url)
    await upgrade_to_head(database.engine)
    try:
        await _check_empty_wal(database, clock)
    finally:
        await database.close()


async def _check_empty_wal(database: Database, clock: ManualClock) -> None:
    path = sqlite_file(str(database.engine.url))
    assert path is not None
    survey_id = await _survey(database)
    mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(5):
        await _submit(database, survey_id, f"ответ {number}", clock.now())
    async with database.engine.connect() as connection:
        # On by the bot's own setting, whatever the SQLite build's default.
        assert (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar_one() == 1
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    assert await mixing.run() == 5
    assert wal.stat().st_size == 0
    # Each answer once in the file: the pending rows it replaced were zeroed.
    content = path.read_bytes()
    assert [content.count(f"ответ {n}".encode()) for n in range(5)] == [1] * 5


async def test_two_instances_mixing_at_once_mix_each_response_once(
    database: Database, clock: ManualClock
) -> None:
    survey_id = await _survey(database)
    first = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    second = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
    for number in range(12):
        await _submit(database, survey_id, f"ответ {number}", clock.now())
    mixed = await asyncio.gather(first.run(), second.run())
    assert sorted(mixed) == [0, 12]
    async with database.transaction() as repositories:
        texts = _texts(await repositories.surveys.responses(survey_id))
    assert texts == Counter(f"ответ {n}" for n in range(12))
    assert not any(pending for pending, _ in (await _rows(database)).values())


async def test_a_reader_in_the_way_defers_the_truncation_to_the_next_run(
    sqlite_url: str, clock: ManualClock
) -> None:
    database = Database.from_url(sqlite_url)
    await upgrade_to_head(database.engine)
    try:
        path = sqlite_file(sqlite_url)
        assert path is not None
        wal = path.with_name(path.name + "-wal")
        survey_id = await _survey(database)
        mixing = SurveyMixing(database, clock, MixingPolicy(window=WINDOW, k=5))
        for number in range(5):
            await _submit(database, survey_id, f"ответ {number}", clock.now())
        async with database.engine.connect() as reader:
            # A report being read meanwhile: its snapshot keeps the WAL in use.
            await reader.exec_driver_sql("BEGIN")
            await reader.exec_driver_sql("SELECT count(*) FROM survey_responses")
            assert await mixing.run() == 5
            assert wal.stat().st_size > 0
            await reader.exec_driver_sql("COMMIT")
        # Nothing new to mix, but the owed truncation is done now.
        assert await mixing.run() == 0
        assert wal.stat().st_size == 0
    finally:
        await database.close()
