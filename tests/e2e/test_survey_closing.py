"""The survey-closing job over HTTP: past its closing date a survey closes itself and its
coordinator is told, once. (How the thirty answered it is tested in-process, in
``tests/chat/test_survey_acceptance.py``.)"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.deeplinks import DeepLink, DeepLinkKind
from core.models import Role
from services.access import resolve_actor
from surveys.loading import builtin_template
from surveys.model import Answer, Segment, SurveyStatus
from tests.e2e.conftest import COORDINATOR, RunningBot, add_person
from tests.fakebot import FakeUser

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


async def test_the_job_closes_a_survey_past_its_date_and_tells_the_coordinator_once(
    running_bot: RunningBot,
) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    actor = await resolve_actor(bot.app.database, bot.app.settings.admin_ids, COORDINATOR.id)
    template = builtin_template("awareness")
    assert template is not None
    survey = await bot.app.surveys.create(actor, template.definition)
    survey = await bot.app.surveys.open(actor, survey.id, date(2022, 9, 30))
    first = survey.definition.questions[0]
    for user_id in range(900_000, 900_030):
        answers = {first.id: Answer(choices=(first.options[0].key,))}
        outcome = await bot.app.surveys.submit(survey.id, user_id, Segment(), answers)
        assert outcome.value == "accepted"

    bot.clock.set(datetime(2022, 10, 1, 0, 10, tzinfo=VLADIVOSTOK))
    closed = await bot.app.survey_closing.run()
    assert [s.id for s in closed] == [survey.id]
    current = await bot.app.surveys.by_code(survey.code)
    assert current is not None and current.status is SurveyStatus.CLOSED
    notice = await api.next_message(COORDINATOR.id)
    assert "закрыт" in (notice.plain_text or "") and "Ответов: 30" in (notice.plain_text or "")
    assert await bot.app.survey_closing.run() == []
    late = FakeUser(990_001, "Опоздавший")
    link = "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()
    assert "завершён" in ((await bot.ask(late, link)).plain_text or "")
    assert api.chats[COORDINATOR.id] == [notice]  # told once
