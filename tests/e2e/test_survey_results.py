"""/results over the fake Bot API: the summary, charts as an album, and XLSX, CSV, DOCX files."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date

import docx
import openpyxl
import pytest

from core.models import Role
from handlers.callbacks import ResultsAction, ResultsCallback
from handlers.survey_results import album_sizes
from services.access import resolve_actor
from services.surveys import SurveyService
from storage.records import Survey
from surveys.model import OTHER, Answer, Audience, Segment, SurveyDefinition
from tests.e2e.conftest import COORDINATOR, EXECUTOR, STRANGER, RunningBot, add_person
from tests.fakebot import FakeUser
from tests.surveys.results_builders import DEFINITION, HEARD, PARENT, STUDENT

SIBLING = FakeUser(4005, "Ольга", language_code="ru")
OBSERVER = FakeUser(4007, "Вера", language_code="ru")
REFUSAL = "недоступно"
TODAY = "2022-09-20"  # the clock fixture's day


def _service(bot: RunningBot) -> SurveyService:
    service = bot.app.dispatcher["surveys"]
    assert isinstance(service, SurveyService)
    return service


async def _survey(bot: RunningBot, definition: SurveyDefinition = DEFINITION) -> Survey:
    actor = await resolve_actor(bot.app.database, bot.app.settings.admin_ids, COORDINATOR.id)
    service = _service(bot)
    survey = await service.create(actor, definition)
    return await service.open(actor, survey.id, date(2022, 10, 20))


def _answers(index: int, class_name: str) -> dict[str, Answer]:
    heard = "no" if index % 4 == 0 else "yes"
    answers = {
        "heard": Answer(choices=(heard,)),
        "sources": Answer(choices=("site", "chat") if index % 2 else ("teacher",)),
        "rating": Answer(number=1 + index % 5),
    }
    if index == 0:
        answers["wish"] = Answer(text=f"Пожелание из {class_name}")
    if index == 1:
        answers["heard"] = Answer(choices=(OTHER,), text="От соседки")
    return answers


async def _answer_thirty(bot: RunningBot, survey: Survey) -> None:
    """30 parents and students of three classes; 10 «а» has only 3 respondents."""
    user_id = 90_000
    for class_name, size in (("5 «а»", 15), ("5 «б»", 12), ("10 «а»", 3)):
        for index in range(size):
            user_id += 1
            role = STUDENT if index % 3 == 0 else PARENT
            outcome = await _service(bot).submit(
                survey.id, user_id, Segment(role, class_name), _answers(index, class_name)
            )
            assert outcome.value == "accepted"


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">I", data[16:20])[0])


async def test_results_summary_charts_and_every_export(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    survey = await _survey(bot)
    await _answer_thirty(bot, survey)

    listing = await bot.ask(COORDINATOR, "/results")
    assert "Выберите опрос" in listing.plain_text
    assert "Осведомлённость о проекте · ответов: 30" in listing.buttons()[0][0][0]

    await bot.press(COORDINATOR, listing, listing.button("ответов: 30"))
    summary = await api.next_message(COORDINATOR.id, timeout=15)
    text = summary.plain_text or ""
    assert "Итоги опроса «Осведомлённость о проекте»" in text
    assert "Опрос открыт до 20.10.2022 включительно." in text
    assert "Всего ответов: 30" in text
    assert "Родители — 20 (67%)" in text and "Обучающиеся — 10 (33%)" in text
    assert "5 «а» — 15 (50%)" in text
    assert "5 «б» — скрыто" in text  # the complement: 10 «а» would be 30 − 15 − 12
    assert "10 «а» — скрыто" in text
    # index % 4 == 0 said no (8), index 1 of each class wrote "Другое" (3): 19 said yes
    assert "Да — 19 (63%)" in text and "Нет — 8 (27%)" in text and "Другое — 3 (10%)" in text
    assert "Среднее 2,8, медиана 3" in text
    assert "1: 7 · 2: 7 · 3: 6 · 4: 5 · 5: 5" in text
    assert "Ответов своими словами: 3" in text
    assert "менее 5" in text
    labels = [label for row in summary.buttons() for label, _ in row]
    assert labels == ["📊 Диаграммы", "📗 Таблица XLSX", "📄 Сводка CSV", "📝 Отчёт DOCX"]

    answer = await bot.press(COORDINATOR, summary, summary.button("Диаграммы"))
    assert "Готовлю" in answer.get("text", "")
    photos = await api.wait_for_messages(COORDINATOR.id, 3, timeout=30)
    assert [photo.kind for photo in photos] == ["photo"] * 3
    assert len(api.calls_to("sendMediaGroup")) == 1  # one album of three
    assert (photos[0].plain_text or "").startswith("1. " + HEARD.text[:20])
    assert all(_png_width(photo.content or b"") == 1080 for photo in photos)

    await bot.press(COORDINATOR, summary, summary.button("XLSX"))
    sheet = await api.next_message(COORDINATOR.id, timeout=30)
    assert sheet.kind == "document"
    assert sheet.file_name == f"opros-{survey.code}-{TODAY}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(sheet.content or b""))
    summary_rows = list(workbook["Сводка"].iter_rows(values_only=True))
    assert ("Да", 19, 63.3) in [row[:3] for row in summary_rows]
    assert ("10 «а»", "скрыто") in [row[:2] for row in summary_rows]
    assert ("МБОУ «СОШ №2»",) in [row[:1] for row in summary_rows]
    answers = list(workbook["Ответы"].iter_rows(values_only=True))
    assert len(answers) == 31
    assert {row[1] for row in answers[1:]} == {"5 «а»", "—"}
    assert sum(row[2] == "Другое: От соседки" for row in answers[1:]) == 3

    await bot.press(COORDINATOR, summary, summary.button("CSV"))
    table = await api.next_message(COORDINATOR.id, timeout=30)
    assert table.file_name == f"opros-{survey.code}-{TODAY}.csv"
    content = table.content or b""
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert ["Да", "19", "63,3"] in rows
    assert ["5 «а»", "15", "50,0"] in rows
    assert ["10 «а»", "скрыто", ""] in rows

    await bot.press(COORDINATOR, summary, summary.button("DOCX"))
    report = await api.next_message(COORDINATOR.id, timeout=60)
    assert report.file_name == f"opros-{survey.code}-{TODAY}.docx"
    assert "сайте школы" in (report.plain_text or "")
    document = docx.Document(io.BytesIO(report.content or b""))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[0] == "Отчёт по результатам опроса"
    assert "Опрос проводится с 20.09.2022 по 20.10.2022" in paragraphs
    assert "Всего ответов: 30" not in paragraphs and "Всего ответили: 30" in paragraphs
    assert len(document.inline_shapes) == 3
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Да", "19", "63,3"] in cells
    assert "Пожелание из 10 «а»" in paragraphs


async def test_no_responses_few_responses_and_refusals(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation="МБОУ «СОШ №5»")
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    empty = await _survey(bot)
    few = await _survey(bot)
    for user_id in (1, 2, 3):
        answers = {"heard": Answer(choices=("yes",)), "wish": Answer(text="Секрет")}
        outcome = await _service(bot).submit(few.id, user_id, Segment(PARENT, "5 «а»"), answers)
        assert outcome.value == "accepted"

    listing = await bot.ask(COORDINATOR, "/results")
    summary_of = ResultsCallback(survey_id=empty.id, action=ResultsAction.SUMMARY).pack()
    await bot.press(COORDINATOR, listing, summary_of)
    nothing = await api.next_message(COORDINATOR.id)
    assert "ответов пока нет" in (nothing.plain_text or "")

    await bot.press(COORDINATOR, listing, listing.button("ответов: 3"))
    withheld = await api.next_message(COORDINATOR.id)
    assert "Всего ответов: 3" in (withheld.plain_text or "")
    assert "итоги появятся, когда ответов будет не меньше 5" in (withheld.plain_text or "")
    assert "Секрет" not in (withheld.plain_text or "")
    assert withheld.buttons() == []
    # A forged export button for the same survey gets the same answer, not a file.
    forged = ResultsCallback(survey_id=few.id, action=ResultsAction.XLSX).pack()
    await bot.press(COORDINATOR, listing, forged)
    again = await api.next_message(COORDINATOR.id)
    assert again.kind == "text" and "не меньше 5" in (again.plain_text or "")

    # Another school's coordinator, an executor and a stranger are refused at press time.
    for user in (SIBLING, EXECUTOR, STRANGER):
        answer = await bot.press(user, listing, listing.button("ответов: 3"))
        assert answer["show_alert"] is True and REFUSAL in answer["text"]
    refused = await bot.ask(EXECUTOR, "/results")
    assert REFUSAL in (refused.plain_text or "")
    sibling_list = await bot.ask(SIBLING, "/results")
    assert "Опросов пока нет" in (sibling_list.plain_text or "")
    assert api.calls_to("sendDocument") == []


async def test_a_single_chart_is_a_photo_not_an_album(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    definition = SurveyDefinition("Один вопрос", "", Audience.PARENTS, (HEARD,))
    survey = await _survey(bot, definition)
    for user_id in range(1, 7):
        answers = {"heard": Answer(choices=("yes",))}
        outcome = await _service(bot).submit(survey.id, user_id, Segment(), answers)
        assert outcome.value == "accepted"
    charts = ResultsCallback(survey_id=survey.id, action=ResultsAction.CHARTS).pack()
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press(COORDINATOR, listing, charts)
    photo = await api.next_message(COORDINATOR.id, timeout=30)
    assert photo.kind == "photo"
    assert api.calls_to("sendMediaGroup") == []


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, []), (1, [1]), (2, [2]), (10, [10]), (11, [6, 5]), (21, [7, 7, 7]), (25, [9, 8, 8])],
)
def test_album_sizes_never_exceed_ten_nor_leave_one_alone(count: int, sizes: list[int]) -> None:
    assert album_sizes(count) == sizes
