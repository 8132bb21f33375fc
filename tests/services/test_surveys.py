"""The survey service on real databases: access, lifecycle, submit, and anonymity."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, DateTime, inspect, text

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from services.access import AccessDenied, Actor
from services.surveys import (
    SubmitOutcome,
    SurveyRefused,
    SurveyService,
    clean_answers,
    participation_token,
)
from storage.database import Database
from storage.records import Organisation, Person
from storage.schema import survey_answers, survey_participations, survey_responses
from storage.types import UTCDateTime
from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Option,
    Question,
    QuestionKind,
    RespondentRole,
    Scale,
    Segment,
    Segments,
    SurveyDefinition,
    SurveyStatus,
)

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
SECRET = b"a secret the database never sees"
ADMIN = Actor(1, None, is_admin=True)
CLASSES = ("5 «а»", "7 «б»", "10 «а»")

DEFINITION = SurveyDefinition(
    title="Эффективность проекта",
    intro="Опрос анонимный.",
    audience=Audience.BOTH,
    questions=(
        Question(
            "1",
            "Были ли вы на мероприятиях проекта?",
            QuestionKind.SINGLE,
            options=(Option("1", "Да"), Option("2", "Нет", goto="3")),
        ),
        Question(
            "2",
            "Что понравилось?",
            QuestionKind.MULTIPLE,
            options=(Option("1", "Экскурсии"), Option("2", "Встречи"), Option("3", "Конкурсы")),
            other=True,
            required=False,
        ),
        Question("3", "Оцените проект", QuestionKind.SCALE, scale=Scale(1, 5, "плохо", "отлично")),
        Question("4", "Пожелания", QuestionKind.TEXT, required=False, max_length=50),
    ),
    segments=Segments(ask_role=True, classes=CLASSES),
)

GOOD = {
    "1": Answer(choices=("1",)),
    "2": Answer(choices=("2", OTHER), text="Субботники"),
    "3": Answer(number=4),
    "4": Answer(text="Больше экскурсий"),
}


class World:
    """A district with a school, a second district, their people, and a service."""

    def __init__(self, database: Database, clock: ManualClock) -> None:
        self.database = database
        self.clock = clock
        self.service = SurveyService(database, clock, SECRET, VLADIVOSTOK)

    async def build(self) -> World:
        async with self.database.transaction() as repositories:
            now = self.clock.now()
            add = repositories.organisations.add
            self.district = await add(
                name="УО ДГО",
                kind=OrganisationKind.MUNICIPALITY,
                timezone="Asia/Vladivostok",
                created_at=now,
            )
            self.school = await add(
                name="МБОУ «СОШ №2»",
                kind=OrganisationKind.SCHOOL,
                timezone="Asia/Vladivostok",
                created_at=now,
                parent_id=self.district.id,
            )
            self.western = await add(
                name="МАОУ «Гимназия №1» (Калининград)",
                kind=OrganisationKind.SCHOOL,
                timezone="Europe/Kaliningrad",
                created_at=now,
            )
            self.district_coordinator = await self._actor(
                repositories, self.district, Role.COORDINATOR, 11
            )
            self.school_coordinator = await self._actor(
                repositories, self.school, Role.COORDINATOR, 12
            )
            self.western_coordinator = await self._actor(
                repositories, self.western, Role.COORDINATOR, 13
            )
            self.observer = await self._actor(repositories, self.district, Role.OBSERVER, 14)
            self.executor = await self._actor(repositories, self.school, Role.EXECUTOR, 15)
        return self

    async def _actor(
        self, repositories: Any, organisation: Organisation, role: Role, user_id: int
    ) -> Actor:
        person: Person = await repositories.people.add(
            full_name=f"Сотрудник{user_id} А.А.",
            name_key=f"p{user_id}",
            role=role,
            created_at=self.clock.now(),
            organisation_id=organisation.id,
            telegram_user_id=user_id,
        )
        return Actor(user_id, person, is_admin=False)


@pytest.fixture
async def world(database: Database, clock: ManualClock) -> World:
    return await World(database, clock).build()


def _at(day: int, hour: int, zone: ZoneInfo = VLADIVOSTOK) -> datetime:
    return datetime(2022, 9, day, hour, 0, tzinfo=zone)


def test_token_is_an_hmac_of_survey_and_user() -> None:
    expected = hmac.new(SECRET, b"7:123456789", hashlib.sha256).hexdigest()
    assert participation_token(SECRET, 7, 123456789) == expected
    assert len(expected) == 64
    assert participation_token(b"another secret", 7, 123456789) != expected
    assert participation_token(SECRET, 8, 123456789) != expected


async def test_who_may_create_see_and_change(world: World) -> None:
    service = world.service
    school_survey = await service.create(world.school_coordinator, DEFINITION)
    district_survey = await service.create(world.district_coordinator, DEFINITION)
    western_survey = await service.create(world.western_coordinator, DEFINITION)
    own_survey = await service.create(ADMIN, DEFINITION)
    assert school_survey.organisation_id == world.school.id
    assert own_survey.organisation_id is None
    assert school_survey.status is SurveyStatus.DRAFT
    assert len(school_survey.code) == 10 and school_survey.code.isalnum()
    assert len({s.code for s in (school_survey, district_survey, western_survey)}) == 3

    def ids(overviews: list[Any]) -> list[int]:
        return [overview.survey.id for overview in overviews]

    # Newest first; the district sees its school's surveys, nobody else's.
    assert ids(await service.list_for(world.district_coordinator)) == [
        district_survey.id,
        school_survey.id,
    ]
    assert ids(await service.list_for(world.observer)) == [district_survey.id, school_survey.id]
    assert ids(await service.list_for(world.school_coordinator)) == [school_survey.id]
    assert ids(await service.list_for(ADMIN)) == [
        own_survey.id,
        western_survey.id,
        district_survey.id,
        school_survey.id,
    ]
    with pytest.raises(AccessDenied):
        await service.list_for(world.executor)
    with pytest.raises(AccessDenied):
        await service.create(world.executor, DEFINITION)
    with pytest.raises(AccessDenied):
        await service.create(world.school_coordinator, DEFINITION, world.district.id)
    placed = await service.create(world.district_coordinator, DEFINITION, world.school.id)
    assert placed.organisation_id == world.school.id

    overview = await service.get_for_manager(world.observer, school_survey.id)
    assert (overview.survey, overview.responses) == (school_survey, 0)
    for actor, survey_id in (
        (world.school_coordinator, district_survey.id),
        (world.western_coordinator, school_survey.id),
        (world.district_coordinator, own_survey.id),
        (world.executor, school_survey.id),
        (world.district_coordinator, 999_999),
    ):
        with pytest.raises(AccessDenied):
            await service.get_for_manager(actor, survey_id)
        with pytest.raises(AccessDenied):
            await service.responses_for(actor, survey_id)
    # Observers follow results but do not run surveys.
    with pytest.raises(AccessDenied):
        await service.open(world.observer, school_survey.id, date(2022, 9, 30))
    with pytest.raises(AccessDenied):
        await service.close(world.western_coordinator, school_survey.id)


async def test_lifecycle_draft_open_closed(world: World) -> None:
    service = world.service
    survey = await service.create(world.school_coordinator, DEFINITION)
    user = 5_000_000_001
    assert await service.submit(survey.id, user, Segment(), GOOD) is SubmitOutcome.CLOSED
    with pytest.raises(SurveyRefused) as refused:
        await service.open(world.school_coordinator, survey.id, date(2022, 9, 19))
    assert refused.value.key == "survey.service.closes_in_past"
    assert refused.value.params == {"today": "20.09.2022"}
    with pytest.raises(SurveyRefused) as refused:
        await service.close(world.school_coordinator, survey.id)
    assert refused.value.key == "survey.service.not_open"

    opened = await service.open(world.school_coordinator, survey.id, date(2022, 9, 20))
    assert opened.status is SurveyStatus.OPEN
    assert (opened.opened_on, opened.closes_on) == (date(2022, 9, 20), date(2022, 9, 20))
    assert await service.accepts_answers(opened)
    # An open survey may run longer; the day it opened stays.
    longer = await service.open(world.district_coordinator, survey.id, date(2022, 9, 30))
    assert (longer.opened_on, longer.closes_on) == (date(2022, 9, 20), date(2022, 9, 30))
    assert await service.submit(survey.id, user, Segment(), GOOD) is SubmitOutcome.ACCEPTED
    assert (await service.get_for_manager(world.observer, survey.id)).responses == 1

    world.clock.set(_at(22, 10))
    closed = await service.close(world.school_coordinator, survey.id)
    assert (closed.status, closed.closed_on) == (SurveyStatus.CLOSED, date(2022, 9, 22))
    assert await service.close(world.school_coordinator, survey.id) == closed
    assert not await service.accepts_answers(closed)
    assert await service.submit(survey.id, user + 1, Segment(), GOOD) is SubmitOutcome.CLOSED
    with pytest.raises(SurveyRefused) as refused:
        await service.open(world.school_coordinator, survey.id, date(2022, 10, 30))
    assert refused.value.key == "survey.service.not_draft"
    # Results stay after closing.
    _, responses = await service.responses_for(world.observer, survey.id)
    assert [r.answers for r in responses] == [GOOD]
    assert await service.submit(999_999, user, Segment(), GOOD) is SubmitOutcome.NOT_FOUND


async def test_days_are_counted_where_the_school_is(world: World) -> None:
    service = world.service
    # 06:00 in Vladivostok is still the evening before in Kaliningrad.
    world.clock.set(_at(20, 6))
    east = await service.create(world.school_coordinator, DEFINITION)
    west = await service.create(world.western_coordinator, DEFINITION)
    assert await service.today_of(east) == date(2022, 9, 20)
    assert await service.today_of(west) == date(2022, 9, 19)
    assert await service.zone_of(west) == ZoneInfo("Europe/Kaliningrad")
    with pytest.raises(SurveyRefused):
        await service.open(world.school_coordinator, east.id, date(2022, 9, 19))
    west = await service.open(world.western_coordinator, west.id, date(2022, 9, 20))
    east = await service.open(world.school_coordinator, east.id, date(2022, 9, 20))
    assert (east.opened_on, west.opened_on) == (date(2022, 9, 20), date(2022, 9, 19))

    # Just after midnight in Vladivostok: the east's last day has passed, the west's has not.
    world.clock.set(_at(21, 0) + timedelta(minutes=30))
    assert await service.submit(east.id, 42_000_001, Segment(), GOOD) is SubmitOutcome.CLOSED
    assert await service.submit(west.id, 42_000_001, Segment(), GOOD) is SubmitOutcome.ACCEPTED
    closed = await service.close_due()
    assert [(s.id, s.status, s.closed_on) for s in closed] == [
        (east.id, SurveyStatus.CLOSED, date(2022, 9, 21))
    ]
    assert await service.close_due() == []
    world.clock.set(datetime(2022, 9, 21, 0, 5, tzinfo=ZoneInfo("Europe/Kaliningrad")))
    closed = await service.close_due()
    assert [(s.id, s.closed_on) for s in closed] == [(west.id, date(2022, 9, 21))]
    assert await service.close_due() == []
    _, responses = await service.responses_for(ADMIN, west.id)
    # Accepted on the west's 20 September; responses keep no day (it would set apart the
    # answers of a quiet day in a copy of the database).
    assert len(responses) == 1


async def test_submit_once_checks_answers_and_drops_strangers(world: World) -> None:
    service = world.service
    survey = await service.create(world.school_coordinator, DEFINITION)
    survey = await service.open(world.school_coordinator, survey.id, date(2022, 9, 30))
    segment = Segment(RespondentRole.STUDENT, "7 «б»")
    user = 6_000_000_001
    bad_answers: list[dict[str, Answer]] = [
        {"1": Answer(choices=("1", "2"))},  # two options for a single choice
        {"1": Answer(choices=("9",))},  # no such option
        {"1": Answer(choices=(OTHER,), text="x")},  # no "Другое" in question 1
        {"2": Answer(choices=("1", "1"))},
        {"2": Answer(choices=("1",), text="words without Другое")},
        {"3": Answer(number=6)},
        {"3": Answer(choices=("1",))},
        {"4": Answer(text="а" * 51)},
        {"4": Answer(text="  ")},
        {"2": Answer(choices=(OTHER,), text="б" * 501)},  # its default limit is 500
        {"1": Answer()},
    ]
    for answers in bad_answers:
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError: handlers never send these
            await service.submit(survey.id, user, segment, answers)
    with pytest.raises(ValueError):  # noqa: PT011
        await service.submit(survey.id, user, Segment(RespondentRole.PARENT, "11 «в»"), GOOD)
    # None of the refusals counted as taking part.
    assert not await service.has_answered(survey.id, user)

    with_stranger = {**GOOD, "99": Answer(text="вопроса 99 нет")}
    assert await service.submit(survey.id, user, segment, with_stranger) is SubmitOutcome.ACCEPTED
    assert await service.has_answered(survey.id, user)
    assert not await service.has_answered(survey.id, user + 1)
    again = {"3": Answer(number=1)}
    assert await service.submit(survey.id, user, segment, again) is SubmitOutcome.ALREADY_ANSWERED
    _, responses = await service.responses_for(world.school_coordinator, survey.id)
    assert len(responses) == 1
    assert responses[0].answers == GOOD
    assert responses[0].segment == segment


async def test_two_taps_at_once_store_one_response(world: World) -> None:
    service = world.service
    survey = await service.create(world.school_coordinator, DEFINITION)
    await service.open(world.school_coordinator, survey.id, date(2022, 9, 30))
    outcomes = await asyncio.gather(
        *(service.submit(survey.id, 7_000_000_001, Segment(), GOOD) for _ in range(4))
    )
    assert sorted(outcomes) == sorted(
        [SubmitOutcome.ACCEPTED] + [SubmitOutcome.ALREADY_ANSWERED] * 3
    )
    assert (await service.get_for_manager(ADMIN, survey.id)).responses == 1


async def test_submit_of_a_known_survey_still_asks_the_database(
    world: World, database: Database
) -> None:
    """A survey this instance has read is submitted to without reading it again, yet closing it
    elsewhere (another instance) or its last day passing is seen at once."""
    service = world.service
    other = SurveyService(database, world.clock, SECRET, VLADIVOSTOK)
    survey = await service.create(world.school_coordinator, DEFINITION)
    survey = await service.open(world.school_coordinator, survey.id, date(2022, 9, 21))
    assert await service.by_code(survey.code) is not None  # now known here
    assert await service.submit(survey.id, 8_000_000_001, Segment(), GOOD) is (
        SubmitOutcome.ACCEPTED
    )
    world.clock.set(_at(22, 10))
    assert await service.submit(survey.id, 8_000_000_002, Segment(), GOOD) is (
        SubmitOutcome.CLOSED
    )
    world.clock.set(_at(21, 10))
    await other.close(world.school_coordinator, survey.id)
    assert await service.submit(survey.id, 8_000_000_003, Segment(), GOOD) is (
        SubmitOutcome.CLOSED
    )
    assert not await service.has_answered(survey.id, 8_000_000_003)
    assert (await service.get_for_manager(ADMIN, survey.id)).responses == 1


def test_clean_answers_keeps_only_known_questions() -> None:
    cleaned = clean_answers(DEFINITION, {"3": Answer(number=5), "x": Answer(number=100)})
    assert cleaned == {"3": Answer(number=5)}


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        ("1", Answer(choices=("1",), number=1)),  # a choice with a number
        ("3", Answer(number=3, text="хорошо")),  # a scale with words
        ("4", Answer(choices=("1",), text="слова")),  # free text with an option
        ("4", Answer(number=3, text="слова")),  # free text with a number
    ],
)
def test_an_answer_carries_only_what_its_kind_takes(question_id: str, answer: Answer) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError: handlers never send these
        clean_answers(DEFINITION, {question_id: answer})


def test_an_exclusive_option_is_taken_alone() -> None:
    unsure = Question(
        "1",
        "Какие направления?",
        QuestionKind.MULTIPLE,
        options=(Option("1", "IT"), Option("2", "Пока не знаю", exclusive=True)),
        other=True,
    )
    definition = SurveyDefinition("Опрос", "", Audience.PARENTS, (unsure,))
    alone = Answer(choices=("2",))
    assert clean_answers(definition, {"1": alone}) == {"1": alone}
    for together in (Answer(choices=("1", "2")), Answer(choices=("2", OTHER), text="своё")):
        with pytest.raises(ValueError, match="exclusive"):
            clean_answers(definition, {"1": together})


@pytest.mark.parametrize(("number", "taken"), [(0, False), (1, True), (5, True), (6, False)])
def test_a_scale_without_its_bounds_runs_from_one_to_five(number: int, taken: bool) -> None:
    definition = SurveyDefinition(
        "Опрос", "", Audience.PARENTS, (Question("1", "Оцените", QuestionKind.SCALE),)
    )
    answer = Answer(number=number)
    if taken:
        assert clean_answers(definition, {"1": answer}) == {"1": answer}
    else:
        with pytest.raises(ValueError, match="outside the scale"):
            clean_answers(definition, {"1": answer})


# --- Anonymity -------------------------------------------------------------------------------

ANSWER_TABLES = (survey_participations, survey_responses, survey_answers)
USERS = [5_123_400_000 + 7919 * number for number in range(30)]


def _respondent(number: int) -> tuple[Segment, dict[str, Answer]]:
    role = RespondentRole.PARENT if number % 3 else RespondentRole.STUDENT
    answers: dict[str, Answer] = {
        "1": Answer(choices=("1",) if number % 4 else ("2",)),
        "3": Answer(number=number % 5 + 1),
        "4": Answer(text=f"пожелание №{number}"),
    }
    if number % 4:
        answers["2"] = (
            Answer(choices=("1", OTHER), text="Походы") if number % 2 else Answer(choices=("3",))
        )
    return Segment(role, CLASSES[number % 3]), answers


async def _dump(database: Database) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every row of every survey table, as a copy of the database would hold it."""
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        dump = {}
        for name in names:
            if name == "surveys" or name.startswith("survey_"):
                result = await connection.execute(text(f"SELECT * FROM {name}"))
                dump[name] = (list(result.keys()), [tuple(row) for row in result])
    return dump


async def test_thirty_answers_leave_no_trace_of_who_gave_them(world: World) -> None:
    service = world.service
    survey = await service.create(world.school_coordinator, DEFINITION)
    await service.open(world.school_coordinator, survey.id, date(2022, 9, 30))
    given = []
    for number, user in enumerate(USERS):
        # Answers trickle in over two days, at different times.
        world.clock.set(_at(20, 9) + timedelta(minutes=47 * number))
        segment, answers = _respondent(number)
        given.append((segment, answers))
        assert await service.submit(survey.id, user, segment, answers) is SubmitOutcome.ACCEPTED
    assert await service.submit(survey.id, USERS[3], *_respondent(3)) is (
        SubmitOutcome.ALREADY_ANSWERED
    )

    # Every pool was mixed long ago but the last few: once the window has passed, they are too.
    world.clock.advance(world.service.mixing.policy.window)
    assert await world.service.mixing.run() > 0
    assert await world.service.mixing.run() == 0
    dump = await _dump(world.database)
    assert set(dump) == {"surveys", *(t.name for t in ANSWER_TABLES)}
    for table, (_columns, rows) in dump.items():
        for row in rows:
            for cell in row:
                for user in USERS:
                    assert str(user) not in str(cell), (table, row)
                if table != "surveys":
                    # Mixed: no moment and no day, in any representation, in answer tables.
                    assert not isinstance(cell, date), (table, row)
                    assert not (isinstance(cell, str) and _looks_like_a_day(cell)), (table, row)
    for table in ANSWER_TABLES:
        # Only the pending pool's mark is a time, and it is empty once mixed.
        assert [c.name for c in table.c if isinstance(c.type, Date | DateTime | UTCDateTime)] == (
            ["pending_since"] if table is survey_responses else []
        )
        assert not any(column.autoincrement is True for column in table.c)
    participation_columns, participations = dump["survey_participations"]
    response_columns, responses = dump["survey_responses"]
    assert set(participation_columns) & set(response_columns) == {"survey_id"}
    assert set(participation_columns) == {"token", "survey_id"}
    assert len(participations) == len(responses) == 30

    # The report sees what was given, in no particular order.
    _, stored = await service.responses_for(world.school_coordinator, survey.id)
    assert sorted(map(_canonical, stored)) == sorted(
        _canonical_pair(segment, answers) for segment, answers in given
    )
    wishes = [r.answers["4"].text for r in stored]
    submitted_order = [f"пожелание №{number}" for number in range(30)]
    if world.database.engine.dialect.name == "sqlite":
        assert _scan_of_wishes(await _dump(world.database)) != submitted_order
    assert wishes != submitted_order

    # Closing forgets the tokens and rewrites responses so no engine keeps their order.
    await service.close(world.school_coordinator, survey.id)
    dump = await _dump(world.database)
    assert dump["survey_participations"][1] == []
    assert len(dump["survey_responses"][1]) == 30
    assert _scan_of_wishes(dump) != submitted_order
    _, after = await service.responses_for(world.school_coordinator, survey.id)
    assert sorted(map(_canonical, after)) == sorted(map(_canonical, stored))


def _looks_like_a_day(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _scan_of_wishes(dump: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> list[str]:
    """The free-text answers in the order a plain scan of the responses returns them."""
    columns, rows = dump["survey_answers"]
    text_of = {
        row[columns.index("response_id")]: row[columns.index("text")]
        for row in rows
        if row[columns.index("question_id")] == "4"
    }
    response_columns, responses = dump["survey_responses"]
    return [text_of[row[response_columns.index("id")]] for row in responses]


def _canonical_pair(segment: Segment, answers: dict[str, Answer]) -> str:
    return repr((segment, sorted(answers.items())))


def _canonical(response: Any) -> str:
    return _canonical_pair(response.segment, dict(response.answers))
