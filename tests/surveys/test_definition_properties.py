"""Properties over generated definitions: any valid survey survives its YAML form unchanged."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.building import normalise_word
from surveys.classes import parse_class_list
from surveys.loading import DefinitionError, dump_yaml, load_yaml, validate
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

# Letters, and every character that means something to YAML, so quoting is exercised.
ALPHABET = "абвгдеёжзАБЯЁabcXYZ0123456789 .,!?«»()-–:;#&*%@'\"[]{}|>~`/\\"
TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)
WORDS = st.sampled_from(["да", "нет", "yes", "No", "null", "~", "123", "1.5", "-", "конец"])
LABEL = st.one_of(TEXT, WORDS)
INTRO = st.lists(TEXT, max_size=3).map("\n".join)
IDS = st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True).filter(lambda id_: id_ != END)
CLASSES = st.lists(
    st.tuples(st.integers(1, 11), st.sampled_from(["", "а", "б", "в", "ё", "к"])), max_size=5
).map(lambda pairs: parse_class_list(", ".join(f"{n}{letter}" for n, letter in pairs)))


@st.composite
def questions(draw: st.DrawFn) -> tuple[Question, ...]:
    count = draw(st.integers(1, 8))
    if draw(st.booleans()):
        ids = [str(number) for number in range(1, count + 1)]
    else:
        ids = draw(st.lists(IDS, min_size=count, max_size=count, unique=True))
    return tuple(draw(_question(index, ids)) for index in range(count))


@st.composite
def _question(draw: st.DrawFn, index: int, ids: list[str]) -> Question:
    kind = draw(st.sampled_from(QuestionKind))
    common = {
        "id": ids[index],
        "text": draw(LABEL),
        "kind": kind,
        "required": draw(st.booleans()),
        "max_length": draw(st.integers(1, 2000)),
    }
    if kind is QuestionKind.SCALE:
        scale = Scale(
            high=draw(st.sampled_from([5, 10])),
            low_label=draw(st.one_of(st.just(""), LABEL)),
            high_label=draw(st.one_of(st.just(""), LABEL)),
        )
        return Question(**common, scale=scale)
    if kind is QuestionKind.TEXT:
        return Question(**common)
    labels = draw(st.lists(LABEL, min_size=2, max_size=6, unique_by=normalise_word))
    targets = [None, END, *ids[index + 1 :]] if kind is QuestionKind.SINGLE else [None]
    options = tuple(
        Option(str(number), label, draw(st.sampled_from(targets)))
        for number, label in enumerate(labels, start=1)
    )
    return Question(**common, options=options, other=draw(st.booleans()))


DEFINITIONS = st.builds(
    SurveyDefinition,
    title=LABEL,
    intro=st.one_of(st.just(""), INTRO),
    audience=st.sampled_from(Audience),
    questions=questions(),
    segments=st.builds(Segments, ask_role=st.booleans(), classes=CLASSES),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DEFINITIONS)
def test_a_valid_definition_survives_its_yaml_form(definition: SurveyDefinition) -> None:
    validate(definition)
    assert load_yaml(dump_yaml(definition)) == definition


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_definition_or_a_located_refusal(text: str) -> None:
    refusal: DefinitionError | None = None
    try:
        load_yaml(text)
    except DefinitionError as error:
        refusal = error
    if refusal is not None:
        assert refusal.key.startswith("survey.file.")
        if refusal.key.startswith("survey.file.line."):
            assert 1 <= int(str(refusal.params["line"])) <= text.count("\n") + 2
