"""From what a file says (``RawSurvey``) to a ``SurveyDefinition``, and the rules it must keep.

The words people write are understood here once for every format: kinds and audiences in
Russian or English, "да"/"нет", "goto: 5" as a question number or an id. The rules live in
``first_problem``, which names the offending part by a path; the reader's source map turns
that path into the line or cell the person must fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from surveys.classes import MAX_CLASSES, parse_class_list
from surveys.model import (
    DEFAULT_TEXT_LIMIT,
    END,
    MAX_TEXT_LIMIT,
    OTHER,
    Audience,
    Option,
    Question,
    QuestionKind,
    Scale,
    Segments,
    SurveyDefinition,
)
from surveys.source import DefinitionError, Place, RawQuestion, RawSurvey, Scalar, shown

MAX_QUESTIONS = 40
MIN_OPTIONS, MAX_OPTIONS = 2, 12
SCALE_HIGHS = (5, 10)
TITLE_LIMIT = 200
INTRO_LIMIT = 2000
QUESTION_LIMIT = 500
OPTION_LIMIT = 100
SCALE_LABEL_LIMIT = 100
# Ids travel in callback data (64 bytes in all), so they stay short and ASCII.
_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")

# A part of a definition: ("question", 2, "option", 0, "goto") is the first option's skip.
Part = tuple[str | int, ...]


def _words(*groups: tuple[object, tuple[str, ...]]) -> dict[str, object]:
    return {word: value for value, words in groups for word in words}


_KINDS = _words(
    (
        QuestionKind.SINGLE,
        ("single", "один", "один вариант", "один ответ", "одиночный", "выбор одного"),
    ),
    (
        QuestionKind.MULTIPLE,
        ("multiple", "несколько", "несколько вариантов", "несколько ответов", "множественный"),
    ),
    (QuestionKind.SCALE, ("scale", "шкала", "оценка")),
    (QuestionKind.TEXT, ("text", "текст", "свой ответ", "свободный ответ", "открытый")),
)
_AUDIENCES = _words(
    (Audience.PARENTS, ("parents", "родители", "родитель", "для родителей")),
    (
        Audience.STUDENTS,
        ("students", "обучающиеся", "обучающийся", "ученики", "учащиеся", "школьники"),
    ),
    (
        Audience.BOTH,
        (
            "both",
            "все",
            "для всех",
            "родители и обучающиеся",
            "обучающиеся и родители",
            "родители и ученики",
            "ученики и родители",
        ),
    ),
)
_YES_NO = _words(
    (True, ("да", "д", "yes", "y", "true", "on", "+", "1")),
    (False, ("нет", "н", "no", "n", "false", "off", "-", "0")),
)
_END_WORDS = frozenset({"end", "конец", "в конец", "завершить", "к отправке"})
# The words the sample files and dump_yaml write: part of the file format, like its keys.
KIND_WORDS = {
    QuestionKind.SINGLE: "один вариант",
    QuestionKind.MULTIPLE: "несколько вариантов",
    QuestionKind.SCALE: "шкала",
    QuestionKind.TEXT: "текст",
}
AUDIENCE_WORDS = {
    Audience.PARENTS: "родители",
    Audience.STUDENTS: "обучающиеся",
    Audience.BOTH: "все",
}
YES, NO, END_WORD = "да", "нет", "конец"


def normalise_word(text: str) -> str:
    """Case, "ё", spaces and a trailing full stop do not change what a word means."""
    return " ".join(text.casefold().replace("ё", "е").split()).rstrip(".")


@dataclass(frozen=True)
class Problem:
    """A broken rule: a message code, the part of the definition it is about, and details."""

    code: str
    path: Part
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class SourceMap:
    """Where each part of a built definition was written; unknown parts fall back upwards."""

    whole: Place
    places: dict[Part, Place] = field(default_factory=dict)

    def note(self, path: Part, place: Place | None) -> None:
        if place is not None:
            self.places.setdefault(path, place)

    def place(self, path: Part) -> Place:
        while path:
            if path in self.places:
                return self.places[path]
            path = path[:-1]
        return self.whole

    def error(self, problem: Problem) -> DefinitionError:
        return self.place(problem.path).error(problem.code, **problem.params)


def build(raw: RawSurvey) -> tuple[SurveyDefinition, SourceMap]:
    """The definition a file describes; DefinitionError names the line or cell of a bad value.

    Rules are not checked here: see ``first_problem``.
    """
    source = SourceMap(raw.place)
    fields = raw.fields
    for name in ("title", "intro", "audience"):
        source.note((name,), _place(fields.get(name)))
    source.note(("questions",), raw.questions_place)
    source.note(("classes",), raw.classes[0].place if raw.classes else None)
    audience = _audience(fields.get("audience"))
    ask_role = _yes_no(fields.get("ask_role"), default=True)
    questions = [
        _question(index, question, source) for index, question in enumerate(raw.questions)
    ]
    ids = [question.id for question in questions]
    questions = [
        _with_gotos(index, question, raw_question, ids)
        for index, (question, raw_question) in enumerate(
            zip(questions, raw.questions, strict=True)
        )
    ]
    definition = SurveyDefinition(
        title=_text(fields.get("title")),
        intro=_text(fields.get("intro")),
        audience=audience,
        questions=tuple(questions),
        segments=Segments(ask_role=ask_role, classes=_classes(raw.classes)),
    )
    return definition, source


def _place(scalar: Scalar | None) -> Place | None:
    return scalar.place if scalar is not None else None


def _text(scalar: Scalar | None) -> str:
    return scalar.text.strip() if scalar is not None else ""


def _audience(scalar: Scalar | None) -> Audience:
    if scalar is None or not scalar.text.strip():
        return Audience.BOTH
    audience = _AUDIENCES.get(normalise_word(scalar.text))
    if not isinstance(audience, Audience):
        raise scalar.place.error("bad_audience", value=shown(scalar.text))
    return audience


def _kind(scalar: Scalar | None, raw: RawQuestion) -> QuestionKind:
    if scalar is None or not scalar.text.strip():
        # The file left the kind out: what else it gives says which kind is meant.
        if any(name in raw.fields for name in ("scale_low", "scale_high")):
            return QuestionKind.SCALE
        return QuestionKind.SINGLE if raw.options else QuestionKind.TEXT
    kind = _KINDS.get(normalise_word(scalar.text))
    if not isinstance(kind, QuestionKind):
        raise scalar.place.error("bad_kind", value=shown(scalar.text))
    return kind


def _yes_no(scalar: Scalar | None, *, default: bool) -> bool:
    if scalar is None or not scalar.text.strip():
        return default
    value = _YES_NO.get(normalise_word(scalar.text))
    if not isinstance(value, bool):
        raise scalar.place.error("bad_yes_no", value=shown(scalar.text))
    return value


def _whole(scalar: Scalar | None) -> int | None:
    if scalar is None or not scalar.text.strip():
        return None
    text = scalar.text.strip()
    if not text.isdecimal() or len(text) > 9:
        raise scalar.place.error("bad_number", value=shown(text))
    return int(text)


def _classes(scalars: list[Scalar]) -> tuple[str, ...]:
    classes: list[str] = []
    for scalar in scalars:
        try:
            classes.extend(parse_class_list(scalar.text))
        except DefinitionError as error:
            raise scalar.place.error(error.key.rsplit(".", 1)[-1], **error.params) from None
    if not classes:
        return ()
    return parse_class_list(", ".join(classes))


def _question(index: int, raw: RawQuestion, source: SourceMap) -> Question:
    fields = raw.fields
    path: Part = ("question", index)
    source.note(path, raw.place)
    for name, scalar in fields.items():
        source.note((*path, name), scalar.place)
    scale_places = (fields.get(name) for name in ("scale_high", "scale_low", "low_label"))
    source.note((*path, "scale"), next((s.place for s in scale_places if s is not None), None))
    source.note((*path, "scale", "low"), _place(fields.get("scale_low")))
    source.note((*path, "scale", "high"), _place(fields.get("scale_high")))
    source.note((*path, "scale", "low_label"), _place(fields.get("low_label")))
    source.note((*path, "scale", "high_label"), _place(fields.get("high_label")))
    source.note((*path, "options"), raw.options_place)
    options = []
    for number, raw_option in enumerate(raw.options or (), start=1):
        source.note((*path, "option", number - 1), raw_option.label.place)
        source.note((*path, "option", number - 1, "goto"), _place(raw_option.goto))
        source.note((*path, "option", number - 1, "exclusive"), _place(raw_option.exclusive))
        options.append(
            Option(
                key=str(number),
                label=raw_option.label.text.strip(),
                exclusive=_yes_no(raw_option.exclusive, default=False),
            )
        )
    kind = _kind(fields.get("kind"), raw)
    max_length = _whole(fields.get("max_length"))
    return Question(
        id=_text(fields.get("id")) or str(index + 1),
        text=_text(fields.get("text")),
        kind=kind,
        required=_yes_no(fields.get("required"), default=True),
        options=tuple(options),
        scale=_scale(raw, kind),
        other=_yes_no(fields.get("other"), default=False),
        max_length=max_length if max_length is not None else DEFAULT_TEXT_LIMIT,
    )


def _scale(raw: RawQuestion, kind: QuestionKind) -> Scale | None:
    fields = raw.fields
    names = ("scale_low", "scale_high", "low_label", "high_label")
    if kind is not QuestionKind.SCALE and not any(name in fields for name in names):
        return None
    low, high = _whole(fields.get("scale_low")), _whole(fields.get("scale_high"))
    return Scale(
        low=low if low is not None else Scale.low,
        high=high if high is not None else Scale.high,
        low_label=_text(fields.get("low_label")),
        high_label=_text(fields.get("high_label")),
    )


def _with_gotos(index: int, question: Question, raw: RawQuestion, ids: list[str]) -> Question:
    if not raw.options or all(option.goto is None for option in raw.options):
        return question
    options = tuple(
        replace(option, goto=_goto(raw_option.goto, ids, index))
        for option, raw_option in zip(question.options, raw.options, strict=True)
    )
    return replace(question, options=options)


def _goto(scalar: Scalar | None, ids: list[str], index: int) -> str | None:
    """A question id, or END; people write the question's number or its id."""
    if scalar is None or not scalar.text.strip():
        return None
    text = scalar.text.strip()
    if normalise_word(text) in _END_WORDS:
        return END
    if text in ids:
        return text
    number = text.removeprefix("№").strip()
    if number.isdecimal() and 1 <= int(number) <= len(ids):
        return ids[int(number) - 1]
    raise scalar.place.error("goto_unknown", question=index + 1, target=shown(text))


def first_problem(definition: SurveyDefinition) -> Problem | None:
    return next(_problems(definition), None)


def _problems(definition: SurveyDefinition) -> Iterator[Problem]:
    if not definition.title.strip():
        yield Problem("empty_title", ("title",))
    yield from _too_long(definition.title, TITLE_LIMIT, ("title",))
    yield from _too_long(definition.intro, INTRO_LIMIT, ("intro",))
    yield from _class_problems(definition.segments.classes)
    questions = definition.questions
    if not questions:
        yield Problem("no_questions", ("questions",))
    if len(questions) > MAX_QUESTIONS:
        yield Problem(
            "too_many_questions",
            ("question", MAX_QUESTIONS),
            {"count": len(questions), "limit": MAX_QUESTIONS},
        )
    seen: set[str] = set()
    for index, question in enumerate(questions):
        path: Part = ("question", index, "id")
        if not _ID.fullmatch(question.id) or question.id == END:
            yield Problem("bad_id", path, {"value": shown(question.id)})
        if question.id in seen:
            yield Problem("duplicate_id", path, {"value": shown(question.id)})
        seen.add(question.id)
    for index, question in enumerate(questions):
        yield from _question_problems(definition, index, question)


def _class_problems(classes: tuple[str, ...]) -> Iterator[Problem]:
    """Classes as ``parse_class_list`` writes them, each once (a respondent picks one)."""
    for position, name in enumerate(classes):
        try:
            normalised = parse_class_list(name)
        except DefinitionError:
            normalised = ()
        if normalised != (name,) or name in classes[:position]:
            yield Problem("bad_class", ("classes",), {"value": shown(name)})
    if len(classes) > MAX_CLASSES:
        params: dict[str, object] = {"count": len(classes), "limit": MAX_CLASSES}
        yield Problem("too_many_classes", ("classes",), params)


def _too_long(text: str, limit: int, path: Part) -> Iterator[Problem]:
    if len(text) > limit:
        yield Problem("too_long", path, {"length": len(text), "limit": limit})


def _question_problems(
    definition: SurveyDefinition, index: int, question: Question
) -> Iterator[Problem]:
    path: Part = ("question", index)
    number: dict[str, object] = {"question": index + 1}
    if not question.text.strip():
        yield Problem("empty_question", (*path, "text"), number)
    yield from _too_long(question.text, QUESTION_LIMIT, (*path, "text"))
    choice = question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    if choice:
        yield from _option_problems(path, number, question)
    else:
        if question.options:
            yield Problem("options_not_allowed", (*path, "options"), number)
        if question.other:
            yield Problem("other_not_allowed", (*path, "other"), number)
    if question.kind is QuestionKind.SCALE:
        yield from _scale_problems(path, number, question.scale)
    elif question.scale is not None:
        yield Problem("scale_not_allowed", (*path, "scale"), number)
    if not 1 <= question.max_length <= MAX_TEXT_LIMIT:
        params = {**number, "value": question.max_length, "limit": MAX_TEXT_LIMIT}
        yield Problem("bad_max_length", (*path, "max_length"), params)
    for option_index, option in enumerate(question.options):
        if option.exclusive and question.kind is not QuestionKind.MULTIPLE:
            exclusive_path = (*path, "option", option_index, "exclusive")
            yield Problem("exclusive_not_multiple", exclusive_path, number)
        if option.goto is not None:
            goto_path = (*path, "option", option_index, "goto")
            yield from _goto_problems(definition, index, question, option.goto, goto_path)


def _option_problems(
    path: Part, number: dict[str, object], question: Question
) -> Iterator[Problem]:
    count = len(question.options)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        params = {**number, "count": count, "least": MIN_OPTIONS, "most": MAX_OPTIONS}
        yield Problem("bad_option_count", (*path, "options"), params)
    labels: set[str] = set()
    keys: set[str] = set()
    for option_index, option in enumerate(question.options):
        option_path = (*path, "option", option_index)
        if not option.label.strip():
            yield Problem("empty_option", option_path, number)
        yield from _too_long(option.label, OPTION_LIMIT, option_path)
        label = " ".join(option.label.casefold().split())  # "Все" and "Всё" differ here
        if label and label in labels:
            yield Problem(
                "duplicate_option", option_path, {**number, "value": shown(option.label)}
            )
        if option.key in keys or option.key == OTHER or not option.key:
            yield Problem("bad_option_key", option_path, number)
        labels.add(label)
        keys.add(option.key)


def _scale_problems(
    path: Part, number: dict[str, object], scale: Scale | None
) -> Iterator[Problem]:
    if scale is None or scale.low != 1 or scale.high not in SCALE_HIGHS:
        end = "high" if scale is not None and scale.low == 1 else "low"
        yield Problem("bad_scale", (*path, "scale", end), number)
        return
    yield from _too_long(scale.low_label, SCALE_LABEL_LIMIT, (*path, "scale", "low_label"))
    yield from _too_long(scale.high_label, SCALE_LABEL_LIMIT, (*path, "scale", "high_label"))


def _goto_problems(
    definition: SurveyDefinition, index: int, question: Question, target: str, path: Part
) -> Iterator[Problem]:
    number: dict[str, object] = {"question": index + 1}
    if question.kind is not QuestionKind.SINGLE:
        yield Problem("goto_not_single", path, number)
    if target == END:
        return
    if definition.question(target) is None:
        yield Problem("goto_unknown", path, {**number, "target": shown(target)})
    elif definition.index_of(target) <= index:
        params = {**number, "target": definition.index_of(target) + 1}
        yield Problem("goto_backward", path, params)
