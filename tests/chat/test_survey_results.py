"""/results: the summary, charts as an album, and XLSX, CSV, DOCX files."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date

import docx
import openpyxl
import pytest

from core.models import Role
from handlers.callbacks import (
    ResultsAction,
    ResultsCallback,
    TextReviewAction,
    TextReviewCallback,
)
from handlers.survey_results.views import album_sizes
from services.access import resolve_actor
from services.surveys import SurveyService
from storage.records import Survey
from surveys.loading import builtin_template
from surveys.model import OTHER, Answer, Audience, Segment, SurveyDefinition
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import COORDINATOR, EXECUTOR, STRANGER, add_person
from tests.surveys.pdf_tools import docx_as_pdf, pdf_pages, pdf_text
from tests.surveys.results_builders import DEFINITION, HEARD, PARENT, STUDENT

SIBLING = FakeUser(4005, "Ольга", language_code="ru")
REFUSAL = "недоступно"
TODAY = "2022-09-20"  # the clock fixture's day


def _service(bot: ChatBot) -> SurveyService:
    service = bot.app.dispatcher["surveys"]
    assert isinstance(service, SurveyService)
    return service


async def _survey(bot: ChatBot, definition: SurveyDefinition = DEFINITION) -> Survey:
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


async def _answer_thirty(bot: ChatBot, survey: Survey) -> None:
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


async def _thirty_answered(bot: ChatBot) -> Survey:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    survey = await _survey(bot)
    await _answer_thirty(bot, survey)
    return survey


async def _summary(bot: ChatBot) -> SentMessage:
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press_label(COORDINATOR, listing, "ответов: 30")
    return await bot.api.next_message(COORDINATOR.id)


async def _export(bot: ChatBot, label: str) -> SentMessage:
    summary = await _summary(bot)
    await bot.press_label(COORDINATOR, summary, label)
    return await bot.api.next_message(COORDINATOR.id)


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">I", data[16:20])[0])


async def test_results_lists_the_surveys_with_their_counts(bot: ChatBot) -> None:
    await _thirty_answered(bot)
    listing = await bot.ask(COORDINATOR, "/results")
    assert "Выберите опрос" in (listing.plain_text or "")
    assert "Осведомлённость о проекте · ответов: 30" in listing.buttons()[0][0][0]


async def test_the_summary_counts_and_hides_small_groups(bot: ChatBot) -> None:
    await _thirty_answered(bot)
    summary = await _summary(bot)
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
    assert labels == [
        "📊 Диаграммы",
        "📗 Таблица XLSX",
        "📄 Сводка CSV",
        "📝 Отчёт DOCX",
        "📕 Отчёт PDF",
        "✏️ Проверить ответы своими словами",
    ]


async def test_charts_come_as_one_album(bot: ChatBot) -> None:
    await _thirty_answered(bot)
    summary = await _summary(bot)
    answer = await bot.press_label(COORDINATOR, summary, "Диаграммы")
    assert "Готовлю" in answer.get("text", "")
    photos = await bot.api.wait_for_messages(COORDINATOR.id, 3)
    assert [photo.kind for photo in photos] == ["photo"] * 3
    assert len(bot.api.calls_to("sendMediaGroup")) == 1  # one album of three
    assert (photos[0].plain_text or "").startswith("1. " + HEARD.text[:20])
    assert all(_png_width(photo.content or b"") == 1080 for photo in photos)


async def test_the_xlsx_holds_the_summary_and_every_response(bot: ChatBot) -> None:
    survey = await _thirty_answered(bot)
    sheet = await _export(bot, "XLSX")
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


async def test_the_csv_summary_opens_in_excel(bot: ChatBot) -> None:
    survey = await _thirty_answered(bot)
    table = await _export(bot, "CSV")
    assert table.file_name == f"opros-{survey.code}-{TODAY}.csv"
    content = table.content or b""
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert ["Да", "19", "63,3"] in rows
    assert ["5 «а»", "15", "50,0"] in rows
    assert ["10 «а»", "скрыто", ""] in rows


async def test_the_docx_report_is_ready_for_the_school_website(bot: ChatBot) -> None:
    survey = await _thirty_answered(bot)
    report = await _export(bot, "DOCX")
    assert report.file_name == f"opros-{survey.code}-{TODAY}.docx"
    assert "сайте школы" in (report.plain_text or "")
    document = docx.Document(io.BytesIO(report.content or b""))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[:2] == ["МБОУ «СОШ №2»", "Отчёт по результатам опроса"]
    assert "Опрос проводится с 20.09.2022 по 20.10.2022" in paragraphs
    assert "Всего ответов: 30" not in paragraphs and "Всего ответили: 30" in paragraphs
    assert len(document.inline_shapes) == 3
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Да", "19", "63,3"] in cells
    assert "Пожелание из 10 «а»" in paragraphs


async def _empty_and_few(bot: ChatBot) -> tuple[Survey, Survey]:
    """Two surveys of COORDINATOR's school: one without responses, one with three."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    empty = await _survey(bot)
    few = await _survey(bot)
    for user_id in (1, 2, 3):
        answers = {"heard": Answer(choices=("yes",)), "wish": Answer(text="Секрет")}
        outcome = await _service(bot).submit(few.id, user_id, Segment(PARENT, "5 «а»"), answers)
        assert outcome.value == "accepted"
    return empty, few


async def test_a_survey_without_responses_says_so(bot: ChatBot) -> None:
    empty, _ = await _empty_and_few(bot)
    listing = await bot.ask(COORDINATOR, "/results")
    summary_of = ResultsCallback(survey_id=empty.id, action=ResultsAction.SUMMARY).pack()
    await bot.press(COORDINATOR, listing, summary_of)
    nothing = await bot.api.next_message(COORDINATOR.id)
    assert "ответов пока нет" in (nothing.plain_text or "")


async def test_under_five_responses_the_results_are_withheld(bot: ChatBot) -> None:
    await _empty_and_few(bot)
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press_label(COORDINATOR, listing, "ответов: 3")
    withheld = await bot.api.next_message(COORDINATOR.id)
    text = withheld.plain_text or ""
    assert "Всего ответов: 3" in text
    assert "итоги появятся, когда ответов будет не меньше 5" in text
    assert "Секрет" not in text
    assert withheld.buttons() == []


async def test_a_forged_export_of_withheld_results_gets_no_file(bot: ChatBot) -> None:
    _, few = await _empty_and_few(bot)
    listing = await bot.ask(COORDINATOR, "/results")
    forged = ResultsCallback(survey_id=few.id, action=ResultsAction.XLSX).pack()
    await bot.press(COORDINATOR, listing, forged)
    again = await bot.api.next_message(COORDINATOR.id)
    assert again.kind == "text" and "не меньше 5" in (again.plain_text or "")
    assert bot.api.calls_to("sendDocument") == []


async def test_others_are_refused_at_press_time(bot: ChatBot) -> None:
    await _empty_and_few(bot)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation="МБОУ «СОШ №5»")
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    listing = await bot.ask(COORDINATOR, "/results")
    # Another school's coordinator, an executor and a stranger.
    for user in (SIBLING, EXECUTOR, STRANGER):
        answer = await bot.press_label(user, listing, "ответов: 3")
        assert answer["show_alert"] is True and REFUSAL in answer["text"]
    assert bot.api.calls_to("sendDocument") == []


async def test_results_refuses_an_executor_and_shows_another_school_nothing(
    bot: ChatBot,
) -> None:
    await _empty_and_few(bot)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation="МБОУ «СОШ №5»")
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    refused = await bot.ask(EXECUTOR, "/results")
    assert REFUSAL in (refused.plain_text or "")
    sibling_list = await bot.ask(SIBLING, "/results")
    assert "Опросов пока нет" in (sibling_list.plain_text or "")


async def test_a_single_chart_is_a_photo_not_an_album(bot: ChatBot) -> None:
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
    photo = await bot.api.next_message(COORDINATOR.id)
    assert photo.kind == "photo"
    assert bot.api.calls_to("sendMediaGroup") == []


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, []), (1, [1]), (2, [2]), (10, [10]), (11, [6, 5]), (21, [7, 7, 7]), (25, [9, 8, 8])],
)
def test_album_sizes_never_exceed_ten_nor_leave_one_alone(count: int, sizes: list[int]) -> None:
    assert album_sizes(count) == sizes


STALE = "Эта кнопка устарела"
WISH = "Пожелание из 10 «а»"


async def _review(bot: ChatBot) -> SentMessage:
    summary = await _summary(bot)
    await bot.press_label(COORDINATOR, summary, "Проверить ответы своими словами")
    return await bot.api.next_message(COORDINATOR.id)


def _number_of(review: SentMessage, words: str) -> int | None:
    for line in (review.plain_text or "").splitlines():
        if words in line:
            return int(line.split(".", 1)[0])
    return None


async def _hide(bot: ChatBot, review: SentMessage, words: str) -> None:
    """Pages on until the answer is shown, then presses its «Скрыть»."""
    while (number := _number_of(review, words)) is None:
        await bot.press_label(COORDINATOR, review, "Дальше")
        await bot.api.wait_edit(review)
    answer = await bot.press_label(COORDINATOR, review, f"Скрыть {number}")
    assert "скрыт" in answer["text"] and len(answer["text"]) <= 200
    await bot.api.wait_edit(review)


async def _exports(bot: ChatBot) -> dict[str, bytes]:
    found = {}
    for label in ("XLSX", "CSV", "DOCX", "PDF"):
        found[label] = (await _export(bot, label)).content or b""
    return found


def _xlsx_values(data: bytes) -> list[object]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [v for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row]


def _docx_texts(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in document.paragraphs] + cells


async def test_a_hidden_typed_answer_leaves_every_export_and_the_results(bot: ChatBot) -> None:
    await _thirty_answered(bot)
    review = await _review(bot)
    text = review.plain_text or ""
    assert "Всего ответов: 6, скрыто: 0" in text and "От соседки" in text
    await _hide(bot, review, WISH)
    assert "скрыто: 1" in (review.plain_text or "")
    assert "Вернуть" in str(review.buttons())
    files = await _exports(bot)
    assert WISH not in _xlsx_values(files["XLSX"])
    assert "Пожелание из 5 «а»" in _xlsx_values(files["XLSX"])
    assert WISH not in files["CSV"].decode("utf-8-sig")
    assert WISH not in _docx_texts(files["DOCX"])
    assert "Пожелание из 5 «а»" in _docx_texts(files["DOCX"])
    summary = await _summary(bot)
    assert "Ответов своими словами: 2" in (summary.plain_text or "")
    pdf = pdf_text(files["PDF"])
    assert "Пожелание из 5 «а»" in pdf and WISH not in pdf


async def test_a_hidden_answer_comes_back_with_its_button(bot: ChatBot) -> None:
    await _thirty_answered(bot)
    review = await _review(bot)
    await _hide(bot, review, WISH)
    number = _number_of(review, WISH)
    answer = await bot.press_label(COORDINATOR, review, f"Вернуть {number}")
    assert "снова" in answer["text"]
    await bot.api.wait_edit(review)
    assert "скрыто: 0" in (review.plain_text or "")
    assert WISH in _docx_texts((await _export(bot, "DOCX")).content or b"")


async def test_others_pressing_hide_are_refused_like_a_stale_button(bot: ChatBot) -> None:
    survey = await _thirty_answered(bot)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation="МБОУ «СОШ №5»")
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    review = await _review(bot)
    hide = review.button("Скрыть 1")
    for user in (SIBLING, EXECUTOR, STRANGER):
        answer = await bot.press(user, review, hide)
        assert answer["show_alert"] is True and STALE in answer["text"], user
    # A key that is not an answer of this survey, and a forged one, change nothing either.
    another = await _survey(bot)
    moved = TextReviewCallback.unpack(hide).model_copy(update={"survey_id": another.id})
    answer = await bot.press(COORDINATOR, review, moved.pack())
    assert STALE in answer["text"]
    answer = await bot.press(COORDINATOR, review, hide[:-4] + "zzzz")
    assert STALE in answer["text"]
    admin = await resolve_actor(bot.app.database, bot.app.settings.admin_ids, COORDINATOR.id)
    texts = await _service(bot).texts_for_review(admin, survey.id)
    assert not any(text.hidden for text in texts.texts)
    assert bot.api.calls_to("editMessageText") == []


async def test_under_five_responses_the_review_shows_nothing(bot: ChatBot) -> None:
    _, few = await _empty_and_few(bot)
    listing = await bot.ask(COORDINATOR, "/results")
    opened = TextReviewCallback(action=TextReviewAction.OPEN, survey_id=few.id).pack()
    await bot.press(COORDINATOR, listing, opened)
    review = await bot.api.next_message(COORDINATOR.id)
    text = review.plain_text or ""
    assert "меньше 5" in text and "Секрет" not in text
    assert "Скрыть" not in str(review.buttons())


PRIVATE_WORDS = "Позвоните мне, Иванова, 8 900 000-00-00"


def _template_answers(definition: SurveyDefinition, index: int) -> dict[str, Answer]:
    """Respondent `index`'s answers to the autumn template: every question, in turn."""
    answers: dict[str, Answer] = {}
    for question in definition.questions:
        if question.kind.value == "scale":
            answers[question.id] = Answer(number=1 + (index * 3 + len(question.id)) % 5)
        elif question.kind.value == "text":
            if index % 3 == 0:
                answers[question.id] = Answer(text=f"Пожелание номер {index}")
        else:
            plain = [option.key for option in question.options if not option.exclusive]
            picked = plain[(index + len(question.id)) % len(plain)]
            answers[question.id] = Answer(choices=(picked,))
    return answers


@pytest.mark.slow
async def test_the_templates_report_with_twelve_answers_is_ready_to_publish(
    bot: ChatBot,
) -> None:
    """The acceptance of issue 15, item 5, end to end: the built-in autumn template, 12
    answers, one typed answer hidden before publishing."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    template = builtin_template("awareness")
    assert template is not None
    definition = template.definition
    survey = await _survey(bot, definition)
    for index in range(12):
        role = STUDENT if index % 3 == 0 else PARENT
        answers = _template_answers(definition, index)
        if index == 5:
            answers["10"] = Answer(text=PRIVATE_WORDS)
        outcome = await _service(bot).submit(survey.id, 80_000 + index, Segment(role), answers)
        assert outcome.value == "accepted"
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press_label(COORDINATOR, listing, "ответов: 12")
    summary = await bot.api.next_message(COORDINATOR.id)
    await bot.press_label(COORDINATOR, summary, "Проверить ответы")
    review = await bot.api.next_message(COORDINATOR.id)
    await _hide(bot, review, PRIVATE_WORDS)
    files = {}
    for label in ("XLSX", "CSV", "DOCX", "PDF"):
        summary = await _summary_of(bot, "ответов: 12")
        await bot.press_label(COORDINATOR, summary, label)
        files[label] = (await bot.api.next_message(COORDINATOR.id)).content or b""
    titles = [f"{n}. {q.text}" for n, q in enumerate(definition.questions, 1)]
    limit = -(-len(titles) // 2) + 2
    # DOCX: the school, each title once, the hidden answer nowhere; pages as Word lays out.
    texts = _docx_texts(files["DOCX"])
    assert "МБОУ «СОШ №2»" in texts
    for title in titles:
        assert sum(title in text for text in texts) == 1, title
    assert not any(PRIVATE_WORDS in text for text in texts)
    assert "Пожелание номер 0" in texts
    assert PRIVATE_WORDS not in _xlsx_values(files["XLSX"])
    assert "Пожелание номер 0" in _xlsx_values(files["XLSX"])
    assert PRIVATE_WORDS not in files["CSV"].decode("utf-8-sig")
    assert pdf_pages(files["PDF"]) <= limit
    pdf = pdf_text(files["PDF"])
    assert "МБОУ «СОШ №2»" in pdf and PRIVATE_WORDS not in pdf and "Пожелание номер 0" in pdf
    for title in titles:
        assert pdf.count(title[:30]) == 1, title
    assert pdf_pages(docx_as_pdf(files["DOCX"])) <= limit


async def _summary_of(bot: ChatBot, label: str) -> SentMessage:
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press_label(COORDINATOR, listing, label)
    return await bot.api.next_message(COORDINATOR.id)


async def test_a_segment_all_hidden_is_said_in_words_not_as_bare_hidden_cells(
    bot: ChatBot,
) -> None:
    """3 parents and 9 students: hiding the 3 hides the 9 (12 − 3); the summary says why."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    survey = await _survey(bot)
    for user_id in range(1, 13):
        role = PARENT if user_id <= 3 else STUDENT
        answers = {"heard": Answer(choices=("yes",))}
        outcome = await _service(bot).submit(survey.id, user_id, Segment(role), answers)
        assert outcome.value == "accepted"
    text = (await _summary_of(bot, "ответов: 12")).plain_text or ""
    assert "Родители — скрыто" not in text and "Обучающиеся — скрыто" not in text
    assert "Сколько из 12 ответивших родителей и сколько обучающихся, не показано" in text
    assert "меньше 5 человек" in text
