"""Surveys, and their answers stored so that nobody can tell who gave them.

Participation tokens and responses share nothing but the survey id: random keys, no user ids,
no time but `pending_since`, which lives only while a response waits in the pending pool.
A submit writes the token and the pending response in one transaction (a crash loses nothing
the respondent was told was received); `mix` then rewrites pending responses in batches of at
least k, shuffled, under new keys, so that no transaction, WAL frame, `xmin` or place on disk
pairs a token with a response once the pool has been mixed (services/survey_mixing.py). Rows of
one survey come back in key order, which is random, never in the order people answered.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

import aiosqlite
from sqlalchemy import Date, RowMapping, String, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.chunks import chunked
from storage.records import FreeText, PendingPool, Survey
from storage.schema import survey_answers, survey_participations, survey_responses, surveys
from storage.writes import note_driver_writes
from surveys.model import (
    OTHER,
    Answer,
    RespondentRole,
    Response,
    Segment,
    SurveyDefinition,
    SurveyStatus,
    definition_from_json,
    definition_to_json,
)

_RANDOM = random.SystemRandom()
# The tables that hold who took part and what was answered: old versions of their rows are
# what `Database.forget_old_versions` clears after mixing and sealing.
SURVEY_TABLES = (survey_participations.name, survey_responses.name, survey_answers.name)


def _survey(row: RowMapping) -> Survey:
    return Survey(
        id=row["id"],
        organisation_id=row["organisation_id"],
        code=row["code"],
        definition=definition_from_json(row["definition"]),
        status=SurveyStatus(row["status"]),
        closes_on=row["closes_on"],
        opened_on=row["opened_on"],
        closed_on=row["closed_on"],
        created_at=row["created_at"],
    )


def _sqlite_moment(moment: datetime) -> str:
    """A moment as UTCDateTime stores it on SQLite, for statements sent to the driver."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _random_id() -> str:
    return secrets.token_hex(16)


def answer_rows(response_id: str, answers: Mapping[str, Answer]) -> list[dict[str, Any]]:
    """The rows one response's answers become (see the survey_answers table)."""
    rows: list[dict[str, Any]] = []
    for question_id, answer in answers.items():
        base = {"response_id": response_id, "question_id": question_id}
        if answer.choices:
            # The respondent's own words ride on the row of the choice they belong to.
            rows.extend(
                {
                    **base,
                    "position": position,
                    "choice": choice,
                    "number": None,
                    "text": answer.text if position == _text_position(answer) else None,
                }
                for position, choice in enumerate(answer.choices)
            )
        else:
            rows.append(
                {
                    **base,
                    "position": 0,
                    "choice": None,
                    "number": answer.number,
                    "text": answer.text,
                }
            )
    return [{"id": _random_id(), **row, "hidden": False} for row in rows]


def _text_position(answer: Answer) -> int:
    """Which choice carries the text: "Другое" when chosen, else the first."""
    return answer.choices.index(OTHER) if OTHER in answer.choices else 0


def _answers(rows: Sequence[RowMapping]) -> dict[str, Answer]:
    """The answers as published: a hidden text is left out, and a free-text answer whose
    text is hidden is no answer at all (a hidden «Другое» still counts as «Другое»)."""
    by_question: dict[str, list[RowMapping]] = defaultdict(list)
    for row in rows:
        by_question[row["question_id"]].append(row)
    answers: dict[str, Answer] = {}
    for question_id, parts in by_question.items():
        parts.sort(key=lambda part: part["position"])
        choices = tuple(part["choice"] for part in parts if part["choice"] is not None)
        number = next((part["number"] for part in parts if part["number"] is not None), None)
        text = next(
            (part["text"] for part in parts if part["text"] is not None and not part["hidden"]),
            None,
        )
        if choices or number is not None or text is not None:
            answers[question_id] = Answer(choices=choices, number=number, text=text)
    return answers


# The statements of a respondent's link and «Отправить», built once (building a statement
# costs about as much CPU as running it on SQLite).
def _participate_if_open(dialect: Any) -> Any:
    taking = select(bindparam("token", type_=String()), surveys.c.id).where(
        surveys.c.id == bindparam("survey_id"),
        surveys.c.status == bindparam("open"),
        surveys.c.closes_on >= bindparam("today", type_=Date()),
    )
    return (
        dialect.insert(survey_participations)
        .from_select(["token", "survey_id"], taking)
        .on_conflict_do_nothing()
    )


_PARTICIPATE_IF_OPEN_PG = _participate_if_open(postgresql)
_HAS_PARTICIPATION = select(survey_participations.c.token).where(
    survey_participations.c.token == bindparam("token")
)
_ADD_RESPONSE = survey_responses.insert()
_ADD_ANSWER = survey_answers.insert()


# On SQLite the same statements, compiled once, go to aiosqlite's connection under
# SQLAlchemy's, inside the transaction SQLAlchemy holds: one round trip to the driver's thread
# per statement, where SQLAlchemy's adapter makes three or four (cursor, execute, fetch,
# close). Those round trips were most of the CPU a respondent's link and «Отправить» cost.
# Values go as the SQLite column types store them (a day as its ISO text).
def _sqlite_text(statement: Any) -> str:
    return str(statement.compile(dialect=sqlite.dialect(paramstyle="named")))


_PARTICIPATE_IF_OPEN_SQLITE = _sqlite_text(
    _participate_if_open(sqlite).returning(survey_participations.c.token)
)
_HAS_PARTICIPATION_SQLITE = _sqlite_text(_HAS_PARTICIPATION)
_ADD_RESPONSE_SQLITE = _sqlite_text(_ADD_RESPONSE)
_ADD_ANSWER_SQLITE = _sqlite_text(_ADD_ANSWER)


class SurveyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        *,
        organisation_id: int | None,
        code: str,
        definition: SurveyDefinition,
        now: datetime,
    ) -> Survey:
        result = await self._connection.execute(
            surveys.insert()
            .values(
                organisation_id=organisation_id,
                code=code,
                definition=definition_to_json(definition),
                status=SurveyStatus.DRAFT.value,
                created_at=now,
            )
            .returning(*surveys.c)
        )
        return _survey(result.mappings().one())

    async def get(self, survey_id: int) -> Survey | None:
        result = await self._connection.execute(select(surveys).where(surveys.c.id == survey_id))
        row = result.mappings().one_or_none()
        return None if row is None else _survey(row)

    async def by_code(self, code: str) -> Survey | None:
        result = await self._connection.execute(select(surveys).where(surveys.c.code == code))
        row = result.mappings().one_or_none()
        return None if row is None else _survey(row)

    async def in_organisations(self, organisation_ids: Sequence[int] | None) -> list[Survey]:
        """Newest first; None means every survey (an administrator's view)."""
        query = select(surveys).order_by(surveys.c.created_at.desc(), surveys.c.id.desc())
        if organisation_ids is not None:
            query = query.where(surveys.c.organisation_id.in_(organisation_ids))
        result = await self._connection.execute(query)
        return [_survey(row) for row in result.mappings()]

    async def open_surveys(self) -> list[Survey]:
        result = await self._connection.execute(
            select(surveys).where(surveys.c.status == SurveyStatus.OPEN.value)
        )
        return [_survey(row) for row in result.mappings()]

    async def _update(
        self, survey_id: int, while_status: SurveyStatus, /, **values: Any
    ) -> Survey | None:
        """Changes the survey only while it is in `while_status`; None when it is not."""
        result = await self._connection.execute(
            update(surveys)
            .where(surveys.c.id == survey_id, surveys.c.status == while_status.value)
            .values(**values)
            .returning(*surveys.c)
        )
        row = result.mappings().one_or_none()
        return None if row is None else _survey(row)

    async def open(self, survey_id: int, *, opened_on: date, closes_on: date) -> Survey | None:
        return await self._update(
            survey_id,
            SurveyStatus.DRAFT,
            status=SurveyStatus.OPEN.value,
            opened_on=opened_on,
            closes_on=closes_on,
        )

    async def set_closes_on(self, survey_id: int, closes_on: date) -> Survey | None:
        return await self._update(survey_id, SurveyStatus.OPEN, closes_on=closes_on)

    async def close(self, survey_id: int, closed_on: date) -> Survey | None:
        """Open -> closed; None when it was not open (two closers cannot both succeed)."""
        return await self._update(
            survey_id, SurveyStatus.OPEN, status=SurveyStatus.CLOSED.value, closed_on=closed_on
        )

    async def count_responses(self, survey_ids: Sequence[int]) -> dict[int, int]:
        result = await self._connection.execute(
            select(survey_responses.c.survey_id, func.count())
            .where(survey_responses.c.survey_id.in_(survey_ids))
            .group_by(survey_responses.c.survey_id)
        )
        counts = dict.fromkeys(survey_ids, 0)
        for survey_id, count in result:
            counts[survey_id] = count
        return counts

    async def add_participation(self, survey_id: int, token: str) -> bool:
        """Records that this token answered; False when it already had (the key decides).

        ON CONFLICT DO NOTHING instead of catching the duplicate: a failed INSERT would abort
        the whole PostgreSQL transaction, and SQLite's driver mishandles savepoints. Under a
        race the second writer waits for the first and then finds the key taken.
        """
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        result = await self._connection.execute(
            dialect.insert(survey_participations)
            .values(token=token, survey_id=survey_id)
            .on_conflict_do_nothing()
            .returning(survey_participations.c.token)
        )
        return result.scalar_one_or_none() is not None

    async def add_participation_if_open(self, survey_id: int, token: str, today: date) -> bool:
        """`add_participation`, only while the survey takes answers (open, `today` not past its
        closing date), in the same statement: False when it does not, or the token answered.
        The caller tells which from `get` and `has_participation` (the rare case)."""
        values = {
            "token": token,
            "survey_id": survey_id,
            "open": SurveyStatus.OPEN.value,
            "today": today,
        }
        driver = await self._sqlite_driver()
        if driver is None:
            result = await self._connection.execute(_PARTICIPATE_IF_OPEN_PG, values)
            return result.rowcount == 1
        taken = await driver.execute_fetchall(
            _PARTICIPATE_IF_OPEN_SQLITE, {**values, "today": today.isoformat()}
        )
        note_driver_writes(self._connection, survey_participations.name)
        return bool(taken)

    async def has_participation(self, token: str) -> bool:
        driver = await self._sqlite_driver()
        if driver is None:
            result = await self._connection.execute(_HAS_PARTICIPATION, {"token": token})
            return result.scalar_one_or_none() is not None
        return bool(await driver.execute_fetchall(_HAS_PARTICIPATION_SQLITE, {"token": token}))

    async def add_response(
        self, survey_id: int, segment: Segment, answers: Mapping[str, Answer], *, now: datetime
    ) -> None:
        """Stores a response in the pending pool: it waits there, `pending_since` now, until
        `mix` rewrites it among others."""
        response_id = _random_id()
        head = {
            "id": response_id,
            "survey_id": survey_id,
            "pending_since": now,
            "role": segment.role.value if segment.role is not None else None,
            "class_name": segment.class_name,
        }
        rows = answer_rows(response_id, answers)
        driver = await self._sqlite_driver()
        if driver is None:
            await self._connection.execute(_ADD_RESPONSE, head)
            if rows:
                await self._connection.execute(_ADD_ANSWER, rows)
            return
        await driver.execute_fetchall(
            _ADD_RESPONSE_SQLITE, {**head, "pending_since": _sqlite_moment(now)}
        )
        if rows:
            cursor = await driver.executemany(_ADD_ANSWER_SQLITE, rows)
            await cursor.close()
        note_driver_writes(self._connection, survey_responses.name, survey_answers.name)

    async def _sqlite_driver(self) -> aiosqlite.Connection | None:
        """aiosqlite's connection under this one (same transaction), on SQLite only."""
        if self._connection.dialect.name != "sqlite":
            return None
        raw = await self._connection.get_raw_connection()
        return cast(aiosqlite.Connection, raw.driver_connection)

    async def responses(self, survey_id: int) -> list[Response]:
        """Every response of the survey, in the (random) order of their keys."""
        result = await self._connection.execute(
            select(survey_responses)
            .where(survey_responses.c.survey_id == survey_id)
            .order_by(survey_responses.c.id)
        )
        heads = list(result.mappings())
        result = await self._connection.execute(
            select(survey_answers)
            .join(survey_responses, survey_answers.c.response_id == survey_responses.c.id)
            .where(survey_responses.c.survey_id == survey_id)
        )
        parts: dict[str, list[RowMapping]] = defaultdict(list)
        for row in result.mappings():
            parts[row["response_id"]].append(row)
        return [
            Response(
                segment=Segment(
                    role=RespondentRole(head["role"]) if head["role"] is not None else None,
                    class_name=head["class_name"],
                ),
                answers=_answers(parts[head["id"]]),
            )
            for head in heads
        ]

    async def free_texts(self, survey_id: int) -> list[FreeText]:
        """Every typed text of the survey (free-text answers and «Другое»), hidden ones too,
        in the (random) order of their keys: what the coordinator reviews before publishing."""
        result = await self._connection.execute(
            select(
                survey_answers.c.id,
                survey_answers.c.question_id,
                survey_answers.c.text,
                survey_answers.c.hidden,
            )
            .join(survey_responses, survey_answers.c.response_id == survey_responses.c.id)
            .where(survey_responses.c.survey_id == survey_id, survey_answers.c.text.is_not(None))
            .order_by(survey_answers.c.id)
        )
        return [
            FreeText(id=row.id, question_id=row.question_id, text=row.text, hidden=row.hidden)
            for row in result
        ]

    async def set_hidden(self, survey_id: int, answer_id: str, hidden: bool) -> bool:
        """Hides (or shows again) one typed text of this survey; False when it has none by
        that key (another survey's, or gone: sealing gives every answer a new key)."""
        result = await self._connection.execute(
            update(survey_answers)
            .where(
                survey_answers.c.id == answer_id,
                survey_answers.c.text.is_not(None),
                survey_answers.c.response_id.in_(
                    select(survey_responses.c.id).where(survey_responses.c.survey_id == survey_id)
                ),
            )
            .values(hidden=hidden)
        )
        return result.rowcount == 1

    async def pending_pools(self) -> list[PendingPool]:
        """Every survey with responses waiting to be mixed."""
        waiting = (
            select(survey_responses.c.survey_id)
            .where(survey_responses.c.pending_since.is_not(None))
            .distinct()
        )
        pending = func.count(survey_responses.c.pending_since)
        result = await self._connection.execute(
            select(
                survey_responses.c.survey_id,
                pending.label("pending"),
                (func.count() - pending).label("mixed"),
                func.min(survey_responses.c.pending_since).label("oldest"),
            )
            .where(survey_responses.c.survey_id.in_(waiting))
            .group_by(survey_responses.c.survey_id)
        )
        return [PendingPool(row.survey_id, row.pending, row.mixed, row.oldest) for row in result]

    async def mix(self, survey_id: int, at_least: int) -> int:
        """Rewrites the survey's pending responses in one batch of at least `at_least`, padded
        with mixed ones picked at random; how many pending ones it mixed. Nothing is written
        when none is pending or the survey has fewer than `at_least` responses in all.

        The survey's row is locked first (PostgreSQL), so two instances mixing, or a close
        sealing it meanwhile, take turns; on SQLite the caller's transaction is immediate.
        Answers submitted meanwhile stay pending for the next batch.
        """
        # FOR NO KEY UPDATE: mixers and a close take turns, while submits (whose foreign key
        # check takes KEY SHARE on the same row) go on meanwhile.
        await self._connection.execute(
            select(surveys.c.id).where(surveys.c.id == survey_id).with_for_update(key_share=True)
        )
        of_survey = survey_responses.c.survey_id == survey_id
        pending = list(
            (
                await self._connection.execute(
                    select(survey_responses.c.id).where(
                        of_survey, survey_responses.c.pending_since.is_not(None)
                    )
                )
            ).scalars()
        )
        if not pending:
            return 0
        padding: list[str] = []
        if len(pending) < at_least:
            padding = list(
                (
                    await self._connection.execute(
                        select(survey_responses.c.id)
                        .where(of_survey, survey_responses.c.pending_since.is_(None))
                        .order_by(func.random())
                        .limit(at_least - len(pending))
                    )
                ).scalars()
            )
            if len(pending) + len(padding) < at_least:
                return 0
        await self._rewrite(pending + padding)
        return len(pending)

    async def seal(self, survey_id: int) -> None:
        """At closing: forget who took part, and rewrite every response, in a random order.

        No more answers can come, so the tokens have done their job. Every response, pending
        or mixed, is rewritten in one batch: the whole survey becomes one group.
        """
        await self._connection.execute(
            delete(survey_participations).where(survey_participations.c.survey_id == survey_id)
        )
        ids = list(
            (
                await self._connection.execute(
                    select(survey_responses.c.id).where(survey_responses.c.survey_id == survey_id)
                )
            ).scalars()
        )
        await self._rewrite(ids)

    async def _rewrite(self, response_ids: Sequence[str]) -> None:
        """Deletes these responses and writes them again, row for row (hidden texts stay
        hidden), mixed (no `pending_since`), under new keys, in a random order, in this
        transaction.

        PostgreSQL marks every row with the transaction that wrote it (xmin) and stores rows in
        writing order (ctid): rewritten together, the responses share one xmin and a shuffled
        place. The old versions stay in the files until `Database.forget_old_versions`."""
        heads: list[dict[str, Any]] = []
        parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for chunk in chunked(response_ids):
            result = await self._connection.execute(
                select(survey_responses).where(survey_responses.c.id.in_(chunk))
            )
            heads.extend(dict(row) for row in result.mappings())
            result = await self._connection.execute(
                select(survey_answers).where(survey_answers.c.response_id.in_(chunk))
            )
            for row in result.mappings():
                parts[row["response_id"]].append(dict(row))
            await self._connection.execute(
                delete(survey_answers).where(survey_answers.c.response_id.in_(chunk))
            )
            await self._connection.execute(
                delete(survey_responses).where(survey_responses.c.id.in_(chunk))
            )
        _RANDOM.shuffle(heads)
        new_heads: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for head in heads:
            response_id = _random_id()
            new_heads.append({**head, "id": response_id, "pending_since": None})
            rows.extend(
                {**part, "id": _random_id(), "response_id": response_id}
                for part in parts[head["id"]]
            )
        if new_heads:
            await self._connection.execute(survey_responses.insert(), new_heads)
        if rows:
            await self._connection.execute(survey_answers.insert(), rows)
