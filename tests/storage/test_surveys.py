"""Survey storage: answers read back exactly as given, and keep no order or identity."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from core.models import OrganisationKind
from storage.database import Database
from storage.migrate import upgrade_to_head
from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Option,
    Question,
    QuestionKind,
    RespondentRole,
    Response,
    Scale,
    Segment,
    Segments,
    SurveyDefinition,
    SurveyStatus,
)

NOW = datetime(2022, 9, 19, 23, 0, tzinfo=UTC)
ANSWER_TABLES = ("survey_participations", "survey_responses", "survey_answers")

DEFINITION = SurveyDefinition(
    title="Осведомлённость о проекте",
    intro="Опрос анонимный и займёт 3 минуты.",
    audience=Audience.BOTH,
    questions=(
        Question(
            "1",
            "Знаете ли вы о проекте?",
            QuestionKind.SINGLE,
            options=(Option("1", "Да"), Option("2", "Нет", goto="3")),
            other=True,
        ),
        Question(
            "2",
            "Откуда узнали?",
            QuestionKind.MULTIPLE,
            options=(
                Option("1", "Сайт"),
                Option("2", "Классный руководитель"),
                Option("3", "Чат"),
            ),
            other=True,
            required=False,
        ),
        Question("3", "Оцените", QuestionKind.SCALE, scale=Scale(1, 10, "плохо", "отлично")),
        Question("4", "Что улучшить?", QuestionKind.TEXT, required=False, max_length=300),
    ),
    segments=Segments(ask_role=True, classes=("5 «а»", "10 «б»")),
)


async def _survey_id(database: Database) -> int:
    async with database.transaction() as repositories:
        school = await repositories.organisations.add(
            name="МБОУ «СОШ №2»",
            kind=OrganisationKind.SCHOOL,
            timezone="Asia/Vladivostok",
            created_at=NOW,
        )
        survey = await repositories.surveys.add(
            organisation_id=school.id, code="Abc123XyZ0", definition=DEFINITION, now=NOW
        )
    return survey.id


async def test_survey_round_trips_and_changes_state_only_from_the_right_one(
    database: Database,
) -> None:
    survey_id = await _survey_id(database)
    async with database.transaction() as repositories:
        survey = await repositories.surveys.by_code("Abc123XyZ0")
        assert survey is not None and survey.id == survey_id
        assert survey.definition == DEFINITION
        assert survey.title == "Осведомлённость о проекте"
        assert (survey.status, survey.closes_on, survey.created_at) == (
            SurveyStatus.DRAFT,
            None,
            NOW,
        )
        # Not open yet: neither a new closing date nor closing applies.
        assert await repositories.surveys.set_closes_on(survey_id, date(2022, 10, 1)) is None
        assert await repositories.surveys.close(survey_id, date(2022, 9, 20)) is None
        opened = await repositories.surveys.open(
            survey_id, opened_on=date(2022, 9, 20), closes_on=date(2022, 9, 30)
        )
        assert opened is not None and opened.status is SurveyStatus.OPEN
        assert (opened.opened_on, opened.closes_on) == (date(2022, 9, 20), date(2022, 9, 30))
        assert (
            await repositories.surveys.open(
                survey_id, opened_on=date(2022, 9, 21), closes_on=date(2022, 9, 30)
            )
            is None
        )
        assert [s.id for s in await repositories.surveys.open_surveys()] == [survey_id]
        closed = await repositories.surveys.close(survey_id, date(2022, 9, 25))
        assert closed is not None and closed.status is SurveyStatus.CLOSED
        assert closed.closed_on == date(2022, 9, 25)
        assert await repositories.surveys.close(survey_id, date(2022, 9, 26)) is None
        assert await repositories.surveys.open_surveys() == []
        assert await repositories.surveys.by_code("abc123xyz0") is None


async def test_list_is_newest_first_and_scoped(database: Database) -> None:
    first = await _survey_id(database)
    async with database.transaction() as repositories:
        later = await repositories.surveys.add(
            organisation_id=None,
            code="Zzzzzzzzz1",
            definition=DEFINITION,
            now=NOW.replace(hour=23, minute=30),
        )
        everything = await repositories.surveys.in_organisations(None)
        assert [s.id for s in everything] == [later.id, first]
        own = await repositories.surveys.in_organisations([everything[1].organisation_id or 0])
        assert [s.id for s in own] == [first]
        assert await repositories.surveys.in_organisations([]) == []
        assert await repositories.surveys.count_responses([first, later.id]) == {
            first: 0,
            later.id: 0,
        }


ANSWERS = {
    "1": Answer(choices=(OTHER,), text="Слышал от соседей"),
    "2": Answer(choices=("3", OTHER, "1"), text="Родительское собрание"),
    "3": Answer(number=7),
    "4": Answer(text="Больше\nвстреч с родителями"),
}


async def test_answers_read_back_exactly(database: Database) -> None:
    survey_id = await _survey_id(database)
    async with database.transaction() as repositories:
        await repositories.surveys.add_response(
            survey_id, Segment(RespondentRole.PARENT, "10 «б»"), ANSWERS, now=NOW
        )
        await repositories.surveys.add_response(
            survey_id, Segment(), {"1": Answer(choices=("2",))}, now=NOW
        )
        await repositories.surveys.add_response(survey_id, Segment(), {}, now=NOW)
    async with database.transaction() as repositories:
        responses = await repositories.surveys.responses(survey_id)
        counts = await repositories.surveys.count_responses([survey_id])
    assert counts == {survey_id: 3}
    by_size = sorted(responses, key=lambda r: -len(r.answers))
    assert by_size[0].segment == Segment(RespondentRole.PARENT, "10 «б»")
    assert by_size[0].answers == ANSWERS
    assert by_size[0].answers["2"].choices == ("3", OTHER, "1")
    assert by_size[1].answers == {"1": Answer(choices=("2",))}
    assert by_size[1].segment == Segment(None, None)
    assert by_size[2].answers == {}


async def test_a_token_answers_once(database: Database) -> None:
    survey_id = await _survey_id(database)
    async with database.transaction() as repositories:
        assert await repositories.surveys.add_participation(survey_id, "a" * 64)
        assert not await repositories.surveys.add_participation(survey_id, "a" * 64)
        assert await repositories.surveys.add_participation(survey_id, "b" * 64)
    async with database.transaction() as repositories:
        # The refusal did not spoil the transaction it happened in (PostgreSQL would abort it
        # after a failed INSERT).
        assert await repositories.surveys.has_participation("a" * 64)
        assert not await repositories.surveys.has_participation("c" * 64)


async def _table_sql(database: Database, table: str) -> str:
    async with database.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": table},
        )
        return str(result.scalar_one())


async def test_sqlite_keeps_no_insertion_order(sqlite_url: str) -> None:
    """SQLite's hidden rowid would number rows as they come; PostgreSQL: see sealing below."""
    database = Database.from_url(sqlite_url)
    await upgrade_to_head(database.engine)
    try:
        await _check_no_insertion_order(database)
    finally:
        await database.close()


async def _check_no_insertion_order(database: Database) -> None:
    for table in ANSWER_TABLES:
        assert "WITHOUT ROWID" in (await _table_sql(database, table)).upper()
        async with database.engine.connect() as connection:
            with pytest.raises(OperationalError, match="rowid"):
                await connection.execute(text(f"SELECT rowid FROM {table}"))
    survey_id = await _survey_id(database)
    for number in range(50):
        async with database.transaction() as repositories:
            await repositories.surveys.add_response(
                survey_id, Segment(), {"3": Answer(number=number % 10 + 1)}, now=NOW
            )
    async with database.engine.connect() as connection:
        scanned = list(
            (await connection.execute(text("SELECT id FROM survey_responses"))).scalars()
        )
        numbers = list(
            (await connection.execute(text("SELECT number FROM survey_answers"))).scalars()
        )
    # A plain scan walks the random keys, not the order the answers came in.
    assert scanned == sorted(scanned) and len(scanned) == 50
    assert numbers != [number % 10 + 1 for number in range(50)]


def _canonical(response: Response) -> str:
    return repr((response.segment, sorted(response.answers.items())))


async def _xmins(database: Database, table: str) -> set[str]:
    async with database.engine.connect() as connection:
        result = await connection.execute(text(f"SELECT xmin::text FROM {table}"))
        return set(result.scalars())


async def test_sealing_forgets_participants_and_rewrites_responses(database: Database) -> None:
    survey_id = await _survey_id(database)
    for number in range(20):
        async with database.transaction() as repositories:
            assert await repositories.surveys.add_participation(survey_id, f"{number:064d}")
            await repositories.surveys.add_response(
                survey_id,
                Segment(RespondentRole.STUDENT if number % 2 else None, "5 «а»"),
                {"3": Answer(number=number % 10 + 1), "4": Answer(text=f"ответ {number}")},
                now=NOW,
            )
    async with database.transaction() as repositories:
        before = await repositories.surveys.responses(survey_id)
    async with database.engine.connect() as connection:
        ids_before = set(
            (await connection.execute(text("SELECT id FROM survey_responses"))).scalars()
        )
    is_postgres = database.engine.dialect.name == "postgresql"
    if is_postgres:
        # While open, each submit's rows carry its own transaction id.
        assert len(await _xmins(database, "survey_responses")) == 20
    async with database.transaction() as repositories:
        await repositories.surveys.seal(survey_id)
    async with database.transaction() as repositories:
        after = await repositories.surveys.responses(survey_id)
        assert not await repositories.surveys.has_participation(f"{0:064d}")
    async with database.engine.connect() as connection:
        participations = (
            await connection.execute(text("SELECT count(*) FROM survey_participations"))
        ).scalar_one()
        ids_after = set(
            (await connection.execute(text("SELECT id FROM survey_responses"))).scalars()
        )
    assert participations == 0
    assert len(ids_after) == 20 and not ids_after & ids_before
    assert Counter(map(_canonical, after)) == Counter(map(_canonical, before))
    if is_postgres:
        assert len(await _xmins(database, "survey_responses")) == 1
        assert await _xmins(database, "survey_answers") == await _xmins(
            database, "survey_responses"
        )


async def test_a_hidden_text_is_kept_but_not_published_and_survives_sealing(
    database: Database,
) -> None:
    survey_id = await _survey_id(database)
    async with database.transaction() as repositories:
        await repositories.surveys.add_response(survey_id, Segment(), ANSWERS, now=NOW)
        other = await repositories.surveys.add_participation(survey_id, "c" * 64)
        assert other
    async with database.transaction() as repositories:
        texts = await repositories.surveys.free_texts(survey_id)
        assert sorted(t.text for t in texts) == [
            "Больше\nвстреч с родителями",
            "Родительское собрание",
            "Слышал от соседей",
        ]
        assert [t.id for t in texts] == sorted(t.id for t in texts)  # random keys, no order
        free = next(t for t in texts if t.question_id == "4")
        other_text = next(t for t in texts if t.question_id == "1")
        assert await repositories.surveys.set_hidden(survey_id, free.id, True)
        assert await repositories.surveys.set_hidden(survey_id, other_text.id, True)
        assert not await repositories.surveys.set_hidden(survey_id + 1, free.id, True)
        assert not await repositories.surveys.set_hidden(survey_id, "0" * 32, True)
    async with database.transaction() as repositories:
        (published,) = await repositories.surveys.responses(survey_id)
    # The free text is no answer at all; «Другое» still counts, without its words.
    assert "4" not in published.answers
    assert published.answers["1"] == Answer(choices=(OTHER,))
    assert published.answers["2"] == ANSWERS["2"]
    async with database.transaction() as repositories:
        await repositories.surveys.seal(survey_id)
    async with database.transaction() as repositories:
        after = await repositories.surveys.free_texts(survey_id)
        (sealed,) = await repositories.surveys.responses(survey_id)
    assert sorted((t.text, t.hidden) for t in after) == [
        ("Больше\nвстреч с родителями", True),
        ("Родительское собрание", False),
        ("Слышал от соседей", True),
    ]
    assert not {t.id for t in after} & {t.id for t in texts}  # sealing renames every answer
    assert sealed == published
    async with database.transaction() as repositories:
        shown = next(t for t in after if t.question_id == "4")
        assert await repositories.surveys.set_hidden(survey_id, shown.id, False)
        (again,) = await repositories.surveys.responses(survey_id)
    assert again.answers["4"] == ANSWERS["4"]
