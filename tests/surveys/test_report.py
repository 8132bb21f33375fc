"""Reports open in the programs people use and hold the right numbers, and nothing hidden."""

from __future__ import annotations

import csv
import io
import random
import re
import struct
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from babel.messages.pofile import read_po
from docx.oxml.ns import qn

from surveys.model import OTHER, Option, Question, QuestionKind, SurveyDefinition
from surveys.report import (
    PAGE,
    ReportMeta,
    build_csv,
    build_docx,
    build_pdf,
    build_xlsx,
    chart_png,
    charts_for,
)
from surveys.report import charts as charts_module
from surveys.report.labels import answer_value, decimal, line_label, median_text, period_text
from surveys.results import SurveyResults, summarise
from tests.surveys.pdf_tools import pdf_text
from tests.surveys.results_builders import (
    DEFINITION,
    HEARD,
    PARENT,
    RATING,
    SOURCES,
    STUDENT,
    free,
    many,
    number,
    response,
    single,
)

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
Translate = Callable[[str], str]


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return {str(m.id): str(m.string) for m in read_po(po_file) if m.id}


_RU, _EN = _catalog("ru"), _catalog("en")


def _strict(catalog: dict[str, str]) -> Translate:
    """Like the bot's gettext, but a key missing from either catalog fails the test."""

    def translate(key: str) -> str:
        assert key in _RU and key in _EN, f"catalog key {key!r} missing"
        return catalog[key]

    return translate


RU = _strict(_RU)
EN = _strict(_EN)
META = ReportMeta(
    title="Осведомлённость о проекте",
    generated_on=date(2022, 10, 21),
    opened_on=date(2022, 10, 1),
    closed_on=date(2022, 10, 20),
    organisation="МБОУ «СОШ №2»",
)


def _scenario() -> list:  # type: ignore[type-arg]
    """30 respondents: 5 «а» 15, 5 «б» 12, 10 «а» 3 (too few to show)."""
    found = []
    plan = [("5 «а»", 15), ("5 «б»", 12), ("10 «а»", 3)]
    for name, size in plan:
        for index in range(size):
            role = STUDENT if index % 3 == 0 else PARENT
            heard = "yes" if index % 4 else "no"
            answers = {
                "heard": single(heard),
                "sources": many("site", "chat") if index % 2 else many("teacher"),
                "rating": number(1 + index % 5),
            }
            if index == 0:
                answers["wish"] = free(f"Пожелание из {name}")
            found.append(response(role, name, answers))
    return found


@pytest.fixture
def results() -> SurveyResults:
    return summarise(DEFINITION, _scenario(), rng=random.Random(7))


# ------------------------------------------------------------------ XLSX


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _find(rows: list[tuple[object, ...]], first: object, after: int = 0) -> tuple[object, ...]:
    return next(row for row in rows[after:] if row and row[0] == first)


def _index(rows: list[tuple[object, ...]], first: object) -> int:
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def test_xlsx_summary_sheet_holds_the_numbers(results: SurveyResults) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(results, META, RU)))
    assert workbook.sheetnames == ["Сводка", "Ответы"]
    rows = _rows(workbook["Сводка"])
    firsts = [row[0] for row in rows]
    assert "Отчёт по результатам опроса" in firsts
    assert "Всего ответили: 30" in firsts
    assert "Опрос проводился с 01.10.2022 по 20.10.2022" in firsts
    classes = _index(rows, "Классы")
    assert _find(rows, "5 «а»", classes)[:3] == ("5 «а»", 15, 50.0)
    assert _find(rows, "5 «б»", classes)[:2] == ("5 «б»", "скрыто")
    assert _find(rows, "10 «а»", classes)[:2] == ("10 «а»", "скрыто")
    assert _find(rows, "Родители")[:3] == ("Родители", 20, 66.7)
    heard = _index(rows, "1. " + HEARD.text)
    # index % 4 == 0 said no: 4 in 5 «а», 3 in 5 «б», 1 in 10 «а»
    assert _find(rows, "Да", heard)[:3] == ("Да", 22, 73.3)
    assert _find(rows, "Нет", heard)[:3] == ("Нет", 8, 26.7)
    sources = _index(rows, "2. " + SOURCES.text)
    assert _find(rows, "Сайт школы", sources)[:3] == ("Сайт школы", 14, 46.7)
    assert _find(rows, "От учителя", sources)[:3] == ("От учителя", 16, 53.3)
    rating = _index(rows, "3. " + RATING.text)
    assert _find(rows, "1 — совсем нет", rating)[:2] == ("1 — совсем нет", 7)
    assert _find(rows, "Среднее", rating)[1] == pytest.approx(2.8)
    by_class = _index(rows[heard:], "По классам") + heard
    header = rows[by_class + 1]
    assert header[:4] == ("Вариант ответа", "5 «а»", "Остальные классы вместе", "Всего")
    assert "10 «а»" not in header


def test_xlsx_raw_answers_are_anonymous(results: SurveyResults) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(results, META, RU)))
    rows = _rows(workbook["Ответы"])
    header, body = rows[0], rows[1:]
    assert header[:2] == ("Участник", "Класс")
    assert header[2] == "1. " + HEARD.text
    assert len(body) == 30
    assert {row[1] for row in body} == {"5 «а»", "—"}  # 5 «б» is the complement of 10 «а»
    assert sum(row[1] == "5 «а»" for row in body) == 15
    assert {row[0] for row in body} == {"родитель", "обучающийся"}
    assert sorted(row[2] for row in body) == ["Да"] * 22 + ["Нет"] * 8
    assert {row[3] for row in body} == {"Сайт школы; Чат класса", "От учителя"}
    every = [value for row in rows for value in row]
    assert not any(isinstance(value, (date, datetime)) for value in every)
    assert not any("2022" in str(value) for value in every)  # no day of submission either
    texts = {row[5] for row in body if row[5]}
    assert texts == {"Пожелание из 5 «а»", "Пожелание из 5 «б»", "Пожелание из 10 «а»"}


def test_xlsx_never_turns_answers_into_formulas() -> None:
    responses = [
        response(PARENT, "5 «а»", {"wish": free('=HYPERLINK("http://evil","x")\x07')})
        for _ in range(6)
    ]
    data = build_xlsx(summarise(DEFINITION, responses), META, RU)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Ответы"]
    cell = sheet.cell(row=2, column=6)
    assert cell.value == '=HYPERLINK("http://evil","x")'
    assert cell.data_type == "s"


# ------------------------------------------------------------------ CSV


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to see UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_summary_opens_with_semicolons_and_decimal_commas(results: SurveyResults) -> None:
    rows = _csv(build_csv(results, META, RU))
    assert rows[0] == ["Отчёт по результатам опроса"]
    assert ["Всего ответили: 30"] in rows
    assert ["Класс", "Ответили", "Доля, %"] in rows
    assert ["5 «а»", "15", "50,0"] in rows
    assert ["10 «а»", "скрыто", ""] in rows
    assert ["Да", "22", "73,3"] in rows
    assert ["Сайт школы", "14", "46,7"] in rows
    assert ["Среднее", "2,8", ""] in rows
    assert any(row[:2] == ["Вариант ответа", "5 «а»"] for row in rows)
    assert not any("10 «а»" in cell for row in rows for cell in row[1:])


def test_csv_guards_against_formulas() -> None:
    question = Question(
        "q",
        "Вопрос",
        QuestionKind.SINGLE,
        options=(Option("1", "=1+2"), Option("2", "@SUM(A1)"), Option("3", "обычный")),
    )
    definition = SurveyDefinition("Опрос", "", DEFINITION.audience, (question,))
    answers = [response(None, None, {"q": single(str(1 + i % 3))}) for i in range(9)]
    rows = _csv(build_csv(summarise(definition, answers), META, RU))
    firsts = [row[0] for row in rows if row]
    assert "'=1+2" in firsts and "'@SUM(A1)" in firsts and "обычный" in firsts


# ------------------------------------------------------------------ DOCX


def test_docx_report_is_ready_to_publish(results: SurveyResults) -> None:
    charts = charts_for(results, RU)
    document = docx.Document(io.BytesIO(build_docx(results, META, charts, RU)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[:2] == ["МБОУ «СОШ №2»", "Отчёт по результатам опроса"]
    assert document.paragraphs[1].style.name == "Title"
    for expected in (
        "Осведомлённость о проекте",
        "Опрос проводился с 01.10.2022 по 20.10.2022",
        "Всего ответили: 30",
        "Отчёт сформирован 21.10.2022",
        "1. " + HEARD.text,
        "4. Что бы вы улучшили?",
        "Ответили: 3",
    ):
        assert expected in texts
    assert sorted(t for t in texts if t.startswith("Пожелание")) == [
        "Пожелание из 10 «а»",
        "Пожелание из 5 «а»",
        "Пожелание из 5 «б»",
    ]
    assert len(document.inline_shapes) == len(charts) == 3  # heard, sources, rating
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    for style in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        fonts = document.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:ascii")) == "DejaVu Sans", style
        assert fonts.get(qn("w:cs")) == "DejaVu Sans", style
        assert fonts.get(qn("w:asciiTheme")) is None, style  # a theme font would win
    assert document.core_properties.title == META.title
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    classes = next(t for t in tables if t[0][0] == "Класс")
    assert classes[1:] == [
        ["5 «а»", "15", "50,0"],
        ["5 «б»", "скрыто", ""],
        ["10 «а»", "скрыто", ""],
        ["Всего", "30", "100,0"],
    ]
    heard = next(t for t in tables if t[0] == ["Вариант ответа", "Ответов", "Доля, %"])
    assert heard[1] == ["Да", "22", "73,3"]
    by_class = [
        t for t in tables if t[0][:3] == ["Вариант ответа", "5 «а»", "Остальные классы вместе"]
    ]
    # No «Всего» column: the question's own table just above has the totals.
    assert by_class and all(len(t[0]) == 3 for t in by_class)
    notes = texts[texts.index("Примечания") + 1]
    assert "менее 5" in notes


def test_docx_without_charts_and_in_english(results: SurveyResults) -> None:
    document = docx.Document(io.BytesIO(build_docx(results, META, {}, EN)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[1] == "Survey results report"
    assert "The survey ran from 01.10.2022 to 20.10.2022" in texts
    assert len(document.inline_shapes) == 0
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "hidden" in cells and "Other classes together" in cells


def test_withheld_results_show_only_the_count() -> None:
    few = [
        response(PARENT, "5 «а»", {"heard": single("yes"), "wish": free("Секрет")})
        for _ in range(3)
    ]
    results = summarise(DEFINITION, few)
    document = docx.Document(io.BytesIO(build_docx(results, META, charts_for(results, RU), RU)))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "Всего ответили: 3" in texts
    assert "Секрет" not in texts
    assert any("итоги появятся" in text for text in texts)
    assert "1. " + HEARD.text not in texts
    rows = _rows(openpyxl.load_workbook(io.BytesIO(build_xlsx(results, META, RU)))["Ответы"])
    assert len(rows) == 1  # the header only
    assert not any("Секрет" in cell for row in _csv(build_csv(results, META, RU)) for cell in row)


# ------------------------------------------------------------------ charts


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_charts_are_phone_sized_pngs_with_cyrillic(results: SurveyResults) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would be a warning
        charts = charts_for(results, RU)
    assert list(charts) == ["heard", "sources", "rating"]
    for png in charts.values():
        width, height = _png_size(png)
        assert width == 1080
        assert 400 < height < 2000


def test_no_chart_for_free_text_withheld_or_unanswered(results: SurveyResults) -> None:
    assert chart_png(results.questions[3], RU) is None
    few = summarise(DEFINITION, [response(PARENT, "5 «а»", {"heard": single("yes")})] * 2)
    assert chart_png(few.questions[0], RU) is None
    nobody = summarise(DEFINITION, [])
    assert charts_for(nobody, RU) == {}


def test_long_labels_make_a_taller_chart() -> None:
    long = Question(
        "long",
        "Какие из перечисленных мероприятий проекта вы или ваш ребёнок посетили в этом году?",
        QuestionKind.MULTIPLE,
        options=tuple(
            Option(str(i), f"Вариант номер {i} с довольно длинным описанием мероприятия")
            for i in range(8)
        ),
        other=True,
    )
    definition = SurveyDefinition("Опрос", "", DEFINITION.audience, (long,))
    answers = [
        response(None, None, {"long": many(str(i % 8), OTHER, text="своё")}) for i in range(20)
    ]
    short = summarise(DEFINITION, _scenario()).questions[0]
    tall = summarise(definition, answers).questions[0]
    assert _png_size(chart_png(tall, RU) or b"")[1] > _png_size(chart_png(short, RU) or b"")[1]


# ------------------------------------------------------------------ labels


def test_labels() -> None:
    assert decimal(3.456, RU) == "3,5" and decimal(3.456, EN) == "3.5"
    assert median_text(3.0, RU) == "3" and median_text(3.5, RU) == "3,5"
    assert answer_value(HEARD, single(OTHER, "Соседи"), RU) == "Другое: Соседи"
    assert answer_value(SOURCES, many("site", "teacher"), RU) == "Сайт школы; От учителя"
    assert answer_value(RATING, number(4), RU) == 4
    assert answer_value(RATING, None, RU) == ""
    results = summarise(DEFINITION, _scenario())
    lines = results.questions[2].lines
    assert [line_label(line, RATING, RU) for line in lines] == [
        "1 — совсем нет",
        "2",
        "3",
        "4",
        "5 — очень",
    ]
    still_open = ReportMeta(
        "Опрос", date(2022, 10, 5), date(2022, 10, 1), None, date(2022, 10, 20)
    )
    assert period_text(still_open, RU) == "Опрос проводится с 01.10.2022 по 20.10.2022"
    started = ReportMeta("Опрос", date(2022, 10, 5), date(2022, 10, 1))
    assert period_text(started, RU) == "Опрос проводится с 01.10.2022"
    assert period_text(ReportMeta("Опрос", date(2022, 10, 5)), RU) is None


# ------------------------------------------------------------------ publishing: DOCX and PDF


def _everything_in_docx(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [paragraph.text for paragraph in document.paragraphs] + cells


def test_each_question_title_appears_once_and_the_mean_once(results: SurveyResults) -> None:
    charts = charts_for(results, RU, PAGE)
    texts = _everything_in_docx(build_docx(results, META, charts, RU))
    for position, question in enumerate(DEFINITION.questions, 1):
        title = f"{position}. {question.text}"
        assert sum(title in text for text in texts) == 1, title
    # The mean and median of the scale: the question table's rows, nowhere else.
    assert sum(text == "Медиана" for text in texts) == 1
    assert not any("медиана" in text for text in texts)
    assert sum(text == "2,8" for text in texts) == 1  # the overall mean, once
    pdf = pdf_text(build_pdf(results, META, charts, RU))
    for position, question in enumerate(DEFINITION.questions, 1):
        assert pdf.count(f"{position}. {question.text[:30]}") == 1, question.text
    assert "МБОУ «СОШ №2»" in pdf and "Опрос проводился с 01.10.2022 по 20.10.2022" in pdf


def test_a_hidden_cell_and_a_blank_mean_are_explained_with_k(results: SurveyResults) -> None:
    texts = _everything_in_docx(build_docx(results, META, {}, RU))
    note = "«Скрыто»: меньше 5 ответов или число скрыто, чтобы его нельзя было вычислить"
    assert any(text.startswith(note) for text in texts)
    # k is the one the results were made with, not a 5 written into a sentence.
    three = summarise(DEFINITION, _scenario(), k=3, rng=random.Random(7))
    texts = _everything_in_docx(build_docx(three, META, {}, RU))
    assert not any(note in text for text in texts)
    assert any(text.startswith("«Скрыто»: меньше 3 ответов") for text in texts)
    # A group's mean left out (a cell of it hidden) reads «—», and the table says why.
    assert "—" in texts
    assert any(text.startswith("«—» в строке «Среднее»") for text in texts)
    rows = _csv(build_csv(three, META, RU))
    assert any(row and row[0].startswith("«Скрыто»: меньше 3 ответов") for row in rows)


def test_a_segment_whose_groups_are_all_hidden_is_said_in_words() -> None:
    """3 parents and 9 students: the 3 are hidden, so the 9 are too (12 − 3)."""
    answers = {"heard": single("yes")}
    few = [response(PARENT, None, answers) for _ in range(3)]
    few += [response(STUDENT, None, answers) for _ in range(9)]
    results = summarise(DEFINITION, few, rng=random.Random(1))
    for data in (build_docx(results, META, {}, RU),):
        texts = _everything_in_docx(data)
        assert "скрыто" not in texts  # no table of «скрыто / скрыто»
        assert any(
            "Сколько из 12 ответивших родителей и сколько обучающихся, не показано" in text
            and "меньше 5 человек" in text
            for text in texts
        )
    pdf = pdf_text(build_pdf(results, META, {}, RU))
    assert "Сколько из 12 ответивших родителей" in pdf


def test_one_family_in_the_text_the_tables_and_the_pdf(results: SurveyResults) -> None:
    charts = charts_for(results, RU, PAGE)
    pdf = build_pdf(results, META, charts, RU)
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", pdf))
    assert fonts and all(b"DejaVuSans" in font for font in fonts), fonts
    assert not any(b"Bold" in font and b"Oblique" in font for font in fonts)
    document = docx.Document(io.BytesIO(build_docx(results, META, charts, RU)))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    assert runs and not any(run.font.name not in (None, "DejaVu Sans") for run in runs)
    body = [p for p in document.paragraphs if p.style.name in ("Normal", "List Bullet")]
    assert body and not any(run.bold for p in body for run in p.runs)  # not bold everywhere
    assert charts_module.FONT == "DejaVu Sans"
