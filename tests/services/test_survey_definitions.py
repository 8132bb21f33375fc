"""Survey definitions and first looks from memory (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.clock import ManualClock
from core.models import OrganisationKind
from services.access import Actor
from services.people import PeopleService
from services.survey_definitions import SurveyDefinitions, fingerprint
from services.surveys import SURVEY_MEMORY_TTL, SurveyService
from storage.database import Database
from surveys.model import Audience, Option, Question, QuestionKind, SurveyDefinition
from tests.sql_statements import count_statements

ADMIN = Actor(1, None, is_admin=True)
DEFINITION = SurveyDefinition(
    title="Кружки",
    intro="",
    audience=Audience.PARENTS,
    questions=(Question("1", "Ходит ли?", QuestionKind.SINGLE, options=(Option("1", "Да"),)),),
)


def _service(database: Database, clock: ManualClock) -> SurveyService:
    return SurveyService(database, clock, secrets.token_bytes(32), ZoneInfo("Asia/Vladivostok"))


def test_the_fingerprint_follows_the_definition_only() -> None:
    same = SurveyDefinition(DEFINITION.title, "", Audience.PARENTS, DEFINITION.questions)
    assert fingerprint(same) == fingerprint(DEFINITION)
    changed = SurveyDefinition("Секции", "", Audience.PARENTS, DEFINITION.questions)
    assert fingerprint(changed) != fingerprint(DEFINITION)


async def test_a_definition_is_read_once_and_an_unknown_survey_is_none(
    database: Database, clock: ManualClock
) -> None:
    survey = await _service(database, clock).create(ADMIN, DEFINITION)
    definitions = SurveyDefinitions(database)
    with count_statements(database.engine) as statements:
        first = await definitions.get(survey.id)
        again = await definitions.get(survey.id)
    assert first is not None and first == again and first.definition == DEFINITION
    assert first.fingerprint == fingerprint(DEFINITION)
    assert len(statements) == 1
    assert await definitions.get(survey.id + 1000) is None


async def test_a_link_is_answered_from_memory_and_a_close_is_seen_at_once(
    database: Database, clock: ManualClock
) -> None:
    service = _service(database, clock)
    survey = await service.create(ADMIN, DEFINITION)
    survey = await service.open(ADMIN, survey.id, date(2022, 9, 30))
    found = await service.by_code(survey.code)
    assert found is not None
    with count_statements(database.engine) as statements:
        again = await service.by_code(survey.code)
        assert again is not None and await service.accepts_answers(again)
    assert statements == []

    await service.close(ADMIN, survey.id)
    closed = await service.by_code(survey.code)
    assert closed is not None and not await service.accepts_answers(closed)


async def test_another_instance_s_close_shows_after_the_ttl(
    database: Database, clock: ManualClock
) -> None:
    here = _service(database, clock)
    survey = await here.create(ADMIN, DEFINITION)
    survey = await here.open(ADMIN, survey.id, date(2022, 9, 30))
    assert await here.by_code(survey.code) is not None
    elsewhere = _service(Database(database.engine), clock)
    await elsewhere.close(ADMIN, survey.id)
    remembered = await here.by_code(survey.code)
    assert remembered is not None and await here.accepts_answers(remembered)
    clock.advance(SURVEY_MEMORY_TTL)
    fresh = await here.by_code(survey.code)
    assert fresh is not None and not await here.accepts_answers(fresh)


async def test_the_closing_day_counts_in_the_organisation_s_zone_from_memory(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    school = await people.add_organisation(
        ADMIN, name="СОШ", kind=OrganisationKind.SCHOOL, timezone="Europe/Kaliningrad",
        parent_id=None,
    )  # fmt: skip
    service = _service(database, clock)
    survey = await service.create(ADMIN, DEFINITION, organisation_id=school.id)
    survey = await service.open(ADMIN, survey.id, date(2022, 9, 20))
    # The clock starts at 09:00 on the 20th in Vladivostok, 01:00 on the 20th in Kaliningrad.
    clock.advance(timedelta(hours=22, minutes=59, seconds=50))  # 23:59:50 in Kaliningrad
    assert await service.accepts_answers(survey)
    clock.advance(timedelta(seconds=20))  # the 21st there, the zone still in memory
    with count_statements(database.engine) as statements:
        assert not await service.accepts_answers(survey)
    assert statements == []
