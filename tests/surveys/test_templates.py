"""The built-in templates, the sample files people download, and checks on built definitions."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from surveys.loading import (
    DefinitionError,
    Template,
    builtin_template,
    builtin_templates,
    dump_yaml,
    load_definition,
    load_yaml,
    sample_files,
    validate,
    with_classes,
)
from surveys.model import END, Audience, Option, Question, QuestionKind, SurveyDefinition
from tests.surveys.catalog import catalog, rendered

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"


def test_two_templates_in_a_stable_order() -> None:
    templates = builtin_templates()
    assert [(t.key, t.season) for t in templates] == [
        ("awareness", "autumn"),
        ("effectiveness", "spring"),
    ]
    assert builtin_template("effectiveness") == templates[1]
    assert builtin_template("satisfaction") is None
    assert builtin_templates() is not builtin_templates()  # callers may not spoil the cache


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.key)
def test_a_template_is_a_good_survey(template: Template) -> None:
    definition = template.definition
    validate(definition)
    assert template.title == definition.title
    assert definition.audience is Audience.BOTH
    assert definition.segments.classes == ()
    assert 8 <= len(definition.questions) <= 12
    assert {question.kind for question in definition.questions} == set(QuestionKind)
    assert sum(question.other for question in definition.questions) == 1
    skips = [
        (index, option.goto)
        for index, question in enumerate(definition.questions)
        for option in question.options
        if option.goto is not None
    ]
    assert len(skips) == 1
    index, target = skips[0]
    assert target != END and definition.index_of(target) > index + 1  # it skips something
    last = definition.questions[-1]
    assert last.kind is QuestionKind.TEXT and not last.required
    assert all(question.required for question in definition.questions[:-1])
    for locale in ("ru", "en"):
        assert catalog(locale)[f"survey.template.{template.key}"]


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.key)
def test_a_template_reads_on_a_phone(template: Template) -> None:
    """Short questions and options, plain words, Russian throughout."""
    definition = template.definition
    assert len(definition.intro) <= 400
    for question in definition.questions:
        assert len(question.text) <= 90, question.text
        assert all(len(option.label) <= 50 for option in question.options), question.text
        assert re.search("[а-яё]", question.text, re.IGNORECASE)
    # Both parents and students answer the same questions.
    words = " ".join(question.text for question in definition.questions).casefold()
    assert "ваш ребёнок" in words or "вашей семье" in words


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.key)
def test_a_template_survives_its_yaml_form(template: Template) -> None:
    assert load_yaml(dump_yaml(template.definition)) == template.definition


def test_classes_are_added_normalised() -> None:
    definition = builtin_templates()[0].definition
    with_two = with_classes(definition, ("10б", "5 «а»", "5А"))
    assert with_two.segments.classes == ("5 «а»", "10 «б»")
    assert with_two.segments.ask_role == definition.segments.ask_role
    assert with_two.questions == definition.questions
    assert definition.segments.classes == ()
    assert with_classes(with_two, ()).segments.classes == ()
    validate(with_two)
    with pytest.raises(DefinitionError) as caught:
        with_classes(definition, ("5а", "кошки"))
    assert (caught.value.key, caught.value.params) == ("survey.file.bad_class", {"value": "кошки"})


def test_the_samples_describe_the_same_survey() -> None:
    files = dict(sample_files())
    assert set(files) == {"survey.yaml", "survey.xlsx"}
    from_yaml = load_definition("survey.yaml", files["survey.yaml"])
    from_xlsx = load_definition("survey.xlsx", files["survey.xlsx"])
    assert from_yaml == from_xlsx
    # The samples show every feature a person may need.
    questions = from_yaml.questions
    assert {question.kind for question in questions} == set(QuestionKind)
    assert any(question.other for question in questions)
    assert any(not question.required for question in questions)
    assert any(option.goto for question in questions for option in question.options)
    assert any(question.scale and question.scale.high == 10 for question in questions)
    assert from_yaml.segments.classes


def test_the_xlsx_sample_offers_dropdowns_and_stays_readable() -> None:
    book = openpyxl.load_workbook(io.BytesIO((SURVEYS / "samples" / "survey.xlsx").read_bytes()))
    assert book.sheetnames[:2] == ["Опрос", "Вопросы"]
    questions = book["Вопросы"]
    assert questions["A1"].font.bold and questions["B1"].font.bold
    validated = {
        str(cell_range)
        for validation in questions.data_validations.dataValidation
        for cell_range in validation.sqref.ranges
    }
    assert {"C2:C41", "D2:D41", "F2:F41"} <= validated
    assert questions.column_dimensions["B"].width >= 30


def programmatic(**changes: object) -> SurveyDefinition:
    question = Question(
        "1", "Первый", QuestionKind.SINGLE, options=(Option("1", "Да"), Option("2", "Нет"))
    )
    definition = SurveyDefinition("Опрос", "", Audience.BOTH, (question,))
    return replace(definition, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("definition", "code", "line_starts"),
    [
        (programmatic(title=" "), "empty_title", "title:"),
        (
            programmatic(
                questions=(
                    Question("1", "Первый", QuestionKind.SINGLE, options=(Option("1", "Да"),)),
                )
            ),
            "bad_option_count",
            "options:",
        ),
        (
            programmatic(
                questions=(
                    Question(
                        "1",
                        "Первый",
                        QuestionKind.SINGLE,
                        options=(Option("1", "Да"), Option("1", "Нет")),
                    ),
                )
            ),
            "bad_option_key",
            "- Нет",
        ),
        (
            programmatic(
                questions=(
                    Question(
                        "a",
                        "Первый",
                        QuestionKind.SINGLE,
                        options=(Option("1", "Да", goto="zz"), Option("2", "Нет")),
                    ),
                )
            ),
            "goto_unknown",
            "goto: zz",
        ),
        (
            programmatic(questions=(Question("1", "Шкала", QuestionKind.SCALE),)),
            "bad_scale",
            "- text: Шкала",  # no scale to point at: the question itself
        ),
    ],
)
def test_a_definition_from_no_file_is_located_in_its_yaml_form(
    definition: SurveyDefinition, code: str, line_starts: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        validate(definition)
    assert caught.value.key == f"survey.file.line.{code}"
    line = dump_yaml(definition).splitlines()[int(str(caught.value.params["line"])) - 1]
    assert line.strip().startswith(line_starts)
    assert rendered(caught.value)


def test_classes_not_written_as_the_parser_writes_them_are_refused() -> None:
    definition = programmatic()
    validate(replace(definition, segments=replace(definition.segments, classes=("5 «а»",))))
    for classes in (("5а",), ("5 «а»", "5 «а»"), ("12 «а»",)):
        with pytest.raises(DefinitionError) as caught:
            validate(replace(definition, segments=replace(definition.segments, classes=classes)))
        assert caught.value.key == "survey.file.line.bad_class"


_CODE = re.compile(r"(?:Problem|\.error)\(\s*\"([a-z_]+)\"")
_PLAIN = re.compile(r"DefinitionError\(\s*\"(survey\.file\.[a-z_]+)\"")


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_definition_error_has_words(locale: str) -> None:
    words = catalog(locale)

    def codes(module: str) -> set[str]:
        return set(_CODE.findall((SURVEYS / module).read_text(encoding="utf-8")))

    needed = {
        f"survey.file.{kind}.{code}" for code in codes("building.py") for kind in ("line", "cell")
    }
    needed |= {f"survey.file.line.{code}" for code in codes("yaml_format.py")}
    needed |= {f"survey.file.cell.{code}" for code in codes("xlsx_template.py")}
    for path in SURVEYS.glob("*.py"):
        needed |= set(_PLAIN.findall(path.read_text(encoding="utf-8")))
    assert len(needed) > 50  # the patterns still find the codes
    assert sorted(key for key in needed if not words.get(key)) == []
