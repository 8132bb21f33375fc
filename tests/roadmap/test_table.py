"""Header detection, cell cleaning and the row rules shared by every reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.importer import parse_roadmap
from roadmap.period import Period
from roadmap.readers import read_roadmap, read_text
from roadmap.table import (
    Column,
    GridRow,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    detect_columns,
    join_cut_fragments,
    join_prose,
    join_responsible,
)
from tests.roadmap.builders import csv_bytes, docx_bytes, text_of, xlsx_bytes

N, A, R, D, P = Column.NUMBER, Column.ACTIVITY, Column.RESULT, Column.DEADLINE, Column.RESPONSIBLE


# --------------------------------------------------------------------------------------------
# Header detection


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["№", "Мероприятие", "Характеристика результата", "Срок проведения",
          "Ответственные исполнители"], {N: 0, A: 1, R: 2, D: 3, P: 4}),
        (["№ п/п", "Деятельность", "Категория участников", "Сроки/ Периодичность проведения",
          "Прогнозируемый результат", "", ""], {N: 0, A: 1, P: 2, D: 3, R: 4}),
        (["№ \nп/п ", "  Наименование\n  мероприятия", "Исполнители ", "Сроки реализации  ",
          "Ключевой  результат  "], {N: 0, A: 1, P: 2, D: 3, R: 4}),
        (["N", "Содержание работы", "Дата", "Ответственный"], {N: 0, A: 1, D: 2, P: 3}),
        (["МЕРОПРИЯТИЕ", "СРОКИ ИСПОЛНЕНИЯ", "ОЖИДАЕМЫЙ РЕЗУЛЬТАТ"], {A: 0, D: 1, R: 2}),
        (["Ответственный", "Срок", "Мероприятия", "№п/п"], {P: 0, D: 1, A: 2, N: 3}),
        (["", "№", "Мероприятие", "Участники", "Периодичность", "Результат"],
         {N: 1, A: 2, P: 3, D: 4, R: 5}),
        (["№", "Наименование мероприятия", "Сроки проведения мероприятия", "Исполнители",
          "Примечание"], {N: 0, A: 1, D: 2, P: 3}),
        (["Мероприятие", "Срок реализации", "Ответственные", "Участники"], {A: 0, D: 1, P: 2}),
        (["№", "Что сделать", "Срок", "Кто"], {N: 0, A: 1, D: 2, P: 3}),
        (["**№**", "**Мероприятие**", "**Сроки**"], {N: 0, A: 1, D: 2}),
    ],
)  # fmt: skip
def test_header_found_by_meaning(header: list[str], expected: dict[Column, int]) -> None:
    assert detect_columns(header) == expected


def test_header_without_deadline_is_still_a_header() -> None:
    assert detect_columns(["№", "Мероприятие", "Ответственный"]) == {N: 0, A: 1, P: 2}


@pytest.mark.parametrize(
    "cells",
    [
        [],
        ["", "", ""],
        ["Мероприятие"],
        ["№", "Срок"],
        ["1.", "Проведение мероприятий по плану", "Отчёт о результатах", "до 20.10.2022",
         "Иванов И.И."],
        ["ДОРОЖНАЯ КАРТА по организации мероприятий на 2022-2023 учебный год"],
        ["1. Организационно-управленческие мероприятия", "Сроки"],
        ["Мероприятие", "Срок", "Фото", "Место", "Бюджет", "Подпись"],
    ],
)  # fmt: skip
def test_not_a_header(cells: list[str]) -> None:
    assert detect_columns(cells) is None


# --------------------------------------------------------------------------------------------
# Cell text


@pytest.mark.parametrize(
    ("raw", "paragraphs"),
    [
        ("**Издан приказ**", ("Издан приказ",)),
        ("адрес [Grischykta@mail.ru](mailto:Grischykta@mail.ru) до 20.11", (
            "адрес Grischykta@mail.ru до 20.11",)),
        ("[анкета](https://forms.example/x)", ("анкета (https://forms.example/x)",)),
        ("до\u00a020.10.2022\u202fг.  ", ("до 20.10.2022 г.",)),
        ("Иванов   И.И.,\tзавуч", ("Иванов И.И., завуч",)),
        ("<p>Письма:</p> <ol> <li>1. «Первое»</li> <li>Второе</li> </ol>",
         ("Письма:", "• 1. «Первое»", "• Второе")),
        ("Мероприятие &laquo;Старт&raquo;", ("Мероприятие «Старт»",)),
        ("1\\. Пункт", ("1. Пункт",)),
        ("1. Анализ текущей сит •", ("1. Анализ текущей сит",)),
        ("---", ()),
        ("·", ()),
        ("№", ("№",)),
        ("пере\u00adнос", ("перенос",)),
    ],
)  # fmt: skip
def test_cell_cleaning(raw: str, paragraphs: tuple[str, ...]) -> None:
    assert cell_paragraphs(raw) == paragraphs


def test_prose_joins_wrapped_lines_and_lists_items() -> None:
    wrapped = ["Организация методического сопровождения", "специализированных классов"]
    assert (
        join_prose(wrapped) == "Организация методического сопровождения специализированных классов"
    )
    flattened = ["Закреплены: - индустриальный партнер; - академический(-ие) партнер(-ы)."]
    assert join_prose(flattened) == (
        "Закреплены:\n— индустриальный партнер;\n— академический(-ие) партнер(-ы)."
    )
    assert join_prose(["Совещания по вопросам:", "- итоги;", "-планы"]) == (
        "Совещания по вопросам:\n— итоги;\n— планы"
    )
    assert join_prose(["Письма:", "• 1. «Первое»", "• Второе"]) == "Письма:\n1. «Первое»\n— Второе"
    hyphenated = ["информационно-", "методической помощи"]
    assert join_prose(hyphenated) == "информационно-методической помощи"
    # A date range or a hyphenated compound is never taken for a list.
    assert join_prose(["Проведение самодиагностики чек- листа 01.05 - 05.05"]) == (
        "Проведение самодиагностики чек- листа 01.05 - 05.05"
    )


def test_responsible_keeps_people_apart() -> None:
    assert join_responsible(["Колокольцева М.П.", "Руководители ОО"]) == (
        "Колокольцева М.П.\nРуководители ОО"
    )
    assert join_responsible(["Шарик Н.Н.,", "заместитель директора по УВР"]) == (
        "Шарик Н.Н., заместитель директора по УВР"
    )
    assert join_responsible(["Ответственные: - Иванов И.И. - Петров П.П."]) == (
        "Ответственные:\nИванов И.И.\nПетров П.П."
    )


@pytest.mark.parametrize(
    ("fragments", "joined"),
    [
        (["2. Опр", "еделение целей и зад", "ач проекта"], "2. Определение целей и задач проекта"),
        (["1.", ". Анализ текущей сит"], "1. Анализ текущей сит"),
        (["Цел", "Цель: Подготовка к реализации"], "Цель: Подготовка к реализации"),
        (["3", "3. Разработка матери", "алов"], "3. Разработка материалов"),
        (["5. Обновление систем", "ны стимулирования", "и поощрения"],
         "5. Обновление системны стимулирования и поощрения"),
        (["6. Приобретен", "ние новой литератур", "ы и оборудования"],
         "6. Приобретенние новой литературы и оборудования"),
    ],
)  # fmt: skip
def test_headings_cut_at_column_borders(fragments: list[str], joined: str) -> None:
    assert join_cut_fragments(fragments) == joined


# --------------------------------------------------------------------------------------------
# Rows into activities (through the text reader, the simplest way to write a table)

HEADER = "№\tМероприятие\tРезультат\tСрок\tОтветственный"


def test_step_rows_belong_to_the_activity_above() -> None:
    read = read_text(
        f"{HEADER}\n"
        "1.\tОпрос родителей\tАнкета\tдо 10.10.2024\tИванов И.И.\n"
        "\t\tОтчёт\tдо 20.10.2024\tПетров П.П.\n"
        "2.\tСовещание\tПротокол\tноябрь\tИванов И.И.\n"
    )
    first, second = read.activities
    assert [s.deadline_text for s in first.steps] == ["до 10.10.2024", "до 20.10.2024"]
    assert first.deadline_text == "до 10.10.2024"
    assert [s.title for s in first.steps] == ["Опрос родителей", "Опрос родителей"]
    assert second.steps == ()


def test_unnumbered_row_with_its_own_text_is_a_step_in_a_numbered_table() -> None:
    read = read_text(
        f"{HEADER}\n"
        "1.\tОпрос родителей\tАнкета\tдо 10.10.2024\tИванов И.И.\n"
        "\tОбработка анкет\tСправка\tдо 20.10.2024\tПетров П.П.\n"
    )
    (activity,) = read.activities
    assert [s.title for s in activity.steps] == ["Опрос родителей", "Обработка анкет"]


def test_unnumbered_table_rows_are_activities() -> None:
    read = read_text(
        f"{HEADER}\n"
        "\tОпрос родителей\tАнкета\tдо 10.10.2024\tИванов И.И.\n"
        "\tСовещание\tПротокол\tноябрь\tПетров П.П.\n"
        "\t\tРешение\tдекабрь\tПетров П.П.\n"
    )
    assert [(a.number, a.title, len(a.steps)) for a in read.activities] == [
        (None, "Опрос родителей", 0),
        (None, "Совещание", 2),
    ]


def test_wrapped_row_continues_each_cell() -> None:
    read = read_text(
        f"{HEADER}\n"
        "1.\tОрганизация методического\tПроведение\tежемесячно\tИванов И.И.\n"
        "\tсопровождения работы\tсовещаний\t\t\n"
        "\t\t\t\tзаместитель директора\n"
    )
    (activity,) = read.activities
    assert activity.title == "Организация методического сопровождения работы"
    assert activity.result == "Проведение совещаний"
    # A lower-case fragment goes on describing the same person.
    assert activity.responsible_text == "Иванов И.И. заместитель директора"


def test_cells_shifted_left_are_put_back_with_a_warning() -> None:
    read = read_text(
        f"{HEADER}\n"
        "1.\tОпрос родителей\tАнкета\tдо 10.10.2024\tИванов И.И., завуч\n"
        "\tОтчёт по итогам опроса\tдо 20.10.2024\tПетров П.П., директор\t\n"
    )
    (activity,) = read.activities
    step = activity.steps[1]
    assert (step.result, step.deadline_text, step.responsible_text) == (
        "Отчёт по итогам опроса",
        "до 20.10.2024",
        "Петров П.П., директор",
    )
    assert [w.code for w in read.warnings] == ["table.cells_shifted"]
    assert read.warnings[0].param_dict() == {
        "source_ref": "строка 3",
        "fragment": "Отчёт по итогам опроса",
    }


def test_number_glued_to_activity_text_is_split() -> None:
    read = read_text(f"{HEADER}\n1.2 Совещание\tПротокол\tноябрь\tИванов И.И.\t\n")
    (activity,) = read.activities
    assert (activity.number, activity.title, activity.deadline_text) == (
        "1.2",
        "Совещание",
        "ноябрь",
    )


def test_sections_stage_goal_numbered() -> None:
    read = read_text(
        f"{HEADER}\n"
        "Подготовительный этап\t\t\t\t\n"
        "Цель: создать условия\t\t\t\t\n"
        "\t1. Нормативная база\t\t\t\n"
        "1.1\tПриказ\tПриказ издан\tсентябрь\tДиректор\n"
        "\t2. Кадры\t\t\t\n"
        "2.1\tОбучение\tУдостоверения\tоктябрь\tЗавуч\n"
        "Основной этап\t\t\t\t\n"
        "1.1\tУроки\tПроведены\tноябрь\tУчителя\n"
    )
    assert [(a.number, a.section) for a in read.activities] == [
        ("1.1", "Подготовительный этап / Цель: создать условия / 1. Нормативная база"),
        ("2.1", "Подготовительный этап / Цель: создать условия / 2. Кадры"),
        ("1.1", "Основной этап"),
    ]


def test_numbered_row_with_only_a_title_heads_its_sub_numbered_rows() -> None:
    read = read_text(
        "№\tМероприятие\tСрок\tОтветственный\n"
        "1.\tОрганизационные мероприятия\t\t\n"
        "1.1\tПриказ\tсентябрь\tДиректор\n"
        "1.2\tСовещание\tоктябрь\tЗавуч\n"
        "2.\tМетодическая работа\t\t\n"
        "2.1\tСеминар\tноябрь\tМетодист\n"
        "3.\tИтоговый отчёт\tмай\tДиректор\n"
    )
    assert [(a.number, a.section) for a in read.activities] == [
        ("1.1", "1. Организационные мероприятия"),
        ("1.2", "1. Организационные мероприятия"),
        ("2.1", "2. Методическая работа"),
        ("3", None),
    ]


def test_sections_over_activities_numbered_through() -> None:
    read = read_text(
        "№\tМероприятие\tСрок\tОтветственный\n"
        "\t1. Организационные мероприятия\t\t\n"
        "1\tПриказ\tсентябрь\tДиректор\n"
        "2\tСовещание\tоктябрь\tЗавуч\n"
        "\t2. Методическая работа\t\t\n"
        "3\tСеминар\tноябрь\tМетодист\n"
    )
    assert [(a.number, a.section) for a in read.activities] == [
        ("1", "1. Организационные мероприятия"),
        ("2", "1. Организационные мероприятия"),
        ("3", "2. Методическая работа"),
    ]


def test_repeated_header_column_numbers_and_trailing_junk_are_skipped() -> None:
    read = read_text(
        f"{HEADER}\n1\t2\t3\t4\t5\n"
        "1.\tОпрос\tАнкета\tоктябрь\tИванов И.И.\n"
        f"{HEADER}\n"
        "2.\tСовещание\tПротокол\tноябрь\tИванов И.И.\n"
        "---\t--\t--\t--\n"
    )
    assert [a.number for a in read.activities] == ["1", "2"]
    assert read.warnings == ()


def test_text_after_the_table_is_ignored_with_a_warning() -> None:
    read = read_text(f"{HEADER}\n1.\tОпрос\tАнкета\tоктябрь\tИванов И.И.\nДиректор школы Иванов\n")
    assert len(read.activities) == 1
    assert [w.code for w in read.warnings] == ["table.trailing_text_ignored"]


def test_step_before_any_activity_is_reported() -> None:
    read = read_text(
        f"{HEADER}\n\t\tОтчёт\tдо 20.10.2024\tПетров П.П.\n1.\tОпрос\tАнкета\tоктябрь\tИванов\n"
    )
    assert len(read.activities) == 1
    assert [w.code for w in read.warnings] == ["table.row_unplaced"]


def test_header_cell_wrapped_onto_the_next_line() -> None:
    read = read_text(
        "№\tМероприятие\tСроки\tОтветственные\n\t\t\tисполнители\n1\tОпрос\tмай\tИванов И.И.\n"
    )
    assert [(a.number, a.responsible_text) for a in read.activities] == [("1", "Иванов И.И.")]


def test_errors() -> None:
    with pytest.raises(RoadmapReadError) as empty:
        read_text(" \n\ufeff\n")
    assert empty.value.code == "empty"
    with pytest.raises(RoadmapReadError) as no_table:
        read_text("Просто текст\nбез таблицы")
    assert no_table.value.code == "not_a_table"
    with pytest.raises(RoadmapReadError) as no_deadline:
        read_text("Мероприятие\tОтветственный\nОпрос\tИванов")
    assert no_deadline.value.code == "no_deadline_column"


# --------------------------------------------------------------------------------------------
# Whatever the text, only RoadmapReadError escapes

_WORDS = st.sampled_from(
    ["№", "1.", "1.2", "Мероприятие", "Срок", "Ответственный", "Результат", "до 20.10.2022",
     "Иванов И.И.", "Цель:", "этап", "- пункт", "<li>", "**", "", " ", "\u00a0", "2. Опр",
     "еделение", "В течение года", "Цел", "---", "|", ";", "\t", "\n", "Организационный этап"]
)  # fmt: skip
_LINES = st.lists(st.lists(_WORDS, max_size=8).map("\t".join), max_size=25).map("\n".join)


def _read_or_refuse(text: str) -> None:
    refusal: str | None = None
    try:
        read = read_text(text)
    except RoadmapReadError as error:
        refusal = error.code
    if refusal is not None:
        assert refusal in {"empty", "not_a_table", "no_deadline_column"}
        return
    for activity in read.activities:
        assert isinstance(activity.title, str)
        assert isinstance(activity.deadline_text, str)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_read_text_never_raises_anything_else_on_arbitrary_text(text: str) -> None:
    _read_or_refuse(text)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_LINES)
def test_read_text_never_raises_anything_else_on_table_like_text(text: str) -> None:
    _read_or_refuse(text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(_WORDS, max_size=40).map("\n\t".join))
def test_read_text_never_raises_anything_else_on_cell_per_line_text(text: str) -> None:
    _read_or_refuse(f"\t№\n\tМероприятие\n\tСроки\n\tОтветственные\n\t{text}")


# --------------------------------------------------------------------------------------------
# Kinds of table seen in unseen roadmaps (issue 16). Every row below is written for these
# tests in the style of school event plans and municipal plans; none is copied from a file.

Table = Sequence[Sequence[str]]
Row4 = tuple[str | None, str, str, str]


def _grid(table: Table, *, merged: dict[int, frozenset[int]] | None = None) -> list[GridRow]:
    """Rows as a reader gives them: "\\n" separates a cell's paragraphs; ``merged`` maps a row's
    index to the columns continuing a vertical merge (their text repeated, as Word's reader
    does)."""
    return [
        GridRow(
            tuple(tuple(part for part in cell.split("\n") if part) for cell in row),
            f"строка {number}",
            merged_above=(merged or {}).get(number - 1, frozenset()),
        )
        for number, row in enumerate(table, start=1)
    ]


def _rows(read: RawRoadmap) -> list[Row4]:
    return [(a.number, a.title, a.deadline_text, a.responsible_text) for a in read.activities]


def _codes(read: RawRoadmap) -> list[str]:
    return [warning.code for warning in read.warnings]


PLAN_ROWS = [
    ["1.", "Педагогический совет «Итоги работы за первое полугодие»", "январь",
     "Директор школы Белова Н.А."],
    ["2.", "Школьный этап олимпиады по математике", "до 15.10.2024",
     "Руководитель ШМО Котова И.Г."],
]  # fmt: skip
PLAN_EXPECTED: list[Row4] = [
    ("1", "Педагогический совет «Итоги работы за первое полугодие»", "январь",
     "Директор школы Белова Н.А."),
    ("2", "Школьный этап олимпиады по математике", "до 15.10.2024",
     "Руководитель ШМО Котова И.Г."),
]  # fmt: skip


@pytest.mark.parametrize(
    "deadline_header",
    ["Даты", "Дата", "Когда", "Время и дата", "Дата проведения", "Сроки исполнения", "Период",
     "Месяц", "Месяц проведения", "Ориентировочное время проведения", "Дата/время",
     "Период исполнения", "Время проведения", "Дата и время проведения", "Срок"],
)  # fmt: skip
def test_deadline_column_named_by_a_word_for_date_or_time(deadline_header: str) -> None:
    header = ["№", "Мероприятие", deadline_header, "Ответственный"]
    assert detect_columns(header) == {N: 0, A: 1, D: 2, P: 3}
    read = build_roadmap([], _grid([header, *PLAN_ROWS]))
    assert _rows(read) == PLAN_EXPECTED
    assert _codes(read) == []


@pytest.mark.parametrize(
    ("responsible_header", "expected"),
    [
        ("ФИО", {N: 0, A: 1, D: 2, P: 3}),
        ("Ф.И.О.", {N: 0, A: 1, D: 2, P: 3}),
        ("ФИО ответственного", {N: 0, A: 1, D: 2, P: 3}),
        ("Кто отвечает", {N: 0, A: 1, D: 2, P: 3}),
        ("Ответственный (ФИО, должность)", {N: 0, A: 1, D: 2, P: 3}),
        ("Исполнитель", {N: 0, A: 1, D: 2, P: 3}),
        ("Ответственные исполнители", {N: 0, A: 1, D: 2, P: 3}),
        ("Ответственное лицо", {N: 0, A: 1, D: 2, P: 3}),
    ],
)
def test_responsible_column_named_several_ways(
    responsible_header: str, expected: dict[Column, int]
) -> None:
    header = ["№", "Мероприятие", "Срок", responsible_header]
    assert detect_columns(header) == expected
    read = build_roadmap([], _grid([header, *PLAN_ROWS]))
    assert _rows(read) == PLAN_EXPECTED


# A date column before the activity: the plan-graphs of school events.

DATE_FIRST: list[tuple[str, Table, list[Row4]]] = [
    (
        "date, event, participants, responsible",
        [
            ["Дата", "Мероприятие", "Участники", "Ответственный"],
            ["02.09.2024", "Торжественная линейка «День знаний»", "1-11 классы",
             "Заместитель директора по ВР Сидорова А.П."],
            ["03.09.2024", "Классный час «День солидарности в борьбе с терроризмом»",
             "1-11 классы", "Классные руководители"],
            ["с 09.09 по 13.09", "Неделя безопасности дорожного движения", "1-4 классы",
             "Преподаватель-организатор ОБЗР Кузнецов В.В."],
            ["2-я неделя октября", "Осенний кросс", "5-11 классы",
             "Учителя физической культуры"],
        ],
        [
            (None, "Торжественная линейка «День знаний»", "02.09.2024",
             "Заместитель директора по ВР Сидорова А.П."),
            (None, "Классный час «День солидарности в борьбе с терроризмом»", "03.09.2024",
             "Классные руководители"),
            (None, "Неделя безопасности дорожного движения", "с 09.09 по 13.09",
             "Преподаватель-организатор ОБЗР Кузнецов В.В."),
            (None, "Осенний кросс", "2-я неделя октября", "Учителя физической культуры"),
        ],
    ),
    (
        "number, date, event, responsible",
        [
            ["№ п/п", "Дата проведения", "Наименование мероприятия", "Ответственный"],
            ["1", "14.11.2024", "Муниципальный этап олимпиады по химии",
             "Петрова Н.В., методист МКУ «ИМЦ»"],
            ["2", "21.11.2024\n(резерв 28.11.2024)",
             "Семинар для заместителей директоров по УВР «Функциональная грамотность»",
             "Иванова О.Л.,\nначальник отдела общего образования"],
        ],
        [
            ("1", "Муниципальный этап олимпиады по химии", "14.11.2024",
             "Петрова Н.В., методист МКУ «ИМЦ»"),
            ("2", "Семинар для заместителей директоров по УВР «Функциональная грамотность»",
             "21.11.2024 (резерв 28.11.2024)",
             "Иванова О.Л., начальник отдела общего образования"),
        ],
    ),
    (
        "month, event, classes, responsible",
        [
            ["Месяц", "Мероприятие", "Классы", "Ответственные"],
            ["Сентябрь", "Месячник безопасности", "1-11", "Заместитель директора по ВР"],
            ["Октябрь", "Концерт ко Дню учителя", "5-11", "Педагог-организатор Смирнова Т.А."],
            ["Ноябрь - декабрь", "Конкурс чтецов «Живое слово»", "5-9",
             "Учителя русского языка и литературы"],
        ],
        [
            (None, "Месячник безопасности", "Сентябрь", "Заместитель директора по ВР"),
            (None, "Концерт ко Дню учителя", "Октябрь", "Педагог-организатор Смирнова Т.А."),
            (None, "Конкурс чтецов «Живое слово»", "Ноябрь - декабрь",
             "Учителя русского языка и литературы"),
        ],
    ),
    (
        "date and time, event, place, responsible",
        [
            ["Дата, время", "Мероприятие", "Место проведения", "Ответственный"],
            ["18.12.2024\n14:00", "Родительское собрание для выпускников 9 классов",
             "Актовый зал", "Заместитель директора по УВР Котова И.Г."],
            ["25.12.2024", "Новогодний утренник", "Рекреация 2 этажа",
             "Классные руководители 1-4 классов"],
        ],
        [
            (None, "Родительское собрание для выпускников 9 классов", "18.12.2024 14:00",
             "Заместитель директора по УВР Котова И.Г."),
            (None, "Новогодний утренник", "25.12.2024", "Классные руководители 1-4 классов"),
        ],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "expected"), [case[1:] for case in DATE_FIRST],
                         ids=[case[0] for case in DATE_FIRST])  # fmt: skip
def test_date_column_before_the_activity(table: Table, expected: list[Row4]) -> None:
    read = build_roadmap([], _grid(table))
    assert _rows(read) == expected
    assert _codes(read) == []


def test_date_first_plan_in_a_text_export() -> None:
    read = read_text(
        "План мероприятий месячника профориентации\n\n"
        "Дата\tМероприятие\tУчастники\tОтветственный\n"
        "07.10.2024\tЭкскурсия\t8-9 классы\tКлассные руководители\n"
        "\tна предприятие АО «Дальприбор»\t\t\n"
        "до 18.10.2024\tАнкетирование «Мой выбор профессии»\t9 классы\t"
        "Педагог-психолог Орлова Е.С.\n"
    )
    assert _rows(read) == [
        (None, "Экскурсия на предприятие АО «Дальприбор»", "07.10.2024", "Классные руководители"),
        (None, "Анкетирование «Мой выбор профессии»", "до 18.10.2024",
         "Педагог-психолог Орлова Е.С."),
    ]  # fmt: skip
    assert _codes(read) == []


def test_months_typed_in_the_date_column_are_headings() -> None:
    read = read_text(
        "Дата\tМероприятие\tОтветственный\n"
        "Сентябрь\t\t\n"
        "02.09.2024\tЛинейка «День знаний»\tЗам. директора по ВР Сидорова А.П.\n"
        "в течение месяца\tМесячник безопасности\tКлассные руководители\n"
        "ОКТЯБРЬ 2024\t\t\n"
        "04.10.2024\tКонцерт ко Дню учителя\tПедагог-организатор Смирнова Т.А.\n"
        "с 28.10 по\tОсенние каникулы: работа лагеря\tНачальник лагеря Рябова Е.А.\n"
        "Ноябрь\t\t\n"
        "II четверть\t\t\n"
        "до 20.12.2024\tОтчёт о воспитательной работе\tКлассные руководители\n"
    )
    assert [(a.section, a.title, a.deadline_text) for a in read.activities] == [
        ("Сентябрь", "Линейка «День знаний»", "02.09.2024"),
        ("Сентябрь", "Месячник безопасности", "в течение месяца"),
        ("ОКТЯБРЬ 2024", "Концерт ко Дню учителя", "04.10.2024"),
        # A date left open goes on on the next line: "Ноябрь" ends it, no heading.
        ("ОКТЯБРЬ 2024", "Осенние каникулы: работа лагеря", "с 28.10 по Ноябрь"),
        ("II четверть", "Отчёт о воспитательной работе", "до 20.12.2024"),
    ]
    assert _codes(read) == []


# Columns that are not ours: participants and their ages or classes, the place, a contact
# phone, a mark of completion, a note. Known, so they count for the header; never taken for
# the activity or the responsible.


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["№", "Название мероприятия", "Дата проведения", "Место проведения", "Участники",
          "Ответственный", "Контактный телефон"], {N: 0, A: 1, D: 2, P: 5}),
        (["№ п/п", "Мероприятие", "Возраст участников", "Количество участников", "Сроки",
          "Место", "Ответственный", "Отметка о выполнении", "Примечание"],
         {N: 0, A: 1, D: 4, P: 6}),
        (["Дата", "Мероприятие", "Классы", "Участники", "Место проведения", "Кто отвечает"],
         {D: 0, A: 1, P: 5}),
        (["Мероприятие", "Сроки", "Участники", "Координатор"], {A: 0, D: 1, P: 3}),
        (["Дата", "Мероприятие", "Кол-во участников", "Телефон", "Отметка об исполнении",
          "Исполнитель"], {D: 0, A: 1, P: 5}),
    ],
)  # fmt: skip
def test_columns_that_are_not_ours_are_known_and_left_out(
    header: list[str], expected: dict[Column, int]
) -> None:
    assert detect_columns(header) == expected


EXTRA_COLUMNS = [
    ["№", "Мероприятие", "Дата проведения", "Место проведения", "Участники", "Ответственный",
     "Контактный телефон", "Отметка о выполнении", "Примечание"],
    ["1", "Муниципальный конкурс «Учитель года»", "12.02.2025", "МБОУ «СОШ № 3»",
     "Педагоги ОО", "Иванова О.Л., методист ИМЦ", "8 (42356) 5-12-34", "выполнено 12.02.2025",
     ""],
    ["", "", "", "", "", "", "8-914-705-11-22", "", ""],
    ["2", "Совещание руководителей ШМО", "до 20.02.2025", "Управление образования, каб. 12",
     "Руководители ШМО", "Петрова Н.В.", "", "", "перенесено с 13.02.2025"],
    ["3", "Фестиваль «Школьная весна»", "март", "ДК «Юность»", "1-11 классы",
     "Зам. директора по ВР", "", "", "по положению до 01.03.2025"],
]  # fmt: skip


def test_cells_of_columns_that_are_not_ours_are_ignored() -> None:
    read = build_roadmap([], _grid(EXTRA_COLUMNS))
    assert _rows(read) == [
        ("1", "Муниципальный конкурс «Учитель года»", "12.02.2025",
         "Иванова О.Л., методист ИМЦ"),
        ("2", "Совещание руководителей ШМО", "до 20.02.2025", "Петрова Н.В."),
        ("3", "Фестиваль «Школьная весна»", "март", "Зам. директора по ВР"),
    ]  # fmt: skip
    # A date in the mark of completion or in a note is not a shifted deadline, and a phone
    # number wrapped onto its own row is no step of the activity.
    assert _codes(read) == []
    assert all(activity.steps == () for activity in read.activities)


def test_participants_are_no_responsible_when_they_are_pupils() -> None:
    read = build_roadmap([], _grid([
        ["Дата", "Мероприятие", "Участники"],
        ["01.03.2025", "Всероссийский открытый урок по ОБЗР", "Обучающиеся 5-11 классов"],
        ["08.03.2025", "Праздничный концерт «Для милых дам»", "1-11 классы, родители"],
        ["март", "Весенний кросс", "7-10 лет"],
    ]))  # fmt: skip
    assert read.columns == (A, D)
    assert [a.responsible_text for a in read.activities] == ["", "", ""]


def test_participants_are_the_responsible_when_they_are_the_staff_and_nothing_else_is() -> None:
    read = build_roadmap([], _grid([
        ["№", "Деятельность", "Категория участников", "Сроки"],
        ["1.1", "Анкетирование родителей", "Педагог-психолог, рабочая группа", "сентябрь"],
        ["1.2", "Организация встреч с партнерами", "Администрация, участники проекта",
         "в течение года"],
        ["1.3", "Экскурсия в технопарк", "Учащиеся 8-9 классов", "октябрь"],
    ]))  # fmt: skip
    assert read.columns == (N, A, D, P)
    # Pupils in a staff column are no one to remind: left for the coordinator to name.
    assert [a.responsible_text for a in read.activities] == [
        "Педагог-психолог, рабочая группа",
        "Администрация, участники проекта",
        "",
    ]


# A row of column numbers under the header.


@pytest.mark.parametrize(
    "numbers",
    [["1", "2", "3", "4"], ["1.", "2.", "3.", "4."], ["1)", "2)", "3)", "4)"],
     ["1", "2", "", "4"], ["1 2 3 4", "", "", ""], ["", "2", "3", "4"]],
)  # fmt: skip
def test_row_of_column_numbers_is_skipped(numbers: list[str]) -> None:
    read = build_roadmap([], _grid([["№", "Мероприятие", "Срок", "Ответственный"], numbers,
                                    *PLAN_ROWS]))  # fmt: skip
    assert _rows(read) == PLAN_EXPECTED
    assert _codes(read) == []


def _every_format(
    header: Sequence[str], rows: Sequence[Sequence[str]], title: Sequence[str] = ()
) -> dict[str, RawRoadmap]:
    """The same table read from each format a user may send (one cell per line, too)."""
    files = {
        "docx": docx_bytes(header, rows, title=title),
        "xlsx": xlsx_bytes(header, rows, title=title),
        "csv": csv_bytes(header, rows, title=title),
        "txt": text_of(header, rows, title=title).encode(),
        "md": "\n".join(
            [
                *title,
                "",
                *("| " + " | ".join(row) + " |" for row in [header, ["---"] * len(header), *rows]),
            ]
        ).encode(),
        "cells": "\n".join(
            [*title, "", *(f"\t{cell}" for row in [header, *rows] for cell in row)]
        ).encode(),
    }
    return {
        form: read_roadmap(data, f"plan.{'txt' if form in ('md', 'cells') else form}")
        for form, data in files.items()
    }


def test_row_of_column_numbers_is_skipped_in_every_format() -> None:
    header = ["№ п/п", "Мероприятие", "Срок", "Ответственный"]
    for form, read in _every_format(header, [["1", "2", "3", "4"], *PLAN_ROWS]).items():
        assert _rows(read) == PLAN_EXPECTED, form
        assert _codes(read) == [], form


def test_date_first_plan_with_columns_not_ours_in_every_format() -> None:
    header = [
        "Дата",
        "Мероприятие",
        "Участники",
        "Место проведения",
        "Ответственный",
        "Примечание",
    ]
    rows = [
        ["02.09.2024", "Торжественная линейка «День знаний»", "1-11 классы", "Школьный двор",
         "Заместитель директора по ВР Сидорова А.П.", "при плохой погоде в актовом зале"],
        ["04.09.2024", "Учебная эвакуация", "1-11 классы", "Здание школы",
         "Преподаватель-организатор ОБЗР Кузнецов В.В.", ""],
    ]  # fmt: skip
    for form, read in _every_format(header, rows, ["План на сентябрь"]).items():
        assert read.columns == (A, D, P), form
        assert _rows(read) == [
            (None, "Торжественная линейка «День знаний»", "02.09.2024",
             "Заместитель директора по ВР Сидорова А.П."),
            (None, "Учебная эвакуация", "04.09.2024",
             "Преподаватель-организатор ОБЗР Кузнецов В.В."),
        ], form  # fmt: skip
        assert _codes(read) == [], form


# A header spread over two rows: joined per column.

TWO_ROW_HEADERS: list[tuple[str, Table, dict[int, frozenset[int]]]] = [
    ("word wrapped onto the next row",
     [["№", "Мероприятие", "Срок", "Ответственный"], ["", "", "исполнения", ""]], {}),
    ("wrapped, the other cells merged down",
     [["№", "Мероприятие", "Срок", "Ответственный"],
      ["№", "Мероприятие", "исполнения", "Ответственный"]], {1: frozenset({0, 1, 3})}),
    ("merged top header, text export",
     [["№", "Мероприятия", "", "Ответственный"], ["", "наименование", "срок", ""]], {}),
    ("merged top header, the others merged down",
     [["№", "Мероприятия", "", "Ответственный"],
      ["№", "наименование", "срок проведения", "Ответственный"]], {1: frozenset({0, 3})}),
    ("merged top header repeated in each column it covers",
     [["№", "Мероприятия", "Мероприятия", "Ответственный"],
      ["№", "Наименование", "Срок", "Ответственный"]], {1: frozenset({0, 3})}),
    ("a lone top header over a full one",
     [["", "Мероприятия", "", ""], ["№", "наименование", "сроки", "ответственный"]], {}),
    ("position and name under the responsible",
     [["№", "Мероприятие", "Срок", "Ответственный"], ["", "", "", "(ФИО, должность)"]], {}),
]  # fmt: skip


@pytest.mark.parametrize(("table", "merged"), [case[1:] for case in TWO_ROW_HEADERS],
                         ids=[case[0] for case in TWO_ROW_HEADERS])  # fmt: skip
def test_header_over_two_rows(table: Table, merged: dict[int, frozenset[int]]) -> None:
    rows = [
        *table,
        ["1.", "Педагогический совет «Итоги работы за первое полугодие»", "январь",
         "Директор школы Белова Н.А."],
        ["2.", "Школьный этап олимпиады по математике", "до 15.10.2024",
         "Руководитель ШМО Котова И.Г."],
        *table,  # the header again on the next page
        ["3.", "Итоговый педсовет", "май", "Директор школы Белова Н.А."],
    ]  # fmt: skip
    at = len(table) + 2
    read = build_roadmap(
        ["План работы МБОУ «СОШ № 5» на 2024-2025 учебный год"],
        _grid(rows, merged={**merged, **{at + i: cols for i, cols in merged.items()}}),
    )
    assert read.columns == (N, A, D, P)
    assert _rows(read) == [*PLAN_EXPECTED, ("3", "Итоговый педсовет", "май",
                                            "Директор школы Белова Н.А.")]  # fmt: skip
    assert read.title == "План работы МБОУ «СОШ № 5» на 2024-2025 учебный год"
    assert _codes(read) == []


def test_first_rows_under_the_header_are_not_taken_for_its_second_row() -> None:
    read = build_roadmap([], _grid([
        ["Мероприятие", "Срок", "Ответственный"],
        ["Работа с молодыми педагогами по плану наставничества", "в течение года",
         "Зам. директора по УВР"],
        ["Раздел 2. Работа с родителями", "", ""],
        ["Родительские собрания", "по четвертям", "Классные руководители"],
    ]))  # fmt: skip
    assert [(a.section, a.title, a.deadline_text) for a in read.activities] == [
        (None, "Работа с молодыми педагогами по плану наставничества", "в течение года"),
        ("Раздел 2. Работа с родителями", "Родительские собрания", "по четвертям"),
    ]
    assert _codes(read) == []


def test_first_row_in_lower_case_is_no_second_header_row() -> None:
    read = build_roadmap([], _grid([
        ["№", "Мероприятие", "Срок", "Ответственный"],
        ["", "анкетирование родителей", "сентябрь", "педагог-психолог"],
        ["1.", "Родительское собрание", "октябрь", "Классные руководители"],
    ]))  # fmt: skip
    assert _rows(read) == [("1", "Родительское собрание", "октябрь", "Классные руководители")]
    # Not swallowed by the header: the row is reported, not lost.
    assert [(w.code, w.param_dict()["fragment"]) for w in read.warnings] == [
        ("table.row_unplaced", "анкетирование родителей")
    ]


def test_header_over_two_rows_in_every_format() -> None:
    top = ["№", "Мероприятия", "", "Ответственный"]
    rows = [["", "наименование", "срок", ""], *PLAN_ROWS]
    for form, read in _every_format(top, rows, ["План работы"]).items():
        if form in ("md", "cells"):
            continue  # no merged cells there: a header is one row
        assert read.columns == (N, A, D, P), form
        assert _rows(read) == PLAN_EXPECTED, form
        assert read.title == "План работы", form


# Several date columns: a main date and reserve dates, all of them the row's deadlines.

SERIES: list[tuple[str, Table, list[str]]] = [
    (
        "three columns headed «Дата»",
        [
            ["Дата", "Дата", "Дата", "Предмет", "Классы", "Ответственный"],
            ["12.03.2024", "15.03.2024", "20.03.2024", "Математика", "5-8",
             "Руководитель ШМО Котова И.Г."],
            ["18.04.2024", "", "", "Русский язык", "4", "Руководитель ШМО Лебедева М.В."],
        ],
        ["12.03.2024; 15.03.2024; 20.03.2024", "18.04.2024"],
    ),
    (
        "numbered and reserve dates",
        [
            ["Мероприятие", "Дата 1", "Дата 2", "Резервная дата", "Ответственный"],
            ["ВПР по биологии", "03.04.2025", "", "10.04.2025", "Учитель биологии Гусева Т.П."],
            ["ВПР по истории", "08.04.2025", "09.04.2025", "", "Учитель истории Рябов К.С."],
        ],
        ["03.04.2025; 10.04.2025", "08.04.2025; 09.04.2025"],
    ),
    (
        "main and reserve",
        [
            ["№", "Мероприятие", "Дата проведения", "Резервная дата", "Ответственный"],
            ["1", "Итоговое собеседование по русскому языку", "12.02.2025", "12.03.2025",
             "Зам. директора по УВР Котова И.Г."],
        ],
        ["12.02.2025; 12.03.2025"],
    ),
    (
        "under one merged header",
        [
            ["Предмет", "Даты проведения", "", "Ответственный"],
            ["", "основная", "резервная", ""],
            ["Химия", "22.04.2025", "29.04.2025", "Учитель химии Соколова В.А."],
        ],
        ["22.04.2025; 29.04.2025"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "deadlines"), [case[1:] for case in SERIES],
                         ids=[case[0] for case in SERIES])  # fmt: skip
def test_several_date_columns_are_one_series(table: Table, deadlines: list[str]) -> None:
    read = build_roadmap([], _grid(table))
    assert [a.deadline_text for a in read.activities] == deadlines
    assert all(a.responsible_text for a in read.activities)
    assert _codes(read) == []


def test_series_keeps_each_cell_in_its_warnings() -> None:
    read = build_roadmap([], _grid([
        ["Дата", "Дата", "Предмет", "Ответственный"],
        ["12.03.2024", "31.02.2024", "Математика", "Руководитель ШМО Котова И.Г."],
        ["14.03.2024", "21.03.2024\n(резерв)", "Физика", "Учитель физики Рябов К.С."],
    ]))  # fmt: skip
    parsed = parse_roadmap(read, Period(dt.date(2023, 9, 1), dt.date(2024, 8, 31)))
    first, second = parsed.activities
    assert first.deadline.text == "12.03.2024; 31.02.2024"
    # The doubt quotes the one cell it is about, on the row it came from.
    assert [(w.code, w.param_dict().get("fragment")) for w in first.deadline.warnings] == [
        ("deadline.invalid_date", "31.02.2024")
    ]
    assert first.source_ref == "строка 2"
    assert second.deadline.text == "14.03.2024; 21.03.2024 (резерв)"


RANGES: list[tuple[str, Table, list[str]]] = [
    (
        "start and end date",
        [
            ["№", "Мероприятие", "Дата начала", "Дата окончания", "Ответственный"],
            ["1", "Месячник безопасности", "02.09.2024", "30.09.2024",
             "Преподаватель-организатор ОБЗР Кузнецов В.В."],
            ["2", "Приём заявлений в 1 класс", "01.04.2025", "", "Секретарь Лебедева М.В."],
        ],
        ["02.09.2024 – 30.09.2024", "01.04.2025"],
    ),
    (
        "«Сроки» over «начало | окончание»",
        [
            ["№ п/п", "Содержание мероприятия", "Сроки", "", "Ответственный"],
            ["", "", "начало", "окончание", ""],
            ["1.", "Курсы повышения квалификации учителей-предметников", "октябрь 2024",
             "декабрь 2024", "Методист Петрова Н.В."],
            ["2.", "Региональный проект «Цифровая школа»", "с 01.01.2025", "по 31.05.2025",
             "Зам. директора по УВР Котова И.Г."],
        ],
        ["октябрь 2024 – декабрь 2024", "с 01.01.2025 по 31.05.2025"],
    ),
    (
        "bare start and end",
        [
            ["Мероприятие", "Начало", "Окончание", "Ответственный"],
            ["Проект «Читаем вместе»", "сентябрь", "май", "Библиотекарь Орлова Е.С."],
        ],
        ["сентябрь – май"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "deadlines"), [case[1:] for case in RANGES],
                         ids=[case[0] for case in RANGES])  # fmt: skip
def test_start_and_end_columns_are_one_range(table: Table, deadlines: list[str]) -> None:
    read = build_roadmap([], _grid(table))
    assert [a.deadline_text for a in read.activities] == deadlines
    assert all(a.responsible_text for a in read.activities)
    assert _codes(read) == []
