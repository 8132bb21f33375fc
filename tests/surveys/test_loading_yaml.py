"""Survey definitions from YAML: what people write, and every mistake named by its line."""

from __future__ import annotations

from collections.abc import Callable
from textwrap import dedent

import pytest

from surveys.loading import DefinitionError, load_definition, load_yaml
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
from surveys.yaml_format import MAX_DEPTH
from tests.surveys.catalog import rendered

FULL = """\
title: Школьное питание
intro: |
  Расскажите, как вам обеды.
  Это займёт минуту.
audience: родители
ask_role: нет
classes:
  - 5а
  - 6 Б, 7в
questions:
  - text: Ребёнок обедает в школе?
    kind: один вариант
    options:
      - Да
      - text: Нет
        goto: 4
      - text: Иногда
        goto: конец
  - id: taste
    text: Что нравится?
    kind: несколько
    required: нет
    options: [Суп, Второе, Выпечка]
    other: да
    max_length: 200
  - text: Оцените вкус
    kind: шкала
    scale: {high: 10, low_label: Невкусно, high_label: Очень вкусно}
  - text: Пожелания
    kind: текст
    required: false
    max_length: 1000
"""


def test_a_full_definition_is_read() -> None:
    assert load_yaml(FULL) == SurveyDefinition(
        title="Школьное питание",
        intro="Расскажите, как вам обеды.\nЭто займёт минуту.",
        audience=Audience.PARENTS,
        segments=Segments(ask_role=False, classes=("5 «а»", "6 «б»", "7 «в»")),
        questions=(
            Question(
                id="1",
                text="Ребёнок обедает в школе?",
                kind=QuestionKind.SINGLE,
                options=(
                    Option("1", "Да"),
                    Option("2", "Нет", goto="4"),
                    Option("3", "Иногда", goto=END),
                ),
            ),
            Question(
                id="taste",
                text="Что нравится?",
                kind=QuestionKind.MULTIPLE,
                required=False,
                options=(Option("1", "Суп"), Option("2", "Второе"), Option("3", "Выпечка")),
                other=True,
                max_length=200,
            ),
            Question(
                id="3",
                text="Оцените вкус",
                kind=QuestionKind.SCALE,
                scale=Scale(high=10, low_label="Невкусно", high_label="Очень вкусно"),
            ),
            Question(
                id="4", text="Пожелания", kind=QuestionKind.TEXT, required=False, max_length=1000
            ),
        ),
    )


def minimal(questions: str, head: str = "title: Опрос\n") -> str:
    return head + "questions:\n" + dedent(questions)


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("single", QuestionKind.SINGLE),
        ("Один вариант", QuestionKind.SINGLE),
        ("один", QuestionKind.SINGLE),
        ("multiple", QuestionKind.MULTIPLE),
        ("Несколько вариантов", QuestionKind.MULTIPLE),
        ("несколько", QuestionKind.MULTIPLE),
    ],
)
def test_choice_kinds_in_either_language(written: str, kind: QuestionKind) -> None:
    text = minimal(f"  - text: Вопрос\n    kind: {written}\n    options: [А, Б]\n")
    assert load_yaml(text).questions[0].kind is kind


@pytest.mark.parametrize("written", ["scale", "Шкала", "оценка"])
def test_scale_kind_in_either_language(written: str) -> None:
    question = load_yaml(minimal(f"  - text: Вопрос\n    kind: {written}\n")).questions[0]
    assert question.kind is QuestionKind.SCALE
    assert question.scale == Scale()


@pytest.mark.parametrize("written", ["text", "текст", "Свободный ответ"])
def test_text_kind_in_either_language(written: str) -> None:
    question = load_yaml(minimal(f"  - text: Вопрос\n    kind: {written}\n")).questions[0]
    assert question.kind is QuestionKind.TEXT


@pytest.mark.parametrize(
    ("written", "audience"),
    [
        ("parents", Audience.PARENTS),
        ("Родители", Audience.PARENTS),
        ("students", Audience.STUDENTS),
        ("обучающиеся", Audience.STUDENTS),
        ("ученики", Audience.STUDENTS),
        ("both", Audience.BOTH),
        ("все", Audience.BOTH),
        ("родители и обучающиеся", Audience.BOTH),
    ],
)
def test_audience_in_either_language(written: str, audience: Audience) -> None:
    text = minimal("  - text: Вопрос\n", head=f"title: Опрос\naudience: {written}\n")
    assert load_yaml(text).audience is audience


def test_defaults_and_inferred_kinds() -> None:
    definition = load_yaml(
        minimal(
            """\
            - text: С вариантами
              options: [А, Б]
            - text: Со шкалой
              scale: 5
            - text: Просто текст
            """
        )
    )
    assert definition.audience is Audience.BOTH
    assert definition.intro == ""
    assert definition.segments == Segments()
    kinds = [question.kind for question in definition.questions]
    assert kinds == [QuestionKind.SINGLE, QuestionKind.SCALE, QuestionKind.TEXT]
    assert all(question.required for question in definition.questions)


def test_goto_by_id_and_by_number_when_ids_are_named() -> None:
    definition = load_yaml(
        minimal(
            """\
            - text: Первый
              options:
                - {text: К третьему по id, goto: c}
                - {text: К третьему по номеру, goto: 3}
                - {text: В конец, goto: end}
            - {id: b, text: Второй}
            - {id: c, text: Третий}
            """
        )
    )
    assert [option.goto for option in definition.questions[0].options] == ["c", "c", END]


def test_classes_as_one_line() -> None:
    text = minimal("  - text: Вопрос\n", head="title: Опрос\nclasses: 10б, 5а; 5а\n")
    assert load_yaml(text).segments.classes == ("5 «а»", "10 «б»")


def test_yes_and_no_are_understood_as_people_write_them() -> None:
    for yes in ("да", "Да", "yes", "true", "+"):
        text = minimal(f"  - text: В\n    options: [А, Б]\n    other: {yes}\n")
        assert load_yaml(text).questions[0].other, yes
    for no in ("нет", "no", "false", "'-'"):
        text = minimal(f"  - text: В\n    required: {no}\n")
        assert not load_yaml(text).questions[0].required, no


def test_bytes_in_utf8_with_bom_and_in_windows_1251() -> None:
    assert load_yaml(FULL.encode("utf-8-sig")) == load_yaml(FULL)
    assert load_yaml(FULL.encode("cp1251")) == load_yaml(FULL)


def test_file_kind_follows_the_extension() -> None:
    assert load_definition("Опрос.YML", FULL.encode()) == load_yaml(FULL)
    assert load_definition("survey.yaml", FULL.encode()) == load_yaml(FULL)
    for name in ("survey.txt", "survey.xls", "survey"):
        with pytest.raises(DefinitionError) as caught:
            load_definition(name, FULL.encode())
        assert caught.value.key == "survey.file.unsupported"
        assert rendered(caught.value)


QUESTIONS_43 = "".join(f"  - text: Вопрос {number}\n" for number in range(1, 44))


@pytest.mark.parametrize(
    ("text", "code", "line", "params"),
    [
        ("title: Опрос: первый\nquestions: []\n", "yaml_syntax", 1, {}),
        (minimal("  - text: А\n   kind: текст\n"), "yaml_syntax", 4, {}),
        (minimal('  - text: "А\n'), "yaml_syntax", 3, {}),
        ("- title: Опрос\n", "not_mapping", 1, {}),
        (minimal("  - Просто вопрос\n"), "not_mapping", 3, {}),
        ("title: Опрос\nquestions: Вопрос\n", "not_list", 2, {}),
        (minimal("  - text: А\n    options: Да, нет\n"), "not_list", 4, {}),
        ("title: [Опрос]\nquestions: []\n", "not_text", 1, {}),
        (
            minimal("  - text: А\n    requried: нет\n"),
            "unknown_key",
            4,
            {
                "name": "requried",
                "allowed": "id, text, kind, required, options, other, scale, max_length",
            },
        ),
        (
            "title: Опрос\n<b>: 1\n",
            "unknown_key",
            2,
            {
                "name": "&lt;b&gt;",
                "allowed": "title, intro, audience, ask_role, classes, questions",
            },
        ),
        (
            minimal("  - text: А\n    options:\n      - {text: Да, go: 2}\n"),
            "unknown_key",
            5,
            {"name": "go", "allowed": "text, goto, exclusive"},
        ),
        (
            minimal("  - text: А\n    scale: {top: 5}\n"),
            "unknown_key",
            4,
            {"name": "top", "allowed": "low, high, low_label, high_label"},
        ),
        (minimal("  - text: А\n    text: Б\n"), "duplicate_key", 4, {"name": "text"}),
        ("", None, None, {}),
        ("# только комментарий\n", None, None, {}),
        ("title: ''\nquestions:\n  - text: А\n", "empty_title", 1, {}),
        ("intro: Привет\nquestions:\n  - text: А\n", "empty_title", 1, {}),
        (
            "title: " + "Я" * 201 + "\nquestions:\n  - text: А\n",
            "too_long",
            1,
            {"length": 201, "limit": 200},
        ),
        ("title: Опрос\nquestions: []\n", "no_questions", 2, {}),
        ("title: Опрос\nquestions:\n", "no_questions", 2, {}),
        ("title: Опрос\n", "no_questions", 1, {}),
        (minimal(QUESTIONS_43), "too_many_questions", 43, {"count": 43, "limit": 40}),
        (minimal("  - text: А\n  - text: ''\n"), "empty_question", 4, {"question": 2}),
        (minimal("  - text: А\n  - kind: текст\n"), "empty_question", 4, {"question": 2}),
        (minimal("  - id: вопрос 1\n    text: А\n"), "bad_id", 3, {"value": "вопрос 1"}),
        (minimal("  - id: end\n    text: А\n"), "bad_id", 3, {"value": "end"}),
        (
            minimal("  - id: x\n    text: А\n  - id: x\n    text: Б\n"),
            "duplicate_id",
            5,
            {"value": "x"},
        ),
        (minimal("  - text: А\n  - {id: '1', text: Б}\n"), "duplicate_id", 4, {"value": "1"}),
        (minimal("  - text: А\n    kind: выбор\n"), "bad_kind", 4, {"value": "выбор"}),
        (
            "title: Опрос\naudience: учителя\nquestions:\n  - text: А\n",
            "bad_audience",
            2,
            {"value": "учителя"},
        ),
        (minimal("  - text: А\n    required: иногда\n"), "bad_yes_no", 4, {"value": "иногда"}),
        (
            "title: Опрос\nask_role: 2\nquestions:\n  - text: А\n",
            "bad_yes_no",
            2,
            {"value": "2"},
        ),
        (minimal("  - text: А\n    max_length: много\n"), "bad_number", 4, {"value": "много"}),
        (minimal("  - text: А\n    scale: -5\n"), "bad_number", 4, {"value": "-5"}),
        (
            minimal("  - text: А\n    kind: один\n    options: [Да]\n"),
            "bad_option_count",
            5,
            {"question": 1, "count": 1, "least": 2, "most": 12},
        ),
        (
            minimal("  - text: А\n    kind: несколько\n"),
            "bad_option_count",
            3,
            {"question": 1, "count": 0, "least": 2, "most": 12},
        ),
        (
            minimal("  - text: А\n    options:\n" + "".join(f"      - В{n}\n" for n in range(13))),
            "bad_option_count",
            4,
            {"question": 1, "count": 13, "least": 2, "most": 12},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - ''\n"),
            "empty_option",
            6,
            {"question": 1},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - {goto: 2}\n  - text: Б\n"),
            "empty_option",
            6,
            {"question": 1},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - " + "о" * 101 + "\n"),
            "too_long",
            6,
            {"length": 101, "limit": 100},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - нет\n      - Нет\n"),
            "duplicate_option",
            7,
            {"question": 1, "value": "Нет"},
        ),
        (
            minimal("  - text: А\n    kind: текст\n    options: [Да, Нет]\n"),
            "options_not_allowed",
            5,
            {"question": 1},
        ),
        (
            minimal("  - text: А\n    kind: шкала\n    other: да\n"),
            "other_not_allowed",
            5,
            {"question": 1},
        ),
        (
            minimal("  - text: А\n    kind: один\n    options: [Да, Нет]\n    scale: 5\n"),
            "scale_not_allowed",
            6,
            {"question": 1},
        ),
        (minimal("  - text: А\n    scale: 7\n"), "bad_scale", 4, {"question": 1}),
        (
            minimal("  - text: А\n    scale:\n      low: 0\n      high: 5\n"),
            "bad_scale",
            5,
            {"question": 1},
        ),
        (
            minimal(
                "  - text: А\n    scale:\n      high: 5\n      low_label: " + "м" * 101 + "\n"
            ),
            "too_long",
            6,
            {"length": 101, "limit": 100},
        ),
        (
            minimal("  - text: А\n    max_length: 0\n"),
            "bad_max_length",
            4,
            {"question": 1, "value": 0, "limit": 2000},
        ),
        (
            minimal("  - text: А\n    max_length: 2001\n"),
            "bad_max_length",
            4,
            {"question": 1, "value": 2001, "limit": 2000},
        ),
        (
            minimal(
                "  - text: А\n    kind: несколько\n    options:\n      - Да\n"
                "      - text: Нет\n        goto: 2\n  - text: Б\n"
            ),
            "goto_not_single",
            8,
            {"question": 1},
        ),
        (
            minimal(
                "  - text: А\n    options:\n      - Да\n"
                "      - text: Не знаю\n        exclusive: да\n"
            ),
            "exclusive_not_multiple",
            7,
            {"question": 1},
        ),
        (
            minimal(
                "  - text: А\n  - text: Б\n    options:\n      - Да\n"
                "      - text: Нет\n        goto: 1\n"
            ),
            "goto_backward",
            8,
            {"question": 2, "target": 1},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - {text: Нет, goto: 1}\n"),
            "goto_backward",
            6,
            {"question": 1, "target": 1},
        ),
        (
            minimal("  - text: А\n    options:\n      - Да\n      - {text: Нет, goto: 99}\n"),
            "goto_unknown",
            6,
            {"question": 1, "target": "99"},
        ),
        (
            "title: Опрос\nclasses:\n  - 5а\n  - 15б\nquestions:\n  - text: А\n",
            "bad_class",
            4,
            {"value": "15б"},
        ),
        (
            "title: Опрос\nclasses: 5а, абв\nquestions:\n  - text: А\n",
            "bad_class",
            2,
            {"value": "абв"},
        ),
    ],
)
def test_each_mistake_names_its_line(
    text: str, code: str | None, line: int | None, params: dict[str, object]
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_yaml(text)
    error = caught.value
    if code is None:
        assert (error.key, error.params) == ("survey.file.empty", {})
    else:
        assert error.key == f"survey.file.line.{code}"
        assert error.params == {"line": line, **params}
    assert rendered(error, "ru") and rendered(error, "en")


def test_a_typo_message_reads_well() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_yaml(minimal("  - text: А\n    requried: нет\n"))
    assert rendered(caught.value).startswith("Строка 4: неизвестное поле «requried»")


def _nested_lists(depth: int) -> str:
    return "title: Опрос\nquestions:\n  - text: А\n    options: " + "[" * depth + "]" * depth


def _nested_mappings(depth: int) -> str:
    return "title: Опрос\nquestions:\n  - text: А\n    scale: " + "{a: " * depth + "}" * depth


@pytest.mark.parametrize("nested", [_nested_lists, _nested_mappings])
def test_five_thousand_levels_are_refused_by_name_not_by_recursion(
    nested: Callable[[int], str],
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_yaml(nested(5000))
    assert caught.value.key == "survey.file.line.too_deep"
    assert caught.value.params["limit"] == MAX_DEPTH
    assert rendered(caught.value).startswith("Строка ")
    assert "вложенность глубже" in rendered(caught.value)


@pytest.mark.parametrize("nested", [_nested_lists, _nested_mappings])
def test_twenty_levels_pass_the_depth_limit_and_meet_the_format_checks(
    nested: Callable[[int], str],
) -> None:
    # Deeper than any survey, shallower than the limit: the usual message about the first
    # value that is not what the format expects.
    with pytest.raises(DefinitionError) as caught:
        load_yaml(nested(20))
    assert caught.value.key != "survey.file.line.too_deep"
    assert caught.value.key.startswith("survey.file.line.")


def test_nesting_just_below_the_limit_is_composed() -> None:
    text = "title: Опрос\nquestions:\n  - text: А\n    options: " + "[" * (MAX_DEPTH - 4)
    text += "]" * (MAX_DEPTH - 4)
    with pytest.raises(DefinitionError) as caught:
        load_yaml(text)
    assert caught.value.key == "survey.file.line.not_text"
