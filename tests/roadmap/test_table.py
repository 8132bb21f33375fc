"""Header detection, cell cleaning and the row rules shared by every reader."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.readers import read_text
from roadmap.table import (
    Column,
    RoadmapReadError,
    cell_paragraphs,
    detect_columns,
    join_cut_fragments,
    join_prose,
    join_responsible,
)

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
