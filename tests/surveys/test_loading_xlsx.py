"""Survey definitions from the Excel template: every mistake named by its sheet and cell."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

import surveys
from surveys.loading import DefinitionError, is_survey_workbook, load_definition, load_xlsx
from surveys.model import (
    END,
    Audience,
    Option,
    Question,
    QuestionKind,
    Scale,
    Segments,
    SurveyDefinition,
)
from tests.surveys.catalog import rendered

HEADINGS = (
    "№",
    "Вопрос",
    "Тип",
    "Обязательный",
    "Варианты ответа (каждый с новой строки)",
    "Другое",
    "Переход (вариант → № вопроса)",
    "Шкала до (5 или 10)",
    "Подпись к 1",
    "Подпись к максимуму",
    "Лимит символов",
)
SURVEY = (
    ("Название опроса", "Питание"),
    ("Вступление", "Пара вопросов"),
    ("Кому адресован", "родители"),
    ("Классы", "5а, 6б"),
)
Row = Sequence[object]


def workbook(
    questions: Sequence[Row],
    survey: Sequence[Row] = SURVEY,
    headings: Row = HEADINGS,
    sheets: tuple[str, str] = ("Опрос", "Вопросы"),
) -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = sheets[0]
    for row in survey:
        first.append(list(row))
    second = book.create_sheet(sheets[1])
    second.append(list(headings))
    for row in questions:
        second.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def question(
    text: str = "Вопрос",
    kind: str = "один вариант",
    options: str | None = "Да\nНет",
    *,
    number: object = None,
    required: str | None = None,
    other: str | None = None,
    goto: str | None = None,
    high: object = None,
    low_label: str | None = None,
    high_label: str | None = None,
    limit: object = None,
) -> Row:
    return (number, text, kind, required, options, other, goto, high, low_label, high_label, limit)


def test_a_filled_template_is_read() -> None:
    definition = load_xlsx(
        workbook(
            [
                question(
                    "Обедает в школе?",
                    number=1,
                    goto="Нет → 3\n3 → конец",
                    options="Да\nНет\nИногда",
                ),
                question(
                    "Что нравится?",
                    "несколько вариантов",
                    "Суп; Второе ; Выпечка;",
                    other="да",
                    required="нет",
                    limit=200.0,
                ),
                question(
                    "Вкус", "Шкала", None, high=10, low_label="Невкусно", high_label="Вкусно"
                ),
                question("Пожелания", "текст", None, required="Нет", limit=1000),
                (5,),  # a numbered blank line of the form
            ]
        )
    )
    assert definition.title == "Питание"
    assert definition.intro == "Пара вопросов"
    assert definition.audience is Audience.PARENTS
    assert definition.segments == Segments(classes=("5 «а»", "6 «б»"))
    assert definition.questions == (
        Question(
            "1",
            "Обедает в школе?",
            QuestionKind.SINGLE,
            options=(Option("1", "Да"), Option("2", "Нет", "3"), Option("3", "Иногда", END)),
        ),
        Question(
            "2",
            "Что нравится?",
            QuestionKind.MULTIPLE,
            required=False,
            options=(Option("1", "Суп"), Option("2", "Второе"), Option("3", "Выпечка")),
            other=True,
            max_length=200,
        ),
        Question("3", "Вкус", QuestionKind.SCALE, scale=Scale(1, 10, "Невкусно", "Вкусно")),
        Question("4", "Пожелания", QuestionKind.TEXT, required=False, max_length=1000),
    )


def test_columns_are_found_by_their_headings_wherever_they_are() -> None:
    headings = ("Комментарий", "Тип", "Вопрос", "Варианты ответа", "Переход")
    data = workbook(
        [
            ("для себя", "один вариант", "Первый", "Да\r\nНет", "2 -> 3"),
            (None, "текст", "Второй"),
            (None, "текст", "Третий"),
        ],
        headings=headings,
    )
    definition = load_definition("опрос.XLSX", data)
    assert [q.text for q in definition.questions] == ["Первый", "Второй", "Третий"]
    assert definition.questions[0].options[1].goto == "3"


def test_ticked_yes_no_and_numbers_as_excel_stores_them() -> None:
    definition = load_xlsx(
        workbook([question(required=False, other=True, options="1\n2", limit=300.0)])  # type: ignore[arg-type]
    )
    first = definition.questions[0]
    assert (first.required, first.other, first.max_length) == (False, True, 300)
    assert [option.label for option in first.options] == ["1", "2"]


def error_of(data: bytes) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_xlsx(data)
    assert rendered(caught.value, "ru") and rendered(caught.value, "en")
    return caught.value


@pytest.mark.parametrize(
    ("data", "code", "sheet", "cell", "params"),
    [
        (
            workbook([question()], survey=(("Название опроса", ""),)),
            "empty_title",
            "Опрос",
            "B1",
            {},
        ),
        (workbook([question()], survey=()), "empty_title", "Опрос", "B1", {}),
        (
            workbook([question()], survey=(*SURVEY, ("Дата", "01.10.2026"))),
            "unknown_heading",
            "Опрос",
            "A5",
            {
                "value": "Дата",
                "allowed": (
                    "Название, Вступление, Кому адресован, Классы, Спрашивать, кто отвечает"
                ),
            },
        ),
        (
            workbook([question()], survey=(("Название", "О"), ("Кому", "учителя"))),
            "bad_audience",
            "Опрос",
            "B2",
            {"value": "учителя"},
        ),
        (
            workbook([question()], survey=(("Название", "О"), ("Классы", "5а, 55"))),
            "bad_class",
            "Опрос",
            "B2",
            {"value": "55"},
        ),
        (
            workbook([question()], headings=("№", "Текст", "Тип")),
            "missing_column",
            "Вопросы",
            "A1",
            {"column": "Вопрос"},
        ),
        (
            workbook([question()], headings=(*HEADINGS, "Ответ")),
            "unknown_heading",
            "Вопросы",
            "L1",
            {
                "value": "Ответ",
                "allowed": (
                    "№, Вопрос, Тип, Обязательный, Варианты ответа, Другое, Переход, Шкала до, "
                    "Подпись к 1, Подпись к максимуму, Лимит символов, Комментарий"
                ),
            },
        ),
        (workbook([]), "no_questions", "Вопросы", "B1", {}),
        (
            workbook([question(), question("", options="А\nБ")]),
            "empty_question",
            "Вопросы",
            "B3",
            {"question": 2},
        ),
        (
            workbook([question(f"Вопрос {n}") for n in range(41)]),
            "too_many_questions",
            "Вопросы",
            "B42",
            {"count": 41, "limit": 40},
        ),
        (
            workbook([question(number=1), question(number="1.")]),
            "duplicate_id",
            "Вопросы",
            "A3",
            {"value": "1"},
        ),
        (
            workbook([question(number="первый")]),
            "bad_id",
            "Вопросы",
            "A2",
            {"value": "первый"},
        ),
        (workbook([question(kind="выбор")]), "bad_kind", "Вопросы", "C2", {"value": "выбор"}),
        (
            workbook([question(required="обязательно")]),
            "bad_yes_no",
            "Вопросы",
            "D2",
            {"value": "обязательно"},
        ),
        (
            workbook([question(kind="текст", options=None, limit="сто")]),
            "bad_number",
            "Вопросы",
            "K2",
            {"value": "сто"},
        ),
        (
            workbook([question(kind="текст", options=None, limit=3000)]),
            "bad_max_length",
            "Вопросы",
            "K2",
            {"question": 1, "value": 3000, "limit": 2000},
        ),
        (
            workbook([question(options="Да")]),
            "bad_option_count",
            "Вопросы",
            "E2",
            {"question": 1, "count": 1, "least": 2, "most": 12},
        ),
        (
            workbook([question(options=None)]),
            "bad_option_count",
            "Вопросы",
            "B2",
            {"question": 1, "count": 0, "least": 2, "most": 12},
        ),
        (
            workbook([question(options="Да\nда")]),
            "duplicate_option",
            "Вопросы",
            "E2",
            {"question": 1, "value": "да"},
        ),
        (
            workbook([question(kind="шкала", options=None, other="да")]),
            "other_not_allowed",
            "Вопросы",
            "F2",
            {"question": 1},
        ),
        (
            workbook([question(kind="текст")]),
            "options_not_allowed",
            "Вопросы",
            "E2",
            {"question": 1},
        ),
        (
            workbook([question(kind="шкала", options=None, high=7)]),
            "bad_scale",
            "Вопросы",
            "H2",
            {"question": 1},
        ),
        (
            workbook([question(high=5)]),
            "scale_not_allowed",
            "Вопросы",
            "H2",
            {"question": 1},
        ),
        (
            workbook([question(goto="Нет 2"), question()]),
            "goto_syntax",
            "Вопросы",
            "G2",
            {"value": "Нет 2"},
        ),
        (
            workbook([question(goto="Может быть → 2"), question()]),
            "goto_unknown_option",
            "Вопросы",
            "G2",
            {"question": 1, "value": "Может быть"},
        ),
        (
            workbook([question(), question(goto="Нет → 1")]),
            "goto_backward",
            "Вопросы",
            "G3",
            {"question": 2, "target": 1},
        ),
        (
            workbook([question(goto="Нет → 7"), question()]),
            "goto_unknown",
            "Вопросы",
            "G2",
            {"question": 1, "target": "7"},
        ),
        (
            workbook([question(kind="несколько вариантов", goto="Нет → 2"), question()]),
            "goto_not_single",
            "Вопросы",
            "G2",
            {"question": 1},
        ),
    ],
)
def test_each_mistake_names_its_cell(
    data: bytes, code: str, sheet: str, cell: str, params: dict[str, object]
) -> None:
    error = error_of(data)
    assert error.key == f"survey.file.cell.{code}"
    assert error.params == {"sheet": sheet, "cell": cell, **params}


def test_a_cell_message_reads_well() -> None:
    error = error_of(workbook([question(kind="выбор")]))
    assert rendered(error).startswith("Ячейка Вопросы!C2: непонятный тип вопроса «выбор»")


@pytest.mark.parametrize(
    ("data", "key", "params"),
    [
        (b"", "survey.file.empty", {}),
        (b"PK\x03\x04 not really a zip", "survey.file.corrupt_xlsx", {}),
        (b"title: YAML, not Excel", "survey.file.corrupt_xlsx", {}),
        (
            workbook([question()], sheets=("Опрос", "Лист2")),
            "survey.file.no_sheet",
            {"sheet": "Вопросы"},
        ),
        (
            workbook([question()], sheets=("Лист1", "Вопросы")),
            "survey.file.no_sheet",
            {"sheet": "Опрос"},
        ),
    ],
)
def test_a_workbook_that_is_not_the_template(
    data: bytes, key: str, params: dict[str, object]
) -> None:
    error = error_of(data)
    assert (error.key, error.params) == (key, params)


def test_the_survey_template_is_told_apart_from_other_workbooks() -> None:
    sample = (Path(surveys.__file__).resolve().parent / "samples" / "survey.xlsx").read_bytes()
    assert is_survey_workbook(sample)
    roadmap = openpyxl.Workbook()
    roadmap.active.title = "Дорожная карта"
    buffer = io.BytesIO()
    roadmap.save(buffer)
    assert not is_survey_workbook(buffer.getvalue())
    assert not is_survey_workbook(b"PK\x03\x04 not a workbook")


_SAMPLE = Path(surveys.__file__).parent / "samples" / "survey.xlsx"
_DEEP_XML = b"<x>" * 5000 + b"</x>" * 5000


def _with_deep_xml(member: str) -> bytes:
    """The sample template with 5,000 nested elements put inside one of its XML parts."""
    source = zipfile.ZipFile(_SAMPLE)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == member:
                end = data.rfind(b"</")
                data = data[:end] + _DEEP_XML + data[end:]
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "member", zipfile.ZipFile(_SAMPLE).namelist(), ids=lambda name: name.replace("/", "_")
)
def test_deeply_nested_xml_never_recurses(member: str) -> None:
    # Parts parsed whole (lxml) stop at libxml2's depth limit: "corrupt". Sheets are read by
    # iterparse, which does not recurse, and the elements it does not know are skipped.
    outcome = _outcome(_with_deep_xml(member))
    if isinstance(outcome, DefinitionError):
        assert outcome.key == "survey.file.corrupt_xlsx"
        assert not isinstance(outcome.__cause__, RecursionError)
    else:
        assert outcome == load_xlsx(_SAMPLE.read_bytes())


def _outcome(data: bytes) -> SurveyDefinition | DefinitionError:
    try:
        return load_xlsx(data)
    except DefinitionError as error:
        return error
