"""Issue 7 acceptance, in-process, through buttons only.

A coordinator builds a survey from a built-in template and opens it; thirty parents and students
of three classes answer through the deep link; one tries again; the results and the three
exports hold the right numbers with the three-person class hidden; a dump of the database cannot
tie anyone to their answers. (The survey closing itself at its closing date, and the coordinator
told so, is tested over HTTP in ``tests/e2e/test_survey_closing.py``.)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import openpyxl
from sqlalchemy import text

import surveys
from core.models import Role
from services.access import Actor, resolve_actor
from storage.records import Survey
from surveys.answering import numbered_options
from surveys.loading import builtin_template
from surveys.model import Question, QuestionKind, SurveyStatus
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import COORDINATOR, add_person

SAMPLES = Path(surveys.__file__).resolve().parent / "samples"
CLASSES = ("5 «а»", "7 «б»", "10 «в»")
TEMPLATE = builtin_template("awareness")
assert TEMPLATE is not None
QUESTIONS = TEMPLATE.definition.questions
# The survey table's own columns (a survey is not personal); everything else is checked.
SURVEY_TABLES = ("survey_participations", "survey_responses", "survey_answers")


@dataclass(frozen=True)
class Respondent:
    user: FakeUser
    index: int

    @property
    def class_name(self) -> str:
        # 12 in 5 «а», 15 in 7 «б», 3 in 10 «в»: the last must never show in a breakdown.
        return CLASSES[0] if self.index < 12 else CLASSES[1] if self.index < 27 else CLASSES[2]

    @property
    def role_label(self) -> str:
        return "Родитель" if self.index % 2 == 0 else "Обучающийся"

    def option_for(self, question: Question) -> int:
        """Which option (0-based) this respondent picks: the first question splits in three."""
        if question is QUESTIONS[0]:
            return self.index % 3  # the third option ("Нет, не слышал(а)") skips two questions
        return 0

    def scale_for(self, question: Question) -> int:
        return 1 + self.index % 5

    @property
    def wish(self) -> str:
        return f"Пожелание номер {self.index}"


RESPONDENTS = [
    Respondent(FakeUser(900_000 + i, f"Родитель{i}", username=f"resp_user_{i}"), i)
    for i in range(30)
]


def _plain(message: SentMessage) -> str:
    return message.plain_text or ""


def _exact_button(message: SentMessage, label: str) -> str:
    """callback data of the button whose text is exactly the label (ticked or not)."""
    for row in message.buttons():
        for text_, data in row:
            if text_.removeprefix("✓").strip() == label and data is not None:
                return data
    raise AssertionError(f"no button {label!r} in {message.buttons()}")


async def _press_and_edit(bot: ChatBot, user: FakeUser, message: SentMessage, data: str) -> None:
    answered = await bot.press(user, message, data)
    assert "text" not in answered or not answered.get("show_alert"), answered
    await bot.api.wait_edit(message)


def _question_on(message: SentMessage) -> Question | None:
    shown = _plain(message)
    matches = [q for q in QUESTIONS if q.text in shown]
    return max(matches, key=lambda q: len(q.text)) if matches else None


async def _answer_survey(bot: ChatBot, respondent: Respondent, link: str) -> list[str]:
    """Goes through the whole survey with buttons and typed text; returns the questions seen."""
    user = respondent.user
    message = await bot.ask(user, link)
    await _press_and_edit(bot, user, message, message.button("Начать"))
    seen: list[str] = []
    for _ in range(40):  # more steps than any path has: a loop that never ends fails instead
        shown = _plain(message)
        if "Вы родитель или обучающийся?" in shown:
            await _press_and_edit(
                bot, user, message, _exact_button(message, respondent.role_label)
            )
            continue
        if "класс" in shown.split("\n")[0].lower() and _question_on(message) is None:
            await _press_and_edit(
                bot, user, message, _exact_button(message, respondent.class_name)
            )
            continue
        if "Проверьте, пожалуйста, ответы" in shown:
            await _press_and_edit(bot, user, message, message.button("Отправить"))
            return seen
        question = _question_on(message)
        assert question is not None, shown
        assert f"/ {len(QUESTIONS)}" in shown or "/ " in shown  # progress like "3 / 10"
        seen.append(question.id)
        if question.kind is QuestionKind.TEXT:
            await bot.send(user, respondent.wish)
            await bot.api.wait_edit(message)
            continue
        if question.kind is QuestionKind.SCALE:
            number = str(respondent.scale_for(question))
            await _press_and_edit(bot, user, message, _exact_button(message, number))
            continue
        index = respondent.option_for(question)
        label = str(index + 1) if numbered_options(question) else question.options[index].label
        await _press_and_edit(bot, user, message, _exact_button(message, label))
        if question.kind is QuestionKind.MULTIPLE:
            await _press_and_edit(bot, user, message, _exact_button(message, "Готово"))
    raise AssertionError("the survey never reached its review screen")


async def _survey_of(bot: ChatBot, code: str) -> Survey:
    survey = await bot.app.surveys.by_code(code)
    assert survey is not None
    return survey


async def _coordinator_builds_and_opens(bot: ChatBot) -> tuple[str, str]:
    """Returns the deep link and the /start command a respondent's tap sends."""
    assert TEMPLATE is not None
    api = bot.api
    listing = await bot.ask(COORDINATOR, "/surveys")
    await _press_and_edit(bot, COORDINATOR, listing, listing.button("Новый опрос"))
    await _press_and_edit(bot, COORDINATOR, listing, listing.button(TEMPLATE.title[:20]))
    assert "Перечислите классы" in _plain(listing)
    card = await bot.ask(COORDINATOR, "5а, 7 Б, 10 «в»")
    assert "Классы: 5 «а», 7 «б», 10 «в»" in _plain(card)
    await _press_and_edit(bot, COORDINATOR, card, card.button("Открыть"))
    opened = await bot.ask(COORDINATOR, "30.09.2022")
    assert "до 30.09.2022 включительно" in _plain(opened)

    await bot.press(COORDINATOR, opened, opened.button("Ссылка и QR"))
    link_message, qr = await api.wait_for_messages(COORDINATOR.id, 2)
    match = re.search(r"https://t\.me/\w+\?start=(s_[A-Za-z0-9]+)", _plain(link_message))
    assert match is not None, _plain(link_message)
    link = match.group(0)
    assert qr.kind == "photo" and (qr.content or b"").startswith(b"\x89PNG")

    await bot.press(COORDINATOR, opened, opened.button("Готовый пост"))
    post, _hint = await api.wait_for_messages(COORDINATOR.id, 2)
    assert post.button("Пройти опрос") == link
    return link, "/start " + match.group(1)


async def _dump(bot: ChatBot) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    dump: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    async with bot.app.database.engine.connect() as connection:
        names = (
            await connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'survey%'")
            )
        ).scalars()
        for name in list(names):
            result = await connection.execute(text(f'SELECT * FROM "{name}"'))
            dump[name] = (list(result.keys()), [tuple(row) for row in result])
    return dump


async def _thirty_answered(bot: ChatBot) -> tuple[Survey, str]:
    """The coordinator builds and opens the survey; the thirty answer it through the link."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    _, start = await _coordinator_builds_and_opens(bot)
    for respondent in RESPONDENTS:
        await _answer_survey(bot, respondent, start)
    return await _survey_of(bot, start.removeprefix("/start s_")), start


async def test_the_coordinator_builds_and_opens_a_survey_with_buttons_only(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    link, start = await _coordinator_builds_and_opens(bot)
    survey = await _survey_of(bot, start.removeprefix("/start s_"))
    assert survey.status is SurveyStatus.OPEN
    assert link.endswith(start.removeprefix("/start "))


async def test_thirty_answer_through_the_link_once_each_and_nothing_ties_them_to_it(
    bot: ChatBot,
) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    _, start = await _coordinator_builds_and_opens(bot)
    survey = await _survey_of(bot, start.removeprefix("/start s_"))
    # Thirty answers through the deep link, each path following the skip logic.
    for respondent in RESPONDENTS:
        seen = await _answer_survey(bot, respondent, start)
        skipped = respondent.index % 3 == 2
        assert len(seen) == (len(QUESTIONS) - 2 if skipped else len(QUESTIONS)), seen
        thanks = _plain(bot.api.chats[respondent.user.id][-1])
        assert "Спасибо" in thanks

    # A second attempt is refused at the link.
    again = await bot.ask(RESPONDENTS[5].user, start)
    assert "Вы уже ответили" in _plain(again)
    _, responses = await bot.app.surveys.responses_for(await _coordinator_actor(bot), survey.id)
    assert len(responses) == 30
    # Once the mixing window has passed, a dump of the database cannot tie anyone to their
    # answers (tests/e2e/test_survey_anonymity.py looks at the files themselves).
    bot.clock.advance(bot.app.surveys.mixing.policy.window)
    await bot.app.surveys.mixing.run()
    await _assert_anonymous(bot)


async def test_the_results_and_the_three_exports_agree_with_the_small_class_hidden(
    bot: ChatBot,
) -> None:
    await _thirty_answered(bot)
    api = bot.api
    listing = await bot.ask(COORDINATOR, "/results")
    await bot.press_label(COORDINATOR, listing, "ответов: 30")
    summary = await api.next_message(COORDINATOR.id)
    shown = _plain(summary)
    assert "Всего ответов: 30" in shown
    assert "Родители — 15 (50%)" in shown and "Обучающиеся — 15 (50%)" in shown
    assert "7 «б» — 15 (50%)" in shown
    # 10 «в» has 3 people: hidden, and 5 «а» with it, or 30 − 15 − 12 would give it away.
    assert "10 «в» — скрыто" in shown and "5 «а» — скрыто" in shown
    heard = QUESTIONS[0]
    for option in heard.options:
        assert f"{option.label} — 10 (33%)" in shown
    assert "менее 5" in shown

    await bot.press_label(COORDINATOR, summary, "XLSX")
    sheet = await api.next_message(COORDINATOR.id)
    workbook = openpyxl.load_workbook(io.BytesIO(sheet.content or b""))
    summary_rows = [row[:3] for row in workbook["Сводка"].iter_rows(values_only=True)]
    for option in heard.options:
        assert (option.label, 10, 33.3) in summary_rows
    assert ("7 «б»", 15, 50.0) in summary_rows
    assert not any(row[0] == "10 «в»" and isinstance(row[1], int) for row in summary_rows)
    raw = list(workbook["Ответы"].iter_rows(values_only=True))
    assert len(raw) == 31  # a header and one row per response
    assert not any("10 «в»" in str(cell) for row in raw for cell in row)
    wishes = sorted(str(cell) for row in raw for cell in row if "Пожелание номер" in str(cell))
    assert wishes == sorted(r.wish for r in RESPONDENTS)

    await bot.press_label(COORDINATOR, summary, "CSV")
    table = await api.next_message(COORDINATOR.id)
    rows = list(csv.reader(io.StringIO((table.content or b"").decode("utf-8-sig")), delimiter=";"))
    for option in heard.options:
        assert [option.label, "10", "33,3"] in rows
    assert ["7 «б»", "15", "50,0"] in rows
    assert ["10 «в»", "скрыто", ""] in rows

    await bot.press_label(COORDINATOR, summary, "DOCX")
    report = await api.next_message(COORDINATOR.id)
    document = docx.Document(io.BytesIO(report.content or b""))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[:2] == ["МБОУ «СОШ №2»", "Отчёт по результатам опроса"]
    assert "Всего ответили: 30" in paragraphs
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    for option in heard.options:
        assert [option.label, "10", "33,3"] in cells
    assert not any(row[0] == "10 «в»" and row[1].isdigit() for row in cells)
    assert len(document.inline_shapes) >= len(QUESTIONS) - 1  # a chart per counted question


async def _coordinator_actor(bot: ChatBot) -> Actor:
    return await resolve_actor(bot.app.database, bot.app.settings.admin_ids, COORDINATOR.id)


async def _assert_anonymous(bot: ChatBot) -> None:
    """No id, username, name or time of day in any survey table; nothing joins the two sides."""
    dump = await _dump(bot)
    assert set(SURVEY_TABLES) <= set(dump)
    identifying = set()
    for respondent in RESPONDENTS:
        user = respondent.user
        identifying |= {str(user.id), user.username or "", user.first_name}
    for name in SURVEY_TABLES:
        columns, rows = dump[name]
        assert not any(
            word in column.lower()
            for column in columns
            for word in ("user", "telegram", "message", "time", "_at", "created", "name_key")
        ), (name, columns)
        for row in rows:
            for value in row:
                assert not isinstance(value, datetime), (name, row)
                rendered = str(value)
                assert not any(token and token in rendered for token in identifying), (name, row)
                # A time of day anywhere ("12:34") would be finer than the day.
                assert not re.search(r"\d{1,2}:\d{2}", rendered), (name, row)
    participation_columns, participation_rows = dump["survey_participations"]
    response_columns, response_rows = dump["survey_responses"]
    assert len(participation_rows) == 30 and len(response_rows) == 30
    assert set(participation_columns) & set(response_columns) <= {"survey_id"}
    # Rows come back in random-key order, not the order people answered in.
    async with bot.app.database.engine.connect() as connection:
        order = (
            await connection.execute(
                text(
                    "SELECT a.text FROM survey_responses r JOIN survey_answers a "
                    "ON a.response_id = r.id WHERE a.text LIKE 'Пожелание номер %'"
                )
            )
        ).scalars()
        numbers = [int(str(value).rsplit(" ", 1)[1]) for value in order]
    assert sorted(numbers) == list(range(30))
    assert numbers != sorted(numbers)


async def test_a_broken_excel_definition_names_its_cell(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    workbook = openpyxl.load_workbook(SAMPLES / "survey.xlsx")
    questions = workbook["Вопросы"]
    kind_column = next(cell.column_letter for cell in questions[1] if cell.value == "Тип")
    questions[f"{kind_column}3"] = "гадание на кофейной гуще"
    buffer = io.BytesIO()
    workbook.save(buffer)

    refused = _plain(await bot.upload(COORDINATOR, "opros.xlsx", buffer.getvalue()))
    assert f"{kind_column}3" in refused and "Вопросы" in refused, refused
    assert "Опрос не создан" in refused
    assert await bot.app.surveys.list_for(await _coordinator_actor(bot)) == []
